import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from '../shared/clock.js';
import { errorCode, OutboxError } from './errors.js';

/** Beside the store in its data directory; a small SQLite database of its own. */
export const LOCK_FILE = 'gateway.lock';

/** How long taking the lock waits out a contender that is only reading who holds it. */
const BUSY_TIMEOUT_MS = 1000;

/** Who holds the lock, as that process wrote it down when it took it. */
export interface LockHolder {
  pid: number;
  host: string;
  /** When it took the lock (its clock, ISO 8601): about when that gateway started. */
  startedAt: string;
}

/** Another process holds the data directory: a second gateway must not run on it. */
export class StoreLockedError extends OutboxError {
  constructor(
    storePath: string,
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
  ) {
    const who =
      holder === undefined
        ? 'another process (who could not be read from the lock)'
        : `another gateway: process ${holder.pid} on ${holder.host}, started ${holder.startedAt}`;
    super(
      `store ${storePath} is in use by ${who}; two gateways on one data directory would publish as one ` +
        `client and overwrite each other's state. Stop that one first, or give this one another dataDir ` +
        `(lock: ${lockPath})`,
      storePath,
    );
  }
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS holder (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  started_at TEXT NOT NULL,
  token TEXT NOT NULL
)`;

interface HolderRow {
  pid: number;
  host: string;
  started_at: string;
  token: string;
}

/**
 * An exclusive hold on a data directory for as long as a gateway runs, made of SQLite's own file
 * locks (POSIX advisory locks, which Node has no other way to take): the holder keeps a read
 * transaction open on `gateway.lock`, in rollback-journal mode, so that its SHARED lock makes every
 * other process's commit to that file fail with SQLITE_BUSY. Whoever commits its entry (PID, host,
 * start time, a random token) and then finds its own token under its SHARED lock holds the
 * directory; of two that race, only the last to commit finds its token. The operating system drops
 * the locks of a process that dies, SIGKILL included, so a stale file never blocks the next start;
 * the entry left behind is only read while someone holds the lock, and then it is theirs.
 * (Not WAL: there, readers do not block writers.)
 */
export class StoreLock {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {}

  static acquire(dataDir: string, storePath: string, clock: Clock): StoreLock {
    const path = join(dataDir, LOCK_FILE);
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = DELETE');
      db.exec(SCHEMA);
      const token = randomUUID();
      const read = db.prepare('SELECT pid, host, started_at, token FROM holder WHERE id = 1');
      try {
        db.exec('BEGIN IMMEDIATE');
        db.prepare(
          `INSERT INTO holder (id, pid, host, started_at, token) VALUES (1, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host,
             started_at = excluded.started_at, token = excluded.token`,
        ).run(process.pid, hostname(), new Date(clock.now()).toISOString(), token);
        db.exec('COMMIT');
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (db.inTransaction) db.exec('ROLLBACK');
        throw new StoreLockedError(
          storePath,
          path,
          holderOf(() => read.get() as HolderRow | undefined),
        );
      }
      // From this read on, for as long as the process lives, nobody else can commit to the file.
      db.exec('BEGIN');
      const row = read.get() as HolderRow | undefined;
      if (row?.token !== token) {
        db.exec('ROLLBACK');
        throw new StoreLockedError(
          storePath,
          path,
          holderOf(() => row),
        );
      }
      return new StoreLock(db, path);
    } catch (error) {
      db?.close();
      if (error instanceof OutboxError) throw error;
      throw new OutboxError(
        `store ${storePath}: cannot take the data directory's lock ${path} (${errorCode(error) ?? 'error'}: ` +
          `${(error as Error).message}); the directory must be writable and on a local filesystem`,
        storePath,
        { cause: error },
      );
    }
  }

  /** Lets the next gateway start. Idempotent. */
  release(): void {
    if (!this.db.open) return;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.db.close();
  }
}

function isBusy(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

function holderOf(read: () => HolderRow | undefined): LockHolder | undefined {
  try {
    const row = read();
    return row === undefined ? undefined : { pid: row.pid, host: row.host, startedAt: row.started_at };
  } catch {
    // Being written by a third process this very moment: say that someone holds it, not who.
    return undefined;
  }
}
