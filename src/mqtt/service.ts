import type { MessageHandler, MqttClientStats, PublishOutcome } from './client.js';
import type { RequestRouter } from './requests.js';
import type { RetainedPayloads, RetainedTopic, Topics } from './topics.js';

/**
 * The broker as features see it when the gateway has one: its topics, the connection's state,
 * subscriptions that survive reconnects, and publishing that is worth nothing late (commands to
 * other devices, rule messages, Home Assistant's discovery). Events go through the bus and the
 * outbox, retained state through `RetainedState`; the MQTT.js client stays inside the link.
 */
export interface MqttService {
  readonly topics: Topics;
  readonly connected: boolean;
  /** Called after every connection; returns the function that stops calling it. */
  onConnect(listener: () => void): () => void;
  /** Called when a connection is lost. */
  onDisconnect(listener: () => void): () => void;
  stats(): MqttClientStats;
  /** Messages on `filters` (QoS 1), renewed after every reconnect; returns the unsubscribe. */
  subscribe(filters: readonly string[], handler: MessageHandler): () => void;
  /**
   * Publishes now under the base (`relativeTopic` is checked there); rejects when not connected or
   * when the broker refuses.
   */
  publishNow(
    relativeTopic: string,
    payload: string,
    options: { qos: 0 | 1; retain?: boolean },
  ): Promise<void>;
  /**
   * Publishes to a full topic now: the base's own (`topics.*`) or Home Assistant's discovery prefix,
   * the one place outside the base (any other throws a RangeError). False when not connected;
   * `done` gets the broker's answer.
   */
  publish(
    topic: string,
    payload: string,
    options: { qos: 0 | 1; retain: boolean },
    done?: (outcome: PublishOutcome) => void,
  ): boolean;
  /** Answers `<base>/request/#` with `router` until the returned function is called. */
  serve(router: RequestRouter): () => void;
}

/**
 * Retained state (`<base>/inventory/<zone>`, `readers/<id>`, `displays/<id>`, `engagement`,
 * `metrics`, Home Assistant's states): typed by topic, published through the outbox's publisher, so
 * the latest value per topic wins while the broker is away.
 */
export interface RetainedState {
  publish<K extends RetainedTopic>(topic: K, payload: RetainedPayloads[K['kind']]): void;
}

declare module '../shared/feature.js' {
  interface Services {
    mqtt: MqttService;
    retained: RetainedState;
  }
}
