import type { MqttClient } from 'mqtt';
import type { GatewayMqttClient, PublishOutcome } from '../../../src/mqtt/client.js';
import { OutboxPublisher } from '../../../src/mqtt/publisher.js';
import { createTopics } from '../../../src/mqtt/topics.js';
import type { CloseContext } from '../../../src/mqtt/wire-watch.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { VirtualClock } from '../../../src/shared/clock.js';
import { MemoryOutbox } from './memory-outbox.js';

export { MemoryOutbox } from './memory-outbox.js';

export interface Sent {
  topic: string;
  payload: string;
  retain: boolean;
  /** Connection number it was sent on. */
  connection: number;
  done: (outcome: PublishOutcome) => void;
  settled: boolean;
}

/** A broker connection under the test's control: it acknowledges only when told to. */
export class FakeClient implements GatewayMqttClient {
  readonly url = 'mqtt://fake';
  readonly gatewayId = 'gw1';
  readonly topics = createTopics('rfid', 'gw1');
  readonly protocolVersion = 5 as const;
  readonly inFlightWindow = 4;
  connected = false;
  connection = 0;
  readonly sent: Sent[] = [];
  readonly reconnectReasons: string[] = [];
  /**
   * When set, `publish()` settles with this before it returns, as MQTT.js may (its callback can run
   * synchronously, e.g. on an error path or for a packet it completes at once).
   */
  settleInsidePublish: PublishOutcome | undefined;
  private readonly connectListeners = new Set<() => void>();
  private readonly disconnectListeners = new Set<(context: CloseContext) => void>();

  onConnect(listener: () => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }
  onDisconnect(listener: (context: CloseContext) => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }
  readonly raw = {} as MqttClient;
  subscribe(): () => void {
    return () => {};
  }
  publish(
    topic: string,
    payload: string | Buffer,
    options: { qos: 0 | 1; retain?: boolean },
    done?: (outcome: PublishOutcome) => void,
  ): boolean {
    if (!this.connected) return false;
    const entry: Sent = {
      topic,
      payload: payload.toString(),
      retain: options.retain ?? false,
      connection: this.connection,
      done: done ?? (() => {}),
      settled: false,
    };
    this.sent.push(entry);
    if (this.settleInsidePublish !== undefined) this.settle(entry, this.settleInsidePublish);
    return true;
  }
  statusDetails: Array<Record<string, unknown> | undefined> = [];

  setStatusDetail(detail: Record<string, unknown> | undefined): void {
    this.statusDetails.push(detail);
  }

  awaitingAck(): number {
    return this.outstanding().filter((entry) => entry.connection === this.connection).length;
  }
  reconnectNow(reason: string): void {
    this.reconnectReasons.push(reason);
    this.drop();
  }
  stats() {
    return {
      connected: this.connected,
      connects: 0,
      disconnects: 0,
      reconnectAttempts: 0,
      lastError: null,
      url: this.url,
      node: 0,
      moves: 0,
    };
  }
  async close(): Promise<void> {}

  connect(): void {
    this.connected = true;
    this.connection++;
    for (const listener of this.connectListeners) listener();
  }
  /** Like the real client: a lost connection fails whatever awaited a PUBACK, after the disconnect. */
  drop(): void {
    this.connected = false;
    // As the real client reports it: what awaits a PUBACK, and the last packet of this connection.
    const last = this.sent.filter((entry) => entry.connection === this.connection).at(-1);
    const context: CloseContext = {
      awaitingAck: this.outstanding().filter((entry) => entry.connection === this.connection).length,
      lastSent: last && { cmd: 'publish', topic: last.topic, agoMs: 0 },
    };
    for (const listener of this.disconnectListeners) listener(context);
    for (const entry of this.outstanding())
      this.settle(entry, { kind: 'failed', error: new Error('Message removed') });
  }
  outstanding(): Sent[] {
    return this.sent.filter((entry) => !entry.settled);
  }
  events(): Sent[] {
    return this.sent.filter((entry) => !entry.retain);
  }
  settle(entry: Sent, outcome: PublishOutcome): void {
    entry.settled = true;
    entry.done(outcome);
  }
  ackAll(): void {
    for (const entry of this.outstanding()) this.settle(entry, { kind: 'acked' });
  }
}

export const seqOf = (entry: Sent): number => (JSON.parse(entry.payload) as { seq: number }).seq;

export function setup(options: { ackTimeoutMs?: number; readBatch?: number } = {}) {
  const clock = new VirtualClock(0);
  const outbox = new MemoryOutbox();
  const client = new FakeClient();
  const publisher = new OutboxPublisher({ outbox, client, logger: silentLogger(), clock, ...options });
  /** Runs the timers that are due now (the batched markSent). */
  const tick = (ms = 0): void => clock.advanceTo(clock.now() + ms);
  return { clock, outbox, client, publisher, tick };
}
