import type { Clock } from '../../../src/shared/clock.js';
import type { GatewayEvent } from '../../../src/shared/events.js';
import { type Outbox, type OutboxRecord, type OutboxStats, priorityOf } from '../../../src/store/types.js';

/**
 * What a MemoryOutbox keeps across a restart: its "disk". Open several outboxes on one storage in
 * turn to play a restart (close, then open) or a crash (open again without closing).
 */
export class MemoryOutboxStorage {
  /** Committed, unacknowledged events in seq order (commits only ever append higher seqs). */
  readonly rows = new Map<number, OutboxRecord>();
  readonly deadLetters = new Map<number, string>();
  readonly dropped: Record<string, number> = {};
  lastSeq = 0;
}

export interface MemoryOutboxOptions {
  storage?: MemoryOutboxStorage;
  /** Stamps `committedAt`; default: always 0. */
  clock?: Pick<Clock, 'now'>;
  /** Bounds of the size policy, as SqliteOutbox's; default: unbounded. */
  maxRows?: number;
  maxBytes?: number;
}

/**
 * The Outbox contract in memory (`memory-outbox.contract.test.ts` runs the contract suite against
 * it), recording every markSent call so that publisher tests can check what was acknowledged.
 */
export class MemoryOutbox implements Outbox {
  /** Seqs of every markSent call, in call order, unknown and repeated ones included. */
  readonly markedSent: number[] = [];
  private readonly storage: MemoryOutboxStorage;
  private readonly now: () => number;
  private readonly maxRows: number;
  private readonly maxBytes: number;
  private buffer: OutboxRecord[] = [];
  private closed = false;
  private readonly rewriteListeners = new Set<() => void>();

  constructor(options: MemoryOutboxOptions = {}) {
    this.storage = options.storage ?? new MemoryOutboxStorage();
    const clock = options.clock;
    this.now = clock ? () => clock.now() : () => 0;
    this.maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  }

  get rows(): ReadonlyMap<number, OutboxRecord> {
    return this.storage.rows;
  }

  get deadLetters(): ReadonlyMap<number, string> {
    return this.storage.deadLetters;
  }

  nextSeq(): number {
    this.ensureOpen();
    return this.storage.lastSeq + this.buffer.length + 1;
  }

  append(event: GatewayEvent): void {
    const expected = this.nextSeq();
    if (event.seq !== expected)
      throw new Error(`MemoryOutbox: event ${event.id} has seq ${event.seq} but the next seq is ${expected}`);
    this.buffer.push({
      seq: event.seq,
      id: event.id,
      type: event.type,
      payload: JSON.stringify(event),
      committedAt: 0,
    });
  }

  commit(): { committed: number; dropped: number } {
    this.ensureOpen();
    const committedAt = this.now();
    for (const record of this.buffer) this.storage.rows.set(record.seq, { ...record, committedAt });
    const committed = this.buffer.length;
    if (committed > 0) this.storage.lastSeq = this.buffer[committed - 1]?.seq ?? this.storage.lastSeq;
    this.buffer = [];
    return { committed, dropped: this.applySizePolicy() };
  }

  pending(afterSeq: number, limit: number): OutboxRecord[] {
    this.ensureOpen();
    const records: OutboxRecord[] = [];
    for (const record of this.storage.rows.values()) {
      if (records.length >= limit) break;
      if (record.seq > afterSeq) records.push(record);
    }
    return records;
  }

  markSent(seqs: readonly number[]): void {
    this.ensureOpen();
    for (const seq of seqs) {
      this.markedSent.push(seq);
      this.storage.rows.delete(seq);
    }
  }

  deadLetter(seq: number, reason: string): void {
    this.ensureOpen();
    // Only a pending event can be refused; a second refusal of the same one changes nothing.
    if (this.storage.rows.delete(seq)) this.storage.deadLetters.set(seq, reason);
  }

  onRewrite(listener: () => void): () => void {
    this.rewriteListeners.add(listener);
    return () => this.rewriteListeners.delete(listener);
  }

  /** Rewrites a committed row's payload in place, as a forget's redaction does, and says so. */
  rewrite(seq: number, payload: string): void {
    const record = this.storage.rows.get(seq);
    if (record === undefined) throw new Error(`MemoryOutbox: no pending row ${seq} to rewrite`);
    this.storage.rows.set(seq, { ...record, payload });
    for (const listener of this.rewriteListeners) listener();
  }

  stats(): OutboxStats {
    this.ensureOpen();
    const oldest = this.storage.rows.values().next().value;
    return {
      depth: this.storage.rows.size,
      bytes: this.bytes(),
      oldestCommittedAt: oldest?.committedAt ?? null,
      lastSeq: this.storage.lastSeq,
      ackedThroughSeq: oldest === undefined ? this.storage.lastSeq : oldest.seq - 1,
      dropped: { ...this.storage.dropped },
      deadLettered: this.storage.deadLetters.size,
      buffered: this.buffer.length,
    };
  }

  /** Commits what is buffered (as SqliteOutbox does), then refuses further use; idempotent. */
  close(): void {
    if (this.closed) return;
    this.commit();
    this.closed = true;
  }

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

  /** Over a bound: the oldest low events go first, then the oldest normal ones; critical ones stay. */
  private applySizePolicy(): number {
    let dropped = 0;
    while (this.storage.rows.size > this.maxRows || this.bytes() > this.maxBytes) {
      const victim = this.oldestOf('low') ?? this.oldestOf('normal');
      if (victim === undefined) break;
      this.storage.rows.delete(victim.seq);
      this.storage.dropped[victim.type] = (this.storage.dropped[victim.type] ?? 0) + 1;
      dropped++;
    }
    return dropped;
  }

  private oldestOf(priority: 'low' | 'normal'): OutboxRecord | undefined {
    for (const record of this.storage.rows.values()) if (priorityOf(record.type) === priority) return record;
    return undefined;
  }

  private bytes(): number {
    let total = 0;
    for (const record of this.storage.rows.values()) total += Buffer.byteLength(record.payload);
    return total;
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('MemoryOutbox is closed');
  }
}
