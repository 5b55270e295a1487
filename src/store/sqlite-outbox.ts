import type Database from 'better-sqlite3';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../shared/clock.js';
import type { GatewayEvent } from '../shared/events.js';
import { OutboxError } from './errors.js';
import { describeSqliteError, openDatabase } from './open-database.js';
import { enforceBounds, PRIORITY_RANK } from './size-policy.js';
import { prepareStatements, type Statements } from './statements.js';
import { type Outbox, type OutboxRecord, type OutboxStats, priorityOf } from './types.js';

export interface OutboxOptions {
  /** The database file; its directory must exist and be writable (SQLite puts -wal and -shm beside it). */
  path: string;
  clock: Clock;
  logger: Logger;
  /** Unacknowledged events kept before the drop policy applies; default 1,000,000. */
  maxRows?: number;
  /** Bytes of unacknowledged payloads kept before the drop policy applies; default 256 MiB. */
  maxBytes?: number;
  /**
   * Durability of ordinary commits; default `NORMAL`: in WAL mode a commit survives a crash of the
   * process but the last commits before a power cut may be lost (they were not yet published, so
   * nothing seen downstream is contradicted). A commit that holds a critical event (purchase.*,
   * security.alarm) always uses `FULL` (fsync before `commit()` returns), so a purchase is on the
   * disk before anyone can act on it.
   */
  synchronous?: 'NORMAL' | 'FULL';
}

export const DEFAULT_MAX_ROWS = 1_000_000;
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

interface BufferedEvent {
  seq: number;
  id: string;
  type: string;
  priority: number;
  payload: string;
  bytes: number;
}

/**
 * The outbox on SQLite. `seq` numbering: `nextSeq()` is the last committed seq plus the events
 * buffered since, plus one, and `append` accepts exactly that seq. A seq is therefore only taken by
 * an event that is kept, and after a crash (buffered events lost with the process, never published)
 * numbering resumes right after the last committed event: the sequence has no gaps. The counter is
 * kept in a meta row, so deleting acknowledged rows never lets a seq be reused.
 *
 * Acknowledged events are deleted at once (a rowid delete, cheaper than marking and pruning later).
 */
export class SqliteOutbox implements Outbox {
  private readonly statements: Statements;
  private readonly commitBatch: (batch: BufferedEvent[], now: number) => ReturnType<typeof enforceBounds>;
  private buffer: BufferedEvent[] = [];
  private lastCommittedSeq: number;
  private rows: number;
  private bytes: number;
  private readonly dropped = new Map<string, number>();
  private deadLettered: number;
  /** An episode of dropping (or of being over the bound with only critical events) is logged once. */
  private dropping = false;
  private overBound = false;
  private closed = false;

  static open(options: OutboxOptions): SqliteOutbox {
    const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!Number.isInteger(maxRows) || maxRows < 1) {
      throw new OutboxError(
        `outbox ${options.path}: maxRows must be a positive integer, got ${maxRows}`,
        options.path,
      );
    }
    if (!(maxBytes > 0)) {
      throw new OutboxError(
        `outbox ${options.path}: maxBytes must be positive, got ${maxBytes}`,
        options.path,
      );
    }
    const db = openDatabase(options.path);
    const synchronous = options.synchronous ?? 'NORMAL';
    db.pragma(`synchronous = ${synchronous}`);
    return new SqliteOutbox(db, options, { maxRows, maxBytes }, synchronous);
  }

  private constructor(
    private readonly db: Database.Database,
    private readonly options: OutboxOptions,
    private readonly bounds: { maxRows: number; maxBytes: number },
    private readonly synchronous: 'NORMAL' | 'FULL',
  ) {
    this.statements = prepareStatements(db);
    this.lastCommittedSeq = this.statements.lastSeq.get()?.value ?? 0;
    const totals = this.statements.totals.get() ?? { rows: 0, bytes: 0 };
    this.rows = totals.rows;
    this.bytes = totals.bytes;
    for (const { type, count } of this.statements.drops.all()) this.dropped.set(type, count);
    this.deadLettered = this.statements.deadLetters.get()?.n ?? 0;
    this.commitBatch = db.transaction((batch: BufferedEvent[], now: number) => this.writeBatch(batch, now));
  }

  nextSeq(): number {
    this.ensureOpen();
    return this.lastCommittedSeq + this.buffer.length + 1;
  }

  append(event: GatewayEvent): void {
    this.ensureOpen();
    const expected = this.lastCommittedSeq + this.buffer.length + 1;
    if (event.seq !== expected) {
      throw new OutboxError(
        `outbox ${this.options.path}: event ${event.id} has seq ${event.seq} but the next seq is ${expected}; ` +
          'take the seq from nextSeq() just before append()',
        this.options.path,
      );
    }
    const payload = JSON.stringify(event);
    this.buffer.push({
      seq: event.seq,
      id: event.id,
      type: event.type,
      priority: PRIORITY_RANK[priorityOf(event.type)],
      payload,
      bytes: Buffer.byteLength(payload),
    });
  }

  commit(): { committed: number; dropped: number } {
    this.ensureOpen();
    const batch = this.buffer;
    if (batch.length === 0) return { committed: 0, dropped: 0 };
    const critical = batch.some((event) => event.priority === PRIORITY_RANK.critical);
    const raise = critical && this.synchronous !== 'FULL';
    let result: ReturnType<typeof enforceBounds>;
    try {
      if (raise) this.db.pragma('synchronous = FULL');
      result = this.commitBatch(batch, this.options.clock.now());
    } catch (error) {
      // The batch stays buffered: the next commit retries it.
      throw error instanceof OutboxError ? error : describeSqliteError(this.options.path, error);
    } finally {
      if (raise) this.db.pragma(`synchronous = ${this.synchronous}`);
    }
    this.buffer = [];
    this.lastCommittedSeq = (batch[batch.length - 1] as BufferedEvent).seq;
    this.rows = result.rows;
    this.bytes = result.bytes;
    for (const [type, count] of result.byType) this.dropped.set(type, (this.dropped.get(type) ?? 0) + count);
    if (critical) {
      this.options.logger.debug(
        { lastSeq: this.lastCommittedSeq, events: batch.length, synchronous: 'FULL' },
        'outbox: committed critical events with synchronous=FULL',
      );
    }
    this.logPolicy(result);
    return { committed: batch.length, dropped: result.dropped };
  }

  pending(afterSeq: number, limit: number): OutboxRecord[] {
    this.ensureOpen();
    return this.statements.pending.all(afterSeq, limit);
  }

  markSent(seqs: readonly number[]): void {
    this.ensureOpen();
    if (seqs.length === 0) return;
    const removed = this.db.transaction(() => {
      let rows = 0;
      let bytes = 0;
      for (const seq of seqs) {
        const row = this.statements.remove.get(seq);
        if (row === undefined) continue; // already acknowledged, or dropped by the size policy
        rows += 1;
        bytes += row.bytes;
      }
      return { rows, bytes };
    })();
    this.rows -= removed.rows;
    this.bytes -= removed.bytes;
  }

  deadLetter(seq: number, reason: string): void {
    this.ensureOpen();
    const now = this.options.clock.now();
    const row = this.db.transaction(() => {
      const event = this.statements.removeRow.get(seq);
      if (event !== undefined) {
        this.statements.deadLetter.run(
          event.seq,
          event.id,
          event.type,
          event.payload,
          event.committed_at,
          reason,
          now,
        );
      }
      return event;
    })();
    if (row === undefined) {
      this.options.logger.warn(
        { seq, reason },
        'outbox: dead letter for an event no longer pending; ignored',
      );
      return;
    }
    this.rows -= 1;
    this.bytes -= row.bytes;
    this.deadLettered += 1;
  }

  stats(): OutboxStats {
    this.ensureOpen();
    const oldest = this.statements.oldest.get();
    return {
      depth: this.rows,
      bytes: this.bytes,
      oldestCommittedAt: oldest?.committedAt ?? null,
      lastSeq: this.lastCommittedSeq,
      // Every row below the oldest left was acknowledged, dropped or dead-lettered.
      ackedThroughSeq: oldest === undefined ? this.lastCommittedSeq : oldest.seq - 1,
      dropped: Object.fromEntries(this.dropped),
      deadLettered: this.deadLettered,
      buffered: this.buffer.length,
    };
  }

  close(): void {
    if (this.closed) return;
    try {
      this.commit();
    } catch (error) {
      this.options.logger.error(
        { err: error, lost: this.buffer.length },
        'outbox: the last commit failed while closing; buffered events were not saved',
      );
    }
    this.closed = true;
    try {
      // Folds the WAL into the database so the file is self-contained after a clean stop.
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }

  private writeBatch(batch: BufferedEvent[], now: number): ReturnType<typeof enforceBounds> {
    const last = (batch[batch.length - 1] as BufferedEvent).seq;
    if (this.statements.advanceSeq.run(last, this.lastCommittedSeq).changes !== 1) {
      throw new OutboxError(
        `outbox ${this.options.path} was written by another process since it was opened; ` +
          'run one gateway per data directory',
        this.options.path,
      );
    }
    let bytes = this.bytes;
    for (const event of batch) {
      this.statements.insert.run(
        event.seq,
        event.id,
        event.type,
        event.priority,
        event.payload,
        event.bytes,
        now,
      );
      bytes += event.bytes;
    }
    return enforceBounds(this.statements, { rows: this.rows + batch.length, bytes }, this.bounds);
  }

  private logPolicy(result: ReturnType<typeof enforceBounds>): void {
    if (result.dropped > 0 && !this.dropping) {
      this.options.logger.warn(
        { dropped: Object.fromEntries(result.byType), ...this.bounds },
        'outbox: full; dropping the oldest low-value events (tag.*, snapshots) first; purchases and alarms are kept',
      );
    }
    this.dropping = result.dropped > 0;
    if (result.overBound && !this.overBound) {
      this.options.logger.error(
        { depth: result.rows, bytes: result.bytes, ...this.bounds },
        'outbox: over its bound with only purchases and alarms left; keeping them and growing past the bound',
      );
    }
    this.overBound = result.overBound;
  }

  private ensureOpen(): void {
    if (this.closed) throw new OutboxError(`outbox ${this.options.path} is closed`, this.options.path);
  }
}
