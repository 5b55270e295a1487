import type { IPublishPacket, MqttClient } from 'mqtt';
import type { Topics } from './topics.js';
import type { CloseContext } from './wire-watch.js';

/** What the gateway's MQTT client (client.ts, createMqttClient) offers the rest of the gateway. */

export type PublishOutcome =
  | { kind: 'acked' }
  /** The broker answered and refused it for good (MQTT 5 PUBACK reason code >= 0x80). */
  | { kind: 'rejected'; reasonCode: number; reason: string }
  /** No answer: connection lost, message removed. Worth retrying. */
  | { kind: 'failed'; error: Error };

export interface MqttClientStats {
  connected: boolean;
  connects: number;
  disconnects: number;
  /** Failed attempts since the last stable connection. */
  reconnectAttempts: number;
  lastError: string | null;
  /** The broker node connected to, or being tried, without credentials. */
  url: string;
  /** Its position in `mqtt.url`, from 0. */
  node: number;
  /** Connections made to another node than the previous connection's. */
  moves: number;
}

export type MessageHandler = (topic: string, payload: Buffer, packet: IPublishPacket) => void;

export interface GatewayMqttClient {
  /** The broker node's URL (connected to, or being tried) without credentials, for logs and status. */
  readonly url: string;
  readonly gatewayId: string;
  readonly topics: Topics;
  readonly protocolVersion: 4 | 5;
  readonly inFlightWindow: number;
  readonly connected: boolean;
  /** Called after every CONNACK, once the online status and subscriptions have been sent. */
  onConnect(listener: () => void): () => void;
  /** Called when a connection ends, with what was on the wire then (see CloseContext). */
  onDisconnect(listener: (context: CloseContext) => void): () => void;
  /**
   * The MQTT.js client, for this folder's own use. Its subscriptions are renewed after every
   * reconnect (the session is clean); connecting, reconnecting and ending belong to this wrapper.
   */
  readonly raw: MqttClient;
  /**
   * Subscribes to `filters` (QoS 1, renewed after every reconnect) and calls `handler` with each
   * message whose topic one of them matches; a refusal by the broker is logged with the filters.
   * Returns the function that unsubscribes.
   */
  subscribe(filters: readonly string[], handler: MessageHandler): () => void;
  /**
   * Sends now, or returns false when not connected (nothing is queued: the outbox owns durability).
   * `done` is called once, asynchronously, when the broker acknowledges (QoS 1) or the send fails.
   */
  publish(
    topic: string,
    payload: string | Buffer,
    options: { qos: 0 | 1; retain?: boolean },
    done?: (outcome: PublishOutcome) => void,
  ): boolean;
  /** Our QoS 1 packets awaiting their acknowledgement on this connection. */
  awaitingAck(): number;
  /** Drops the connection and reconnects (e.g. a PUBACK that never came). */
  reconnectNow(reason: string): void;
  stats(): MqttClientStats;
  /**
   * Adds `detail` to the retained `online` status (e.g. the store's disk is full) and publishes it
   * again when it changed; `undefined` removes it. Kept for every later reconnect.
   */
  setStatusDetail(detail: Record<string, unknown> | undefined): void;
  /** Publishes the retained `offline` status (bounded by `timeoutMs`), disconnects, stops reconnecting. */
  close(timeoutMs?: number): Promise<void>;
}
