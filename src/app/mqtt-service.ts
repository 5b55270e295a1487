import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttConfig } from '../config/schema.js';
import { createMqttClient, type GatewayMqttClient } from '../mqtt/client.js';
import { type EmbeddedBroker, startEmbeddedBroker } from '../mqtt/embedded-broker.js';
import { OutboxPublisher } from '../mqtt/publisher.js';
import { RequestRouter } from '../mqtt/requests.js';
import type { Logger } from '../observability/logger.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import { OutboxError, SqliteOutbox } from '../store/index.js';
import type { Outbox } from '../store/types.js';
import { allZones } from './engine-config.js';
import type { Gateway } from './gateway.js';
import { MetricsCollector } from './metrics.js';
import { OutboxSink } from './outbox-sink.js';
import { requestHandlers } from './request-handlers.js';
import { RetainedStateSink } from './retained-state.js';

const VERSION = '0.1.0';

export interface OutboxSettings {
  dataDir: string;
  maxRows: number;
  maxBytes: number;
  synchronous: 'NORMAL' | 'FULL';
}

/** Opens (creating the data directory if needed) the outbox; start-up problems are OutboxErrors. */
export function openOutbox(settings: OutboxSettings, clock: Clock, logger: Logger): SqliteOutbox {
  const path = join(settings.dataDir, 'outbox.sqlite');
  try {
    mkdirSync(settings.dataDir, { recursive: true });
  } catch (error) {
    throw new OutboxError(`data directory ${settings.dataDir}: ${(error as Error).message}`, path);
  }
  return SqliteOutbox.open({
    path,
    clock,
    logger: logger.child({ component: 'outbox' }),
    maxRows: settings.maxRows,
    maxBytes: settings.maxBytes,
    synchronous: settings.synchronous,
  });
}

/**
 * Everything between the events and the broker: the outbox sink, the publisher, the retained
 * topics, the metrics, the requests and, for demos, an embedded broker. Started after the gateway
 * is built and before it starts reading; stopped after it has stopped reading.
 */
export class MqttService {
  private metricsTimer: TimerHandle | undefined;
  private stopped = false;

  private constructor(
    readonly client: GatewayMqttClient,
    readonly publisher: OutboxPublisher,
    private readonly outbox: Outbox,
    private readonly metrics: MetricsCollector,
    private readonly broker: EmbeddedBroker | undefined,
    private readonly detachRequests: () => void,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metricsIntervalMs: number,
  ) {}

  static async start(
    mqtt: MqttConfig,
    gateway: Gateway,
    outbox: Outbox,
    deps: { clock: Clock; logger: Logger; requests: boolean },
  ): Promise<MqttService> {
    const { clock, logger } = deps;
    const config = gateway.config;
    let broker: EmbeddedBroker | undefined;
    if (mqtt.embeddedBroker) {
      try {
        broker = await startEmbeddedBroker(mqtt.embeddedBroker, logger.child({ component: 'broker' }));
      } catch (error) {
        // Another broker already listens there (a developer's Mosquitto): use it.
        logger.warn(
          { err: error, ...mqtt.embeddedBroker },
          'embedded broker not started; using the one listening',
        );
      }
    }
    const client = createMqttClient(
      {
        url: mqtt.url,
        gatewayId: config.gatewayId,
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
        version: VERSION,
      },
      logger,
      { clock },
    );
    const publisher = new OutboxPublisher({ outbox, client, logger, clock });
    const outboxSink = new OutboxSink(
      outbox,
      () => publisher.notify(),
      (error) =>
        logger.error({ err: error }, 'outbox commit failed; events stay buffered for the next attempt'),
      (dropped) => {
        logger.warn(
          { dropped, byType: outbox.stats().dropped },
          'outbox full: oldest low-value events dropped',
        );
        gateway.publisher.publish({ type: 'outbox.dropped', dropped });
      },
    );
    const retained = new RetainedStateSink(
      gateway.engine,
      () => gateway.devices,
      client.topics,
      (topic, payload) => publisher.publishRetained(topic, payload),
      clock,
    );
    gateway.publisher.addSink(outboxSink);
    gateway.publisher.addSink(retained);
    const metrics = new MetricsCollector(
      gateway.devices,
      () => gateway.engine.stats,
      clock,
      () => outbox.stats(),
      () => {
        const stats = client.stats();
        return { connected: stats.connected, connects: stats.connects, disconnects: stats.disconnects };
      },
    );
    let detachRequests = () => {};
    if (deps.requests) {
      const router = new RequestRouter({
        handlers: requestHandlers({
          config,
          engine: gateway.engine,
          devices: () => gateway.devices,
          outbox,
          clock,
          startedAt: clock.now(),
        }),
        clock,
        logger: logger.child({ component: 'requests' }),
      });
      detachRequests = router.attach(client.raw, {
        requestWildcard: client.topics.requestFilter,
        requestPrefix: `${client.topics.base}/request/`,
        responseTopic: (command) => client.topics.response(command),
      });
    }
    publisher.start();
    retained.publishAll(allZones(config).map((zone) => zone.id));
    const service = new MqttService(
      client,
      publisher,
      outbox,
      metrics,
      broker,
      detachRequests,
      clock,
      logger,
      mqtt.metricsIntervalMs,
    );
    service.scheduleMetrics();
    return service;
  }

  private scheduleMetrics(): void {
    this.metricsTimer = this.clock.setTimeout(() => {
      this.publisher.publishRetained(this.client.topics.metrics, this.metrics.sample());
      if (!this.stopped) this.scheduleMetrics();
    }, this.metricsIntervalMs);
  }

  /** Resolves true once every committed event is acknowledged, false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    return this.publisher.drain(timeoutMs);
  }

  /**
   * After the gateway stopped reading: publish what can be published within `drainMs`, publish
   * `offline`, close the connection, the outbox and the embedded broker.
   */
  async stop(drainMs: number): Promise<boolean> {
    if (this.stopped) return true;
    this.stopped = true;
    if (this.metricsTimer) this.clock.clearTimeout(this.metricsTimer);
    this.detachRequests();
    const drained = await this.publisher.drain(drainMs);
    if (!drained) {
      this.logger.warn(
        { depth: this.outbox.stats().depth },
        'stopping with events not yet acknowledged; sent after restart',
      );
    }
    this.publisher.stop();
    this.metrics.close();
    await this.client.close(2000);
    this.outbox.close();
    await this.broker?.close();
    return drained;
  }
}
