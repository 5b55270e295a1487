import type Database from 'better-sqlite3';
import type { GatewayEvent } from '../shared/events.js';
import { DEFAULT_RESERVE_BYTES, DiskGuard } from './disk-guard.js';
import { isDiskFull, OutboxError } from './errors.js';
import { FailingCommits } from './failing-commits.js';
import { describeSqliteError, openDatabase } from './open-database.js';
import { type BufferMark, OutboxBuffer } from './outbox-buffer.js';
import {
  DEFAULT_MAX_BUFFERED_EVENTS,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_ROWS,
  type OutboxHost,
  type OutboxOptions,
  validateOutboxOptions,
} from './outbox-options.js';
import { type BatchState, commitOnFullDisk, type WriteResult, writeBatch } from './outbox-write.js';
import { PolicyLog } from './policy-log.js';
import { migrateComponent, OUTBOX_MIGRATIONS } from './schema.js';
import { PRIORITY_RANK } from './size-policy.js';
import { prepareStatements, type Statements } from './statements.js';
import { type Outbox, type OutboxRecord, type OutboxStats, priorityOf } from './types.js';

export type { OutboxOptions } from './outbox-options.js';

/**
 * The outbox on SQLite. `seq` numbering: `nextSeq()` is the last seq handed out plus one, and
 * `append` accepts exactly that seq; after a crash (buffered events lost with the process, never
 * published) numbering resumes right after the last committed event, so the sequence has no gaps
 * but those the drop policy made (counted in `dropped`). The counter is kept in a meta row, so
 * deleting acknowledged rows never lets a seq be reused.
 *
 * Acknowledged events are deleted at once (a rowid delete, cheaper than marking and pruning later).
 */
export class SqliteOutbox implements Outbox {
  private readonly statements: Statements;
  private readonly buffer: OutboxBuffer;
  private readonly bounds: { maxRows: number; maxBytes: number };
  private lastCommittedSeq: number;
  private rows = 0;
  private bytes = 0;
  private readonly dropped = new Map<string, number>();
  private deadLettered = 0;
  /**
   * The oldest pending row as the last `stats()` read it; forgotten by whatever changes the rows, so
   * that a gateway publishing its metrics every second with nothing happening does not query for it.
   */
  private oldest: { row: { seq: number; committedAt: number } | undefined } | undefined;
  /** Counters changed inside a store transaction that may still roll back. */
  private countersDirty = false;
  private readonly failures: FailingCommits;
  private readonly policyLog: PolicyLog;
  private closed = false;
  private readonly rewriteListeners = new Set<() => void>();
  readonly synchronous: 'NORMAL' | 'FULL';

  /** Opens the file with its own connection (closed by `close()`); `Store` shares one instead. */
  static open(options: OutboxOptions): SqliteOutbox {
    validateOutboxOptions(options);
    const db = openDatabase(options.path);
    try {
      migrateComponent(db, options.path, 'outbox', OUTBOX_MIGRATIONS);
      const guard = new DiskGuard(db, {
        ...options,
        reserveBytes: options.reserveBytes ?? DEFAULT_RESERVE_BYTES,
      });
      return new SqliteOutbox(db, options, { guard, inTransaction: () => false }, true);
    } catch (error) {
      db.close();
      throw error instanceof OutboxError ? error : describeSqliteError(options.path, error);
    }
  }

  /** An outbox on a connection whose `outbox` component is migrated; the connection stays the caller's. */
  static attach(db: Database.Database, options: OutboxOptions, host?: OutboxHost): SqliteOutbox {
    validateOutboxOptions(options);
    const own = host ?? {
      guard: new DiskGuard(db, { ...options, reserveBytes: options.reserveBytes ?? 0 }),
      inTransaction: () => false,
    };
    return new SqliteOutbox(db, options, own, false);
  }

  private constructor(
    private readonly db: Database.Database,
    private readonly options: OutboxOptions,
    private readonly host: OutboxHost,
    private readonly ownsConnection: boolean,
  ) {
    this.bounds = {
      maxRows: options.maxRows ?? DEFAULT_MAX_ROWS,
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    };
    this.policyLog = new PolicyLog(options.logger, this.bounds);
    this.synchronous = options.synchronous ?? 'NORMAL';
    db.pragma(`synchronous = ${this.synchronous}`);
    this.statements = prepareStatements(db);
    this.lastCommittedSeq = this.statements.lastSeq.get()?.value ?? 0;
    this.buffer = new OutboxBuffer(this.lastCommittedSeq);
    const maxBuffered = options.maxBufferedEvents ?? DEFAULT_MAX_BUFFERED_EVENTS;
    this.failures = new FailingCommits(this.buffer, maxBuffered, options.logger, options.path);
    this.resyncCounters();
    for (const { type, count } of this.statements.drops.all()) this.dropped.set(type, count);
  }

  get path(): string {
    return this.options.path;
  }

  nextSeq(): number {
    this.ensureOpen();
    return this.buffer.lastSeq + 1;
  }

  append(event: GatewayEvent): void {
    this.ensureOpen();
    const expected = this.buffer.lastSeq + 1;
    if (event.seq !== expected) {
      throw new OutboxError(
        `outbox ${this.path}: event ${event.id} has seq ${event.seq} but the next seq is ${expected}; ` +
          'take the seq from nextSeq() just before append()',
        this.path,
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
    if (this.failures.failing && !this.host.inTransaction()) this.failures.bound();
  }

  /**
   * Writes every buffered event in one transaction and applies the size policy. On a full disk it
   * makes room (checkpoint, drop old low/normal rows, spend the reserve for critical events, and as
   * a last resort drop the buffered non-critical events); if nothing fits, the events stay buffered
   * (bounded by `maxBufferedEvents`) and an `OutboxError` with `diskFull` is thrown. Inside a
   * `Store.transaction` it does nothing: that transaction writes the buffer when it commits.
   */
  commit(): { committed: number; dropped: number } {
    this.ensureOpen();
    return this.commitBuffered(false);
  }

  /** `closing`: the last chance, so even a disk that failed a moment ago is tried. */
  private commitBuffered(closing: boolean): { committed: number; dropped: number } {
    if (this.host.inTransaction() || !this.buffer.hasWork(this.lastCommittedSeq)) {
      return { committed: 0, dropped: 0 };
    }
    const critical = this.buffer.hasCritical();
    const now = this.options.clock.now();
    this.failures.throttle(now, critical || closing);
    const raise = critical && this.synchronous !== 'FULL';
    let result: WriteResult;
    try {
      if (raise) this.db.pragma('synchronous = FULL');
      result = this.commitWithRecovery();
      this.failures.succeeded();
    } catch (error) {
      const described = error instanceof OutboxError ? error : describeSqliteError(this.path, error);
      this.failures.failed(described, now);
      if (!described.diskFull) this.host.guard.noteError(error);
      throw described;
    } finally {
      if (raise) this.db.pragma(`synchronous = ${this.synchronous}`);
    }
    const reported = this.buffer.unreported;
    this.applyWrite(result);
    return { committed: result.inserted, dropped: result.dropped + reported };
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
    this.oldest = undefined;
    if (this.host.inTransaction()) this.countersDirty = true;
  }

  deadLetter(seq: number, reason: string): void {
    this.ensureOpen();
    const now = this.options.clock.now();
    const row = this.db.transaction(() => {
      const event = this.statements.removeRow.get(seq);
      if (event !== undefined) {
        const { id, type, payload, committed_at } = event;
        this.statements.deadLetter.run(seq, id, type, payload, committed_at, reason, now);
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
    this.oldest = undefined;
    this.deadLettered += 1;
    if (this.host.inTransaction()) this.countersDirty = true;
  }

  stats(): OutboxStats {
    this.ensureOpen();
    this.oldest ??= { row: this.statements.oldest.get() };
    const oldest = this.oldest.row;
    const dropped = new Map(this.dropped);
    for (const [type, count] of this.buffer.unsaved) dropped.set(type, (dropped.get(type) ?? 0) + count);
    return {
      depth: this.rows,
      bytes: this.bytes,
      oldestCommittedAt: oldest?.committedAt ?? null,
      lastSeq: this.lastCommittedSeq,
      // Every row below the oldest left was acknowledged, dropped or dead-lettered.
      ackedThroughSeq: oldest === undefined ? this.lastCommittedSeq : oldest.seq - 1,
      dropped: Object.fromEntries(dropped),
      deadLettered: this.deadLettered,
      buffered: this.buffer.size,
      diskFull: this.host.guard.diskFull,
      droppedFromMemory: this.buffer.total,
    };
  }

  close(): void {
    if (this.closed) return;
    try {
      this.commitBuffered(true);
    } catch (error) {
      this.options.logger.error(
        { err: error, lost: this.buffer.size },
        'outbox: the last commit failed while closing; buffered events were not saved',
      );
    }
    this.closed = true;
    if (!this.ownsConnection) return;
    try {
      // Folds the WAL into the database so the file is self-contained after a clean stop.
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }

  // ---- used by Store.transaction -------------------------------------------------------------

  /** @internal */
  mark(): BufferMark {
    return this.buffer.mark();
  }

  /** @internal The last write failed on a full disk (so a purchase may need the reserve). */
  get writesFailing(): boolean {
    return this.failures.failing;
  }

  /** @internal Whether critical events are buffered (before a transaction: its commit can be FULL at once). */
  hasCritical(): boolean {
    return this.buffer.hasCritical();
  }

  /** @internal Writes the buffer inside the caller's open transaction; apply the result after COMMIT. */
  writeInTransaction(): WriteResult | undefined {
    if (!this.buffer.hasWork(this.lastCommittedSeq)) return undefined;
    this.oldest = undefined;
    return writeBatch(this.db, this.statements, this.batch(this.host.guard.underPressure() ? 1 : 0));
  }

  /** @internal The transaction committed. */
  committed(result: WriteResult | undefined): void {
    if (result !== undefined) this.applyWrite(result);
    this.countersDirty = false;
  }

  /** @internal The transaction rolled back: forget its events, recount what it may have changed. */
  rolledBack(mark: BufferMark, error: unknown): void {
    this.oldest = undefined;
    this.buffer.rollback(mark);
    if (this.countersDirty) this.resyncCounters();
    this.countersDirty = false;
    if (isDiskFull(error)) {
      this.failures.failedInTransaction();
      this.host.guard.noteFull(error);
    }
  }

  /** @internal After the outer transaction, commit or not: the memory bound, deferred while it ran. */
  settle(): void {
    if (this.failures.failing) this.failures.bound();
  }

  /** @internal Makes everything committed so far durable (one fsync of the WAL). */
  syncBarrier(): void {
    this.db.pragma('synchronous = FULL');
    try {
      this.statements.syncBarrier.run();
    } finally {
      this.db.pragma(`synchronous = ${this.synchronous}`);
    }
  }

  // ---- writing --------------------------------------------------------------------------------

  private commitWithRecovery(): WriteResult {
    const attempt = (room: number) =>
      this.db.transaction(() => writeBatch(this.db, this.statements, this.batch(room)))();
    return commitOnFullDisk(this.host.guard, this.buffer, attempt);
  }

  private batch(room: number): BatchState {
    return {
      path: this.path,
      buffer: this.buffer,
      lastCommittedSeq: this.lastCommittedSeq,
      occupancy: { rows: this.rows, bytes: this.bytes },
      bounds: this.bounds,
      now: this.options.clock.now(),
      pageSize: this.host.guard.pageSize,
      room,
    };
  }

  private applyWrite(result: WriteResult): void {
    for (const [type, count] of this.buffer.unsaved)
      this.dropped.set(type, (this.dropped.get(type) ?? 0) + count);
    this.buffer.committed();
    this.failures.written(this.host.guard.diskFull);
    this.lastCommittedSeq = result.lastSeq;
    this.oldest = undefined;
    this.rows = result.rows;
    this.bytes = result.bytes;
    for (const [type, count] of result.byType) this.dropped.set(type, (this.dropped.get(type) ?? 0) + count);
    if (result.critical) {
      this.options.logger.debug(
        { lastSeq: this.lastCommittedSeq, events: result.inserted, synchronous: 'FULL' },
        'outbox: committed critical events with synchronous=FULL',
      );
    }
    this.policyLog.report(result);
  }

  onRewrite(listener: () => void): () => void {
    this.rewriteListeners.add(listener);
    return () => this.rewriteListeners.delete(listener);
  }

  /**
   * @internal After a committed redaction of `changed` rows: counts rows and bytes again, and tells
   * the readers of `pending` (the publisher's read-ahead) that their copies are stale.
   */
  rewritten(changed: number): void {
    this.resyncCounters();
    if (changed === 0) return;
    for (const listener of this.rewriteListeners) {
      try {
        listener();
      } catch (error) {
        this.options.logger.error({ err: error }, 'outbox: a listener of rewritten rows failed');
      }
    }
  }

  private resyncCounters(): void {
    this.oldest = undefined;
    const totals = this.statements.totals.get() ?? { rows: 0, bytes: 0 };
    this.rows = totals.rows;
    this.bytes = totals.bytes;
    this.deadLettered = this.statements.deadLetters.get()?.n ?? 0;
  }

  private ensureOpen(): void {
    if (this.closed) throw new OutboxError(`outbox ${this.path} is closed`, this.path);
  }
}
