import { connect, ErrorWithReasonCode, type IPublishPacket, type MqttClient, type Packet } from 'mqtt';
import type { Logger } from '../observability/logger.js';
import { DEFAULT_BROKER_RECONNECT_POLICY, type ReconnectPolicy, resolvePolicy } from '../shared/backoff.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import { systemClock } from '../shared/clock.js';
import { BrokerRotation, brokerNodes, pointAt } from './broker-list.js';
import { connectOptions } from './connect-options.js';
import { describeMqttError, describeReasonCode } from './errors.js';
import type { GatewayMqttClient, PublishOutcome } from './gateway-client.js';
import { createTopics, type StatusPayload, topicMatches } from './topics.js';
import { type CloseContext, WireWatch } from './wire-watch.js';

export { connectOptions };

export const DEFAULT_IN_FLIGHT_WINDOW = 64;

export interface MqttOptions {
  /**
   * `mqtt://host:1883` or `mqtts://host:8883` (credentials in the URL work too, and are never logged),
   * or the nodes of a cluster (a primary and a standby): the first that answers is used, the next
   * when it fails.
   */
  url: string | readonly string[];
  /** Also the MQTT client id: one session per gateway on a broker shared by a fleet. */
  gatewayId: string;
  baseTopic?: string;
  /** 4 = MQTT 3.1.1 (default), 5 = MQTT 5 (PUBACK reason codes, so refused events are dead-lettered). */
  protocolVersion?: 4 | 5;
  username?: string;
  /** Precedence: `password`, then the contents of `passwordFile`, then `$RFID_GATEWAY_MQTT_PASSWORD`. */
  password?: string;
  passwordFile?: string;
  /** PEM file paths, read once at start. */
  ca?: string;
  cert?: string;
  key?: string;
  /** Certificate checking is on unless this is explicitly false. */
  rejectUnauthorized?: boolean;
  keepaliveSec?: number;
  connectTimeoutMs?: number;
  /** Defaults: `DEFAULT_BROKER_RECONNECT_POLICY`, the config's. */
  reconnect?: Partial<ReconnectPolicy>;
  /** QoS 1 events awaiting their PUBACK at once (the publisher's window). */
  inFlightWindow?: number;
  /** Software version, reported in the online status. */
  version?: string;
}

export interface MqttClientDeps {
  clock?: Clock;
  env?: Readonly<Record<string, string | undefined>>;
  random?: () => number;
}

export type { GatewayMqttClient, MessageHandler, MqttClientStats, PublishOutcome } from './gateway-client.js';

const V5_FAILURE = 0x80;

export function outcomeOf(error: Error | undefined): PublishOutcome {
  if (error === undefined || error === null) return { kind: 'acked' };
  if (error instanceof ErrorWithReasonCode && error.code >= V5_FAILURE)
    return { kind: 'rejected', reasonCode: error.code, reason: describeReasonCode(error.code) };
  return { kind: 'failed', error };
}

/** Listeners of one connection event; one that throws is logged and the others still run. */
function listeners<T = void>(logger: Logger, name: string) {
  const set = new Set<(value: T) => void>();
  return {
    add(listener: (value: T) => void): () => void {
      set.add(listener);
      return () => set.delete(listener);
    },
    emit(value: T): void {
      for (const listener of set) {
        try {
          listener(value);
        } catch (error) {
          logger.error({ err: error }, `mqtt ${name} listener failed`);
        }
      }
    },
  };
}

export function createMqttClient(
  options: MqttOptions,
  logger: Logger,
  deps: MqttClientDeps = {},
): GatewayMqttClient {
  const clock = deps.clock ?? systemClock;
  const topics = createTopics(options.baseTopic ?? 'rfid', options.gatewayId);
  const nodes = brokerNodes(options.url);
  const protocolVersion = options.protocolVersion ?? 4;
  const inFlightWindow = options.inFlightWindow ?? DEFAULT_IN_FLIGHT_WINDOW;
  if (!Number.isInteger(inFlightWindow) || inFlightWindow < 1 || inFlightWindow > 65_535)
    throw new RangeError(`mqtt.inFlightWindow must be an integer within 1..65535, got ${inFlightWindow}`);
  const rotation = new BrokerRotation(
    nodes,
    resolvePolicy(options.reconnect, DEFAULT_BROKER_RECONNECT_POLICY, 'mqtt.reconnect'),
    deps.random,
  );
  const log = logger.child({ component: 'mqtt', clientId: options.gatewayId });
  const baseOptions = connectOptions(options, topics, deps.env ?? process.env);
  // One MQTT.js client for every node: it owns the session state the publisher and the
  // subscriptions rely on. Its own `servers` rotation is not used: it also moves after a healthy
  // connection ends, away from a node that came back.
  const raw: MqttClient = connect(rotation.current.url, baseOptions);
  const credentials = {
    ...(baseOptions.username === undefined ? {} : { username: baseOptions.username }),
    ...(baseOptions.password === undefined ? {} : { password: String(baseOptions.password) }),
  };
  if (nodes.length > 1) pointAt(raw.options, rotation.current, credentials);

  const connectListeners = listeners(log, 'connect');
  const disconnectListeners = listeners<CloseContext>(log, 'disconnect');
  const wire = new WireWatch(clock);
  /** Every filter subscribed on `raw` (by anyone) and not unsubscribed, with its QoS. */
  const subscriptions = new Map<string, 0 | 1 | 2>();
  let connectedAt: number | undefined;
  let reconnectTimer: TimerHandle | undefined;
  let closing = false;
  let connects = 0;
  let disconnects = 0;
  let lastError: string | null = null;
  /** What ended the current attempt, for the line that says the gateway moves on. */
  let attemptError: string | undefined;
  /** Reconnects scheduled since the connection was last up. */
  let outageAttempts = 0;

  const sendSubscription = (filter: string, qos: 0 | 1 | 2): void => {
    raw.subscribe(filter, { qos }, (error, granted) => {
      const refused = granted?.find((grant) => grant.qos >= V5_FAILURE);
      if (error || refused)
        log.warn(
          { filter, reason: error ? describeMqttError(error) : describeReasonCode(refused?.qos ?? 0) },
          'subscription refused',
        );
    });
  };

  const publishStatus = (status: StatusPayload, done?: (outcome: PublishOutcome) => void): boolean =>
    api.publish(topics.status, JSON.stringify(status), { qos: 1, retain: true }, (outcome) => {
      if (outcome.kind === 'rejected')
        log.warn({ reason: outcome.reason }, 'the broker refused the status topic');
      done?.(outcome);
    });

  const scheduleReconnect = (reason: string): void => {
    if (closing || reconnectTimer !== undefined) return;
    const { delayMs, from, to } = rotation.next();
    attemptError = undefined;
    outageAttempts += 1;
    // One line when an outage begins; how it ended is said by 'connected to the broker'.
    const level = outageAttempts === 1 ? 'info' : 'debug';
    if (from !== to)
      log[level](
        { from: from.redacted, to: to.redacted, node: to.index, reason, delayMs },
        'moving to the next broker node',
      );
    log[level]({ url: to.redacted, delayMs, attempt: rotation.attempt }, 'reconnecting to the broker');
    reconnectTimer = clock.setTimeout(() => {
      reconnectTimer = undefined;
      if (closing) return;
      // MQTT.js builds the next stream from these options.
      if (nodes.length > 1) pointAt(raw.options, to, credentials);
      raw.reconnect();
    }, delayMs);
  };

  /**
   * MQTT.js keeps unacknowledged QoS 1 packets to resend them on the next connection; the publisher
   * re-reads those from the outbox instead, so they are failed here (their callbacks see "removed").
   */
  const forgetInFlight = (): void => {
    for (const id of Object.keys(raw.outgoing)) raw.removeOutgoingMessage(Number(id));
  };

  let statusDetail: Record<string, unknown> | undefined;
  const onlineStatus = (): StatusPayload => ({
    state: 'online',
    gateway: options.gatewayId,
    ...(connectedAt === undefined ? {} : { since: new Date(connectedAt).toISOString() }),
    ...(options.version !== undefined ? { version: options.version } : {}),
    broker: rotation.current.redacted,
    ...(statusDetail === undefined ? {} : { detail: statusDetail }),
  });

  raw.on('connect', () => {
    connectedAt = clock.now();
    rotation.connected(connectedAt);
    connects++;
    lastError = null;
    log.info(
      {
        url: rotation.current.redacted,
        node: rotation.current.index,
        protocolVersion,
        ...(outageAttempts === 0 ? {} : { reconnectAttempts: outageAttempts }),
      },
      'connected to the broker',
    );
    outageAttempts = 0;
    publishStatus(onlineStatus());
    // On the first connection MQTT.js sends the subscriptions it queued offline by itself.
    if (connects > 1) for (const [filter, qos] of subscriptions) sendSubscription(filter, qos);
    connectListeners.emit();
  });
  raw.on('error', (error) => {
    const text = describeMqttError(error);
    // The same failure every few seconds during an outage is one line at warn, then debug.
    const url = rotation.current.redacted;
    if (text !== lastError) log.warn({ url, reason: text }, 'mqtt error');
    else log.debug({ url, reason: text }, 'mqtt error');
    lastError = text;
    attemptError = text;
  });
  raw.on('close', () => {
    const wasConnected = connectedAt !== undefined;
    if (connectedAt !== undefined) {
      rotation.disconnected(clock.now());
      connectedAt = undefined;
      disconnects++;
      if (!closing) log.warn({ url: rotation.current.redacted }, 'disconnected from the broker');
      // Listeners first: the publisher must know the connection is gone before its callbacks fail.
      disconnectListeners.emit(wire.closed(Object.keys(raw.outgoing).length));
      forgetInFlight();
    }
    scheduleReconnect(wasConnected ? 'connection lost' : (attemptError ?? 'no connection'));
  });
  // MQTT.js only renews subscriptions when it runs the reconnects itself; it does not here.
  raw.on('packetsend', (packet: Packet) => {
    wire.sent(packet);
    if (packet.cmd === 'subscribe')
      for (const { topic, qos } of packet.subscriptions) subscriptions.set(topic, qos);
    if (packet.cmd === 'unsubscribe') for (const topic of packet.unsubscriptions) subscriptions.delete(topic);
  });

  const api: GatewayMqttClient = {
    get url() {
      return rotation.current.redacted;
    },
    gatewayId: options.gatewayId,
    topics,
    protocolVersion,
    inFlightWindow,
    get connected() {
      return raw.connected && connectedAt !== undefined;
    },
    onConnect: (listener) => connectListeners.add(listener),
    onDisconnect: (listener) => disconnectListeners.add(listener),
    raw,
    subscribe(filters, handler) {
      const list = [...filters];
      const onMessage = (topic: string, payload: Buffer, packet: IPublishPacket) => {
        if (list.some((filter) => topicMatches(filter, topic))) handler(topic, payload, packet);
      };
      raw.on('message', onMessage);
      for (const filter of list) sendSubscription(filter, 1);
      return () => {
        raw.removeListener('message', onMessage);
        if (raw.connected) raw.unsubscribe(list);
        else for (const filter of list) subscriptions.delete(filter);
      };
    },
    publish(topic, payload, publishOptions, done) {
      if (!api.connected) return false;
      raw.publish(
        topic,
        payload,
        { qos: publishOptions.qos, retain: publishOptions.retain ?? false },
        (error) => done?.(outcomeOf(error)),
      );
      return true;
    },
    awaitingAck: () => Object.keys(raw.outgoing).length,
    reconnectNow(reason) {
      if (!api.connected) return;
      log.warn({ reason }, 'dropping the connection to reconnect');
      raw.stream.destroy();
    },
    setStatusDetail(detail) {
      if (JSON.stringify(detail) === JSON.stringify(statusDetail)) return;
      statusDetail = detail;
      if (raw.connected && !closing) publishStatus(onlineStatus());
    },
    stats: () => ({
      connected: api.connected,
      connects,
      disconnects,
      reconnectAttempts: rotation.attempt,
      lastError,
      url: rotation.current.redacted,
      node: rotation.current.index,
      moves: rotation.moves,
    }),
    async close(timeoutMs = 2_000) {
      if (closing) return;
      closing = true;
      if (reconnectTimer !== undefined) clock.clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      await new Promise<void>((resolve) => {
        const timer = clock.setTimeout(resolve, timeoutMs);
        const sent = publishStatus(
          {
            state: 'offline',
            gateway: options.gatewayId,
            since: new Date(clock.now()).toISOString(),
            reason: 'shutdown',
          },
          () => {
            clock.clearTimeout(timer);
            resolve();
          },
        );
        if (!sent) {
          clock.clearTimeout(timer);
          resolve();
        }
      });
      forgetInFlight();
      const connected = api.connected;
      await new Promise<void>((resolve) => {
        // A clean DISCONNECT, so the broker does not also publish the last will; forced if it hangs.
        const timer = clock.setTimeout(() => {
          raw.stream.destroy();
          resolve();
        }, timeoutMs);
        raw.end(!connected, {}, () => {
          clock.clearTimeout(timer);
          resolve();
        });
      });
    },
  };
  return api;
}
