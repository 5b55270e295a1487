import type { MqttConfig } from '../config/mqtt.js';
import { createMqttClient, type GatewayMqttClient, type MqttOptions } from '../mqtt/client.js';
import type { EmbeddedBroker } from '../mqtt/embedded-broker.js';
import { OutboxPublisher } from '../mqtt/publisher.js';
import type { RequestRouter } from '../mqtt/requests.js';
import type { MqttService, RetainedState } from '../mqtt/service.js';
import { createTopics, type Topics } from '../mqtt/topics.js';
import type { Logger } from '../observability/logger.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { Extension } from '../shared/extension.js';
import { GATEWAY_VERSION } from '../shared/version.js';
import { OutboxError, type Store } from '../store/index.js';
import type { EventBus } from './event-bus.js';

const COMMIT_RETRY_MS = 1000;

export interface MqttLinkOptions {
  mqtt: MqttConfig;
  gatewayId: string;
  store: Store;
  bus: EventBus;
  /** Network time is real time, even in a replay. */
  clock: Clock;
  logger: Logger;
  /** How long `stop` waits for the broker to acknowledge what is committed. */
  drainMs: number;
  /** Home Assistant's discovery prefix: the one place outside the base a feature may publish to. */
  discoveryPrefix: string;
}

/**
 * The connection to the broker and everything that crosses it: the journal's commits (one
 * transaction at the end of each tick), the in-order QoS 1 publisher, the retained status and
 * last will, and, for demos, an embedded broker. Started first and stopped last, so that every
 * event the other extensions cause is committed and, within `drainMs`, delivered.
 */
export class MqttLink implements Extension {
  readonly name = 'mqtt';
  readonly topics: Topics;
  private link: { client: GatewayMqttClient; publisher: OutboxPublisher } | undefined;
  private broker: EmbeddedBroker | undefined;
  private commitScheduled = false;
  private retryTimer: TimerHandle | undefined;
  private unsubscribe: (() => void) | undefined;
  private unhandle: (() => void) | undefined;
  private closed = false;
  private notifiedSeq = 0;
  /** After `stop`: whether everything committed was acknowledged in time. */
  drained = true;

  constructor(private readonly options: MqttLinkOptions) {
    this.topics = createTopics(options.mqtt.baseTopic, options.gatewayId, options.mqtt.groups);
  }

  /** The connection; there from `start` on. */
  get client(): GatewayMqttClient {
    if (!this.link) throw new Error('the MQTT link is not started');
    return this.link.client;
  }

  get publisher(): OutboxPublisher {
    if (!this.link) throw new Error('the MQTT link is not started');
    return this.link.publisher;
  }

  /** What features get of the broker: built before the link starts, working once it has. */
  readonly service: MqttService = ((self: MqttLink): MqttService => ({
    get topics() {
      return self.topics;
    },
    get connected() {
      return self.link?.client.connected === true;
    },
    onConnect: (listener) => self.client.onConnect(listener),
    onDisconnect: (listener) => self.client.onDisconnect(listener),
    stats: () => self.client.stats(),
    subscribe: (filters, handler) => self.client.subscribe(filters, handler),
    publishNow: (relativeTopic, payload, options) => self.publishNow(relativeTopic, payload, options),
    publish: (topic, payload, options, done) => {
      // Nothing leaves the base but Home Assistant's discovery (one ACL line more, no other).
      const allowed = [self.topics.base, self.options.discoveryPrefix].some((root) =>
        topic.startsWith(`${root}/`),
      );
      if (!allowed) throw new RangeError(`${topic} is outside ${self.topics.base}/ and the discovery prefix`);
      return self.link ? self.link.client.publish(topic, payload, options, done) : false;
    },
    serve: (router: RequestRouter) =>
      router.attach(self.client.raw, {
        requestWildcard: self.topics.requestFilter,
        requestPrefix: self.topics.requestPrefix,
        responseTopic: (command) => self.topics.response(command),
        groups: self.topics.groups,
      }),
  }))(this);

  /**
   * Retained publishes go through the publisher: the latest value per topic wins while offline. The
   * metrics go at most once (QoS 0): the next interval replaces them anyway, and a PUBACK to wait for
   * would wake the gateway a second time for each of them.
   */
  readonly retained: RetainedState = {
    publish: (topic, payload) =>
      this.link?.publisher.publishRetained(
        this.topics.retained(topic),
        payload,
        topic.kind === 'metrics' ? 0 : 1,
      ),
  };

  private publishNow(
    relativeTopic: string,
    payload: string,
    options: { qos: 0 | 1; retain?: boolean },
  ): Promise<void> {
    const link = this.link;
    if (!link) return Promise.reject(new Error('not connected to the broker'));
    return new Promise((resolve, reject) => {
      const sent = link.client.publish(this.topics.under(relativeTopic), payload, options, (outcome) => {
        if (outcome.kind === 'acked') resolve();
        else
          reject(
            outcome.kind === 'rejected' ? new Error(`broker refused it: ${outcome.reason}`) : outcome.error,
          );
      });
      if (!sent) reject(new Error('not connected to the broker'));
    });
  }

  private connect(): void {
    const { mqtt, logger, clock, store } = this.options;
    const client = createMqttClient(
      { ...mqttOptionsFrom(mqtt, this.options.gatewayId), version: GATEWAY_VERSION },
      logger,
      { clock },
    );
    const publisher = new OutboxPublisher({ outbox: store.outbox, client, logger, clock });
    this.link = { client, publisher };
    publisher.start();
  }

  async start(): Promise<void> {
    const { mqtt, logger, bus } = this.options;
    if (mqtt.embeddedBroker) {
      try {
        const { startEmbeddedBroker } = await import('../mqtt/embedded-broker.js');
        this.broker = await startEmbeddedBroker(mqtt.embeddedBroker, logger.child({ component: 'broker' }));
      } catch (error) {
        // Another broker already listens there (a developer's Mosquitto): use it.
        logger.warn(
          { err: error, ...mqtt.embeddedBroker },
          'embedded broker not started; using the one listening',
        );
      }
    }
    this.unsubscribe = bus.on('journal', '*', () => this.scheduleCommit());
    this.unhandle = bus.handle('mqtt.publish', ({ topic, payload, qos, retain }) =>
      this.publishNow(topic, payload, { qos, retain }),
    );
    this.connect();
  }

  /** Commits what the journal buffered; a failing disk is retried on the clock, not forgotten. */
  commitNow(): void {
    this.commitScheduled = false;
    if (this.closed) return;
    const { store, logger, bus, clock } = this.options;
    try {
      const { committed, dropped } = store.outbox.commit();
      // A store transaction commits its events itself (a purchase, an alarm): the publisher is
      // woken by any commit since the last wake, whoever made it.
      const lastSeq = store.outbox.nextSeq() - 1;
      if (committed > 0 || lastSeq > this.notifiedSeq) {
        this.notifiedSeq = lastSeq;
        this.link?.publisher.notify();
      }
      this.reportStorage();
      if (dropped > 0) {
        logger.warn(
          { dropped, byType: store.outbox.stats().dropped },
          'outbox full: oldest low-value events dropped',
        );
        bus.emit({ type: 'outbox.dropped', dropped });
      }
    } catch (error) {
      // A full disk is logged by the store once per episode; this retry runs every second meanwhile.
      const level = error instanceof OutboxError && error.diskFull ? 'debug' : 'error';
      logger[level]({ err: error }, 'outbox commit failed; events stay buffered for the next attempt');
      this.reportStorage();
      this.retryTimer ??= clock.setTimeout(() => {
        this.retryTimer = undefined;
        this.commitNow();
      }, COMMIT_RETRY_MS);
    }
  }

  /**
   * The retained status says so while the disk is full (events are being dropped to make room). After
   * every commit, so the usual answer ("not full") costs no query and no look at the filesystem.
   */
  private reportStorage(): void {
    const { store } = this.options;
    if (!store.diskFull) {
      this.link?.client.setStatusDetail(undefined);
      return;
    }
    const health = store.health();
    this.link?.client.setStatusDetail(
      health.diskFull
        ? {
            storage: {
              diskFull: true,
              since: health.diskFullSince === null ? null : new Date(health.diskFullSince).toISOString(),
              freeBytes: health.freeBytes,
              buffered: health.buffered,
              droppedFromMemory: health.droppedFromMemory,
              reserveAvailable: health.reserveAvailable,
            },
          }
        : undefined,
    );
  }

  private scheduleCommit(): void {
    if (this.commitScheduled || this.closed) return;
    this.commitScheduled = true;
    setImmediate(() => this.commitNow());
  }

  /** Resolves true once every committed event is acknowledged, false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    this.commitNow();
    return this.link ? this.link.publisher.drain(timeoutMs) : Promise.resolve(false);
  }

  /** Commit, publish what can be published within `drainMs`, publish `offline`, close. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.commitNow();
    this.unsubscribe?.();
    this.unhandle?.();
    const { store, logger, clock, drainMs } = this.options;
    this.drained = this.link ? await this.link.publisher.drain(drainMs) : false;
    if (!this.drained) {
      logger.warn(
        { depth: store.outbox.stats().depth },
        'stopping with events not yet acknowledged; sent after restart',
      );
    }
    this.closed = true;
    if (this.retryTimer) clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.link?.publisher.stop();
    await this.link?.client.close(2000);
    await this.broker?.close();
  }
}

/** The client's options from the config's `mqtt` section (the command line tools connect too). */
export function mqttOptionsFrom(mqtt: MqttConfig, gatewayId: string): MqttOptions {
  return {
    url: mqtt.url,
    gatewayId,
    baseTopic: mqtt.baseTopic,
    protocolVersion: mqtt.protocolVersion,
    ...(mqtt.username === undefined ? {} : { username: mqtt.username }),
    ...(mqtt.passwordFile === undefined ? {} : { passwordFile: mqtt.passwordFile }),
    ...(mqtt.ca === undefined ? {} : { ca: mqtt.ca }),
    ...(mqtt.cert === undefined ? {} : { cert: mqtt.cert }),
    ...(mqtt.key === undefined ? {} : { key: mqtt.key }),
    rejectUnauthorized: mqtt.rejectUnauthorized,
    keepaliveSec: mqtt.keepaliveSec,
    reconnect: mqtt.reconnect,
    inFlightWindow: mqtt.inFlightWindow,
  };
}
