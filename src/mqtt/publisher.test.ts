import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock.js';
import { silentLogger } from '../observability/logger.js';
import type { GatewayEvent } from '../shared/events.js';
import type { Outbox, OutboxRecord, OutboxStats } from '../store/types.js';
import type { GatewayMqttClient, PublishOutcome } from './client.js';
import { OutboxPublisher } from './publisher.js';
import { createTopics } from './topics.js';

/** The Outbox contract in memory, recording every markSent and deadLetter call. */
class MemoryOutbox implements Outbox {
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

interface Sent {
  topic: string;
  payload: string;
  retain: boolean;
  /** Connection number it was sent on. */
  connection: number;
  done: (outcome: PublishOutcome) => void;
  settled: boolean;
}

/** A broker connection under the test's control: it acknowledges only when told to. */
class FakeClient implements GatewayMqttClient {
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

const seqOf = (entry: Sent): number => (JSON.parse(entry.payload) as { seq: number }).seq;

function setup(options: { ackTimeoutMs?: number; readBatch?: number } = {}) {
  const clock = new VirtualClock(0);
  const outbox = new MemoryOutbox();
  const client = new FakeClient();
  const publisher = new OutboxPublisher({ outbox, client, logger: silentLogger(), clock, ...options });
  /** Runs the timers that are due now (the batched markSent). */
  const tick = (ms = 0): void => clock.advanceTo(clock.now() + ms);
  return { clock, outbox, client, publisher, tick };
}

describe('OutboxPublisher', () => {
  it('publishes committed events in seq order on events/<type>, at most the window in flight', () => {
    const { outbox, client, publisher, tick } = setup();
    outbox.add(10);
    client.connect();
    publisher.start();
    expect(client.events().map(seqOf)).toEqual([1, 2, 3, 4]);
    expect(client.sent[0]?.topic).toBe('rfid/gw1/events/sensor/changed');
    expect(client.sent[0]?.payload).toBe(outbox.rows.get(1)?.payload);
    expect(publisher.stats().inFlight).toBe(4);

    client.settle(client.sent[0] as Sent, { kind: 'acked' });
    expect(client.events().map(seqOf)).toEqual([1, 2, 3, 4, 5]);
    expect(outbox.markedSent).toEqual([]);
    tick();
    expect(outbox.markedSent).toEqual([1]);
  });

  it('marks an event sent only when its PUBACK arrives, whatever the order', () => {
    const { outbox, client, publisher, tick } = setup();
    outbox.add(4);
    client.connect();
    publisher.start();
    const [one, two, three] = client.sent as [Sent, Sent, Sent];
    client.settle(three, { kind: 'acked' });
    client.settle(one, { kind: 'acked' });
    tick();
    expect(outbox.markedSent.sort()).toEqual([1, 3]);
    expect(outbox.stats().ackedThroughSeq).toBe(1);
    client.settle(two, { kind: 'acked' });
    tick();
    expect(outbox.stats().ackedThroughSeq).toBe(3);
  });

  it('publishes from the lowest unacknowledged seq again after a reconnect, ignoring the old connection', () => {
    const { outbox, client, publisher, tick } = setup();
    outbox.add(6);
    client.connect();
    publisher.start();
    client.settle(client.sent[1] as Sent, { kind: 'acked' });
    client.drop();
    tick();
    expect(outbox.markedSent).toEqual([2]);
    expect(publisher.stats().unacknowledgedAtDisconnect).toBe(4);

    client.connect();
    expect(
      client
        .events()
        .filter((entry) => entry.connection === 2)
        .map(seqOf),
    ).toEqual([1, 3, 4, 5]);
    client.ackAll();
    client.ackAll();
    tick();
    expect(outbox.markedSent.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('dead-letters an event the broker refuses (MQTT 5 reason code) and goes on', () => {
    const { outbox, client, publisher, tick } = setup();
    outbox.add(2);
    client.connect();
    publisher.start();
    client.settle(client.sent[0] as Sent, {
      kind: 'rejected',
      reasonCode: 135,
      reason: 'Not authorized (reason code 135 / 0x87)',
    });
    client.ackAll();
    tick();
    expect(outbox.deadLetters.get(1)).toMatch(/rfid\/gw1\/events\/sensor\/changed: Not authorized .*135/);
    expect(outbox.markedSent).toEqual([2]);
    expect(publisher.stats().deadLettered).toBe(1);
  });

  it('reconnects when a publish fails on a live connection, and when a PUBACK never comes', () => {
    const { outbox, client, publisher, tick } = setup({ ackTimeoutMs: 1_000 });
    outbox.add(2);
    client.connect();
    publisher.start();
    client.settle(client.sent[0] as Sent, { kind: 'failed', error: new Error('write EPIPE') });
    expect(client.reconnectReasons).toEqual(['publish of seq 1 failed: write EPIPE']);
    expect(outbox.markedSent).toEqual([]);

    client.connect();
    tick(999);
    expect(client.reconnectReasons).toHaveLength(1);
    tick(1);
    expect(client.reconnectReasons[1]).toBe('no PUBACK for seq 1 within 1000 ms');
  });

  it('drain resolves true once everything is acknowledged, false on timeout', async () => {
    const { outbox, client, publisher, tick } = setup();
    outbox.add(3);
    publisher.start();
    const early = publisher.drain(500);
    tick(500);
    await expect(early).resolves.toBe(false);

    client.connect();
    const drained = publisher.drain(10_000);
    client.ackAll();
    tick();
    await expect(drained).resolves.toBe(true);
    await expect(publisher.drain(0)).resolves.toBe(true);
  });

  it('wakes up on notify() after a commit', () => {
    const { outbox, client, publisher } = setup();
    client.connect();
    publisher.start();
    outbox.add(1);
    expect(client.events()).toHaveLength(0);
    publisher.notify();
    expect(client.events().map(seqOf)).toEqual([1]);
  });

  it('keeps the latest retained value per topic and publishes it again after a reconnect', () => {
    const { client, publisher } = setup();
    publisher.start();
    publisher.publishRetained('rfid/gw1/metrics', { n: 0 });
    client.connect();
    expect(client.sent.map((entry) => entry.payload)).toEqual(['{"n":0}']);
    publisher.publishRetained('rfid/gw1/metrics', { n: 1 });
    publisher.publishRetained('rfid/gw1/metrics', '{"n":2}');
    expect(client.sent).toHaveLength(1);
    client.ackAll();
    expect(client.sent.map((entry) => [entry.payload, entry.retain])).toEqual([
      ['{"n":0}', true],
      ['{"n":2}', true],
    ]);
    client.ackAll();
    client.drop();
    client.connect();
    expect(client.sent.at(-1)?.payload).toBe('{"n":2}');
  });

  it('after stop(), publishes nothing and ignores late acknowledgements', () => {
    const { outbox, client, publisher, tick } = setup();
    outbox.add(2);
    client.connect();
    publisher.start();
    client.settle(client.sent[0] as Sent, { kind: 'acked' });
    publisher.stop();
    expect(outbox.markedSent).toEqual([1]);
    client.ackAll();
    outbox.add(1);
    publisher.notify();
    tick();
    expect(outbox.markedSent).toEqual([1]);
    expect(client.events()).toHaveLength(2);
  });

  it('under any interleaving of PUBACKs, refusals and drops: only acknowledged events are sent, in order', () => {
    type Step =
      | { op: 'commit'; count: number }
      | { op: 'ack' | 'reject' | 'fail'; pick: number }
      | { op: 'drop' | 'connect' | 'tick' };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ op: fc.constant('commit' as const), count: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ op: fc.constantFrom('ack' as const, 'reject' as const, 'fail' as const), pick: fc.nat() }),
      fc.record({ op: fc.constantFrom('drop' as const, 'connect' as const, 'tick' as const) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), (steps, readBatch) => {
        const { outbox, client, publisher, tick } = setup({ readBatch });
        publisher.start();
        const acked = new Set<number>();
        const rejected = new Set<number>();
        const outcomes = {
          ack: { kind: 'acked' },
          reject: { kind: 'rejected', reasonCode: 135, reason: 'Not authorized' },
          fail: { kind: 'failed', error: new Error('write EPIPE') },
        } as const;
        const settleOne = (pick: number, kind: keyof typeof outcomes): void => {
          const open = client.outstanding().filter((entry) => !entry.retain);
          const entry = open[pick % Math.max(1, open.length)];
          if (entry === undefined) return;
          if (kind === 'ack') acked.add(seqOf(entry));
          if (kind === 'reject') rejected.add(seqOf(entry));
          client.settle(entry, outcomes[kind]);
        };
        for (const next of steps) {
          if (next.op === 'commit') {
            outbox.add(next.count);
            publisher.notify();
          } else if (next.op === 'ack' || next.op === 'reject' || next.op === 'fail')
            settleOne(next.pick, next.op);
          else if (next.op === 'drop' && client.connected) client.drop();
          else if (next.op === 'connect' && !client.connected) client.connect();
          else if (next.op === 'tick') tick();
          expect(outbox.markedSent.every((seq) => acked.has(seq))).toBe(true);
          expect(publisher.stats().inFlight).toBeLessThanOrEqual(client.inFlightWindow);
        }
        if (!client.connected) client.connect();
        for (let round = 0; client.outstanding().length > 0; round++) {
          for (const entry of client.outstanding()) acked.add(seqOf(entry));
          client.ackAll();
          expect(round).toBeLessThan(1_000);
        }
        tick();
        const committed = outbox.stats().lastSeq;
        const done = [...outbox.markedSent, ...outbox.deadLetters.keys()].sort((a, b) => a - b);
        expect(new Set(done).size).toBe(done.length);
        expect(done).toEqual(Array.from({ length: committed }, (_, index) => index + 1));
        expect([...outbox.deadLetters.keys()].every((seq) => rejected.has(seq))).toBe(true);
        // On each connection events go out in ascending seq order.
        for (let connection = 1; connection <= client.connection; connection++) {
          const seqs = client
            .events()
            .filter((entry) => entry.connection === connection)
            .map(seqOf);
          expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
          expect(new Set(seqs).size).toBe(seqs.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
