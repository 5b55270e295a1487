import type { MqttClient } from 'mqtt';
import { VirtualClock } from '../core/clock.js';
import { silentLogger } from '../observability/logger.js';
import type { GatewayEvent } from '../shared/events.js';
import type { Outbox, OutboxRecord, OutboxStats } from '../store/types.js';
import type { GatewayMqttClient, PublishOutcome } from './client.js';
import { OutboxPublisher } from './publisher.js';
import { createTopics } from './topics.js';
/** The Outbox contract in memory, recording every markSent and deadLetter call. */
export class MemoryOutbox implements Outbox {
  readonly rows = new Map<number, OutboxRecord>();
  readonly markedSent: number[] = [];
  readonly deadLetters = new Map<number, string>();
  private buffer: GatewayEvent[] = [];
  private lastSeq = 0;

  nextSeq(): number {
    return this.lastSeq + this.buffer.length + 1;
  }
  append(event: GatewayEvent): void {
    this.buffer.push(event);
  }
  commit(): { committed: number; dropped: number } {
    for (const event of this.buffer)
      this.rows.set(event.seq, {
        seq: event.seq,
        id: event.id,
        type: event.type,
        payload: JSON.stringify(event),
        committedAt: 0,
      });
    const committed = this.buffer.length;
    this.lastSeq += committed;
    this.buffer = [];
    return { committed, dropped: 0 };
  }
  pending(afterSeq: number, limit: number): OutboxRecord[] {
    return [...this.rows.values()].filter((row) => row.seq > afterSeq).slice(0, limit);
  }
  markSent(seqs: readonly number[]): void {
    for (const seq of seqs) {
      this.markedSent.push(seq);
      this.rows.delete(seq);
    }
  }
  deadLetter(seq: number, reason: string): void {
    this.deadLetters.set(seq, reason);
    this.rows.delete(seq);
  }
  stats(): OutboxStats {
    const oldest = this.rows.values().next().value;
    return {
      depth: this.rows.size,
      bytes: 0,
      oldestCommittedAt: oldest?.committedAt ?? null,
      lastSeq: this.lastSeq,
      ackedThroughSeq: oldest === undefined ? this.lastSeq : oldest.seq - 1,
      dropped: {},
      deadLettered: this.deadLetters.size,
      buffered: this.buffer.length,
    };
  }
  close(): void {}

  /** Commits `count` sensor events and returns their seqs. */
  add(count: number, type = 'sensor.changed'): number[] {
    const seqs: number[] = [];
    for (let index = 0; index < count; index++) {
      const seq = this.nextSeq();
      this.append({
        id: `id-${seq}`,
        seq,
        ts: '2026-11-22T10:00:00.000Z',
        gateway: 'gw1',
        type,
        sensor: 'io',
        channel: 'door',
        value: 'open',
        zone: 'fridge',
      } as GatewayEvent);
      seqs.push(seq);
    }
    this.commit();
    return seqs;
  }
}

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
  private readonly connectListeners = new Set<() => void>();
  private readonly disconnectListeners = new Set<() => void>();

  onConnect(listener: () => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }
  onDisconnect(listener: () => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }
  readonly raw = {} as MqttClient;
  publish(
    topic: string,
    payload: string | Buffer,
    options: { qos: 0 | 1; retain?: boolean },
    done?: (outcome: PublishOutcome) => void,
  ): boolean {
    if (!this.connected) return false;
    this.sent.push({
      topic,
      payload: payload.toString(),
      retain: options.retain ?? false,
      connection: this.connection,
      done: done ?? (() => {}),
      settled: false,
    });
    return true;
  }
  reconnectNow(reason: string): void {
    this.reconnectReasons.push(reason);
    this.drop();
  }
  stats() {
    return { connected: this.connected, connects: 0, disconnects: 0, reconnectAttempts: 0, lastError: null };
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
    for (const listener of this.disconnectListeners) listener();
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
