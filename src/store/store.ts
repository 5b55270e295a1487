import { mkdirSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../shared/clock.js';
import { DEFAULT_RESERVE_BYTES, DiskGuard, type DiskHealth } from './disk-guard.js';
import { errorCode, isDiskFull, OutboxError } from './errors.js';
import { adoptLegacyOutbox } from './legacy-outbox.js';
import { describeSqliteError, MEMORY, openDatabase } from './open-database.js';
import { DEFAULT_MAX_BUFFERED_EVENTS, validateOutboxOptions } from './outbox-options.js';
import type { WriteResult } from './outbox-write.js';
import { type Redaction, redactEvents } from './redact.js';
import { migrateComponent, OUTBOX_MIGRATIONS } from './schema.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import { StoreLock } from './store-lock.js';
import type { OutboxStats } from './types.js';

export const STORE_FILE = 'gateway.sqlite';

export interface StoreOptions {
  /** Directory of the database, created if missing; ':memory:' = an in-memory database (replays, tests). */
  dataDir: string;
  clock: Clock;
  logger: Logger;
  /**
   * Hold the data directory (`gateway.lock`) while the store is open, so that a second gateway on
   * it refuses to start; `clock` dates the holder's entry (wall time, also in a replay). A store
   * opened without it (the `catalog` command) may share the directory with a running gateway.
   */
  lock?: { clock: Clock };
  /**
   * Delete the database (and its -wal and -shm files) before opening it, once the lock is held: a
   * demo whose devices replay captures from their beginning starts a new world at every run, and
   * the previous run's sessions and stock would otherwise be recovered into it. Needs `lock`.
   */
  fresh?: boolean;
  outbox?: {
    maxRows?: number;
    maxBytes?: number;
    synchronous?: 'NORMAL' | 'FULL';
    /** Disk space held back for purchases and alarms on a full disk; default 1 MiB, 0 = none. */
    reserveBytes?: number;
    /** Events kept in memory while commits fail; default 10,000. */
    maxBufferedEvents?: number;
  };
}

export interface StoreHealth extends DiskHealth {
  /** The database file (or ':memory:'). */
  path: string;
  /** Events waiting in memory for a commit. */
  buffered: number;
  /** The most that wait in memory while commits fail (`maxBufferedEvents`). */
  bufferLimit: number;
  /** Events dropped from memory because commits failed, since the process started. */
  droppedFromMemory: number;
}

/**
 * One SQLite database per gateway (`<dataDir>/gateway.sqlite`): the outbox and every extension's
 * persisted state on one connection, so that a state change and the events it causes commit in
 * one transaction. Each component migrates its own tables (`migrate`).
 */
export class Store {
  readonly outbox: SqliteOutbox;
  private readonly guard: DiskGuard;
  private readonly maxBuffered: number;
  private readonly logger: Logger;
  private depth = 0;
  private closed = false;
  private lock: StoreLock | undefined;

  static open(options: StoreOptions): Store {
    const memory = options.dataDir === MEMORY;
    const dataDir = memory ? MEMORY : resolve(options.dataDir);
    const path = memory ? MEMORY : join(dataDir, STORE_FILE);
    validateOutboxOptions({ ...options.outbox, path, clock: options.clock, logger: options.logger });
    if (!memory) {
      try {
        mkdirSync(dataDir, { recursive: true });
      } catch (error) {
        throw new OutboxError(
          `store ${path}: cannot create the data directory ${dataDir} (${(error as Error).message}); ` +
            'create it with write access for the gateway user, or configure another data directory',
          path,
          { cause: error },
        );
      }
    }
    // Before anything in the directory is touched (the legacy outbox is renamed below).
    const lock = !memory && options.lock ? StoreLock.acquire(dataDir, path, options.lock.clock) : undefined;
    let db: Database.Database;
    try {
      if (options.fresh && !memory) deleteStoreFiles(path, lock, options.logger);
      if (!memory) adoptLegacyOutbox(dataDir, path, options.logger);
      db = openDatabase(path);
    } catch (error) {
      lock?.release();
      throw error;
    }
    try {
      const store = new Store(path, db, options);
      store.lock = lock;
      return store;
    } catch (error) {
      db.close();
      lock?.release();
      throw error instanceof OutboxError ? error : describeSqliteError(path, error);
    }
  }

  private constructor(
    readonly path: string,
    readonly db: Database.Database,
    options: StoreOptions,
  ) {
    const settings = options.outbox ?? {};
    this.logger = options.logger;
    migrateComponent(db, path, 'outbox', OUTBOX_MIGRATIONS);
    this.guard = new DiskGuard(db, {
      path,
      clock: options.clock,
      logger: options.logger,
      reserveBytes: settings.reserveBytes ?? DEFAULT_RESERVE_BYTES,
    });
    this.maxBuffered = settings.maxBufferedEvents ?? DEFAULT_MAX_BUFFERED_EVENTS;
    this.outbox = SqliteOutbox.attach(
      db,
      { ...settings, path, clock: options.clock, logger: options.logger },
      { guard: this.guard, inTransaction: () => this.depth > 0 },
    );
  }

  /**
   * Component-scoped versioned migrations: applies `steps[version..]` of `component` in order, each
   * in its own transaction; refuses a version newer than `steps.length`. A step is never edited once
   * released; a change is a new step.
   */
  migrate(component: string, steps: readonly string[]): void {
    this.ensureOpen();
    if (component === 'outbox') {
      throw new OutboxError(
        `store ${this.path}: the component name "outbox" belongs to the store itself`,
        this.path,
      );
    }
    if (this.db.inTransaction) {
      throw new OutboxError(
        `store ${this.path}: migrate("${component}") inside a transaction; migrate at start-up, before using the store`,
        this.path,
      );
    }
    migrateComponent(this.db, this.path, component, steps);
  }

  /**
   * Runs fn inside one SQLite transaction and, before committing, writes the outbox's buffered
   * events in the same transaction, so a state change and the events it causes commit together.
   * When a critical event (purchase.*, security.alarm) is among them the commit is made durable
   * before this returns: with synchronous=FULL if one was already buffered when fn started, else
   * by an fsync right after (SQLite cannot change synchronous inside a transaction).
   * If fn or the commit throws: the state rolls back AND the events appended during fn are removed
   * from the buffer (their seqs are handed out again; events appended before fn stay buffered for
   * the next commit), then the error is rethrown (a failed commit as an `OutboxError`).
   * Nested calls join the outer transaction as a savepoint: if one throws, its changes and events
   * are undone and the outer fn decides what to do.
   */
  transaction<T>(fn: () => T): T {
    this.ensureOpen();
    const outbox = this.outbox;
    const mark = outbox.mark();
    if (this.depth > 0 || this.db.inTransaction) {
      // Inside ours, or inside someone's raw db.transaction: a savepoint; the outer one commits.
      this.depth += 1;
      try {
        return this.db.transaction(fn)();
      } catch (error) {
        outbox.rolledBack(mark, error);
        throw error;
      } finally {
        this.depth -= 1;
      }
    }
    const criticalBefore = outbox.hasCritical();
    const raise = criticalBefore && outbox.synchronous !== 'FULL';
    let written: WriteResult | undefined;
    let fnDone = false;
    this.depth = 1;
    try {
      if (raise) this.db.pragma('synchronous = FULL');
      const result = this.db.transaction(() => {
        const value = fn();
        fnDone = true;
        if (!this.db.inTransaction) {
          // SQLite ends the whole transaction on some errors (SQLITE_FULL in a plain INSERT) even
          // inside a savepoint; fn caught that error and went on, so its later writes stood alone.
          throw new OutboxError(
            `store ${this.path}: SQLite rolled this transaction back inside it (an error fn caught, e.g. a full ` +
              'disk); its changes are lost and writes made after that error were committed on their own',
            this.path,
            { diskFull: this.guard.diskFull },
          );
        }
        written = outbox.writeInTransaction();
        // A full WAL fails only at COMMIT, too late to free anything: when writes are already
        // failing, spend the headroom now.
        if (written?.critical && outbox.writesFailing) this.guard.releaseReserve();
        return value;
      })();
      outbox.committed(written);
      this.guard.noteSuccess(written?.madeRoom !== true);
      if (written?.critical && !raise && outbox.synchronous !== 'FULL' && this.path !== MEMORY) {
        this.syncAfterCommit();
      }
      return result;
    } catch (error) {
      const critical = outbox.hasCritical();
      outbox.rolledBack(mark, error);
      if (isDiskFull(error) && critical) {
        // Frees space for the retry the caller will make; the failed attempt cannot be replayed here.
        if (this.guard.releaseReserve()) this.guard.checkpoint();
      }
      if (!fnDone || error instanceof OutboxError) throw error;
      throw describeSqliteError(this.path, error);
    } finally {
      this.depth = 0;
      if (raise) this.db.pragma(`synchronous = ${outbox.synchronous}`);
      outbox.settle();
    }
  }

  /** Whether the disk-full policy applies (cheap: no query, no look at the filesystem). */
  get diskFull(): boolean {
    return this.guard.diskFull;
  }

  /** Health for metrics and the retained status; `outbox` saves a query when the caller just read it. */
  health(outbox?: OutboxStats): StoreHealth {
    const stats = this.closed ? undefined : (outbox ?? this.outbox.stats());
    return {
      path: this.path,
      ...this.guard.health(),
      buffered: stats?.buffered ?? 0,
      bufferLimit: this.maxBuffered,
      droppedFromMemory: stats?.droppedFromMemory ?? 0,
    };
  }

  /**
   * Deletes personal data for good: `fn` runs in a transaction with secure_delete on (what it deletes
   * is overwritten, not left readable in free pages), together with `redactions` of the events still
   * in the outbox; then the file is rebuilt and the WAL, which still holds the old pages, truncated.
   * Once the redaction commits, the outbox's `onRewrite` listeners are told, before this returns.
   */
  erase<T>(fn: () => T, redactions: readonly Redaction[] = []): T {
    // Buffered events are written at the end of a transaction, after fn: commit them first, so that
    // the redaction below reaches them too.
    this.outbox.commit();
    this.db.pragma('secure_delete = ON');
    try {
      let rewritten = 0;
      const result = this.transaction(() => {
        const value = fn();
        if (redactions.length > 0) rewritten = redactEvents(this.db, redactions);
        return value;
      });
      // Committed: from here a copy of those rows read before (the publisher's) must not go out.
      this.outbox.rewritten(rewritten);
      // What was deleted earlier without secure_delete (acknowledged events) may still sit in free
      // pages: VACUUM rebuilds the file from live rows only, and the checkpoint empties the WAL.
      if (this.path !== MEMORY) this.db.exec('VACUUM');
      return result;
    } finally {
      this.db.pragma('secure_delete = OFF');
      if (this.path !== MEMORY) this.db.pragma('wal_checkpoint(TRUNCATE)');
    }
  }

  /** Commits what is buffered, folds the WAL into the file and closes the connection. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.outbox.close();
      if (this.path !== MEMORY) this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
      this.lock?.release();
    }
  }

  private syncAfterCommit(): void {
    try {
      this.outbox.syncBarrier();
    } catch (error) {
      // Committed, only not yet fsynced: the next commit or checkpoint syncs it; say so rather than throw.
      this.guard.noteError(error);
      this.logger.error(
        { err: error, path: this.path },
        'store: a purchase or alarm was committed but the fsync after it failed; it is durable at the next commit',
      );
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new OutboxError(`store ${this.path} is closed`, this.path);
  }
}

/** Only under the lock: another gateway's open database must never be pulled from under it. */
function deleteStoreFiles(path: string, lock: StoreLock | undefined, logger: Logger): void {
  if (lock === undefined) throw new OutboxError(`store ${path}: a fresh store needs the lock`, path);
  const deleted = [path, `${path}-wal`, `${path}-shm`].filter((file) => {
    try {
      unlinkSync(file);
      return true;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw new OutboxError(
        `store ${path}: cannot delete ${file} for a fresh start: ${(error as Error).message}`,
        path,
        {
          cause: error,
        },
      );
    }
  });
  if (deleted.length > 0) logger.info({ path }, 'store deleted for a fresh start (resetStoreAtStart)');
}
