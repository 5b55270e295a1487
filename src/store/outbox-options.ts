import type { Logger } from '../observability/logger.js';
import type { Clock } from '../shared/clock.js';
import type { DiskGuard } from './disk-guard.js';
import { OutboxError } from './errors.js';

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
   * security.alarm) is always made durable (fsync) before it returns, so a purchase is on the disk
   * before anyone can act on it.
   */
  synchronous?: 'NORMAL' | 'FULL';
  /** Disk space held back for purchases and alarms when the disk fills up; default 1 MiB, 0 = none. */
  reserveBytes?: number;
  /** Events kept in memory while commits fail (full disk); past it the oldest low/normal ones are dropped. Default 10,000. */
  maxBufferedEvents?: number;
}

import { DEFAULT_MAX_BUFFERED_EVENTS, DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS } from './defaults.js';

export { DEFAULT_MAX_BUFFERED_EVENTS, DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS };

/** What the outbox needs from whoever owns the connection. */
export interface OutboxHost {
  readonly guard: DiskGuard;
  /** A store transaction is open: `commit()` leaves the writing to it. */
  inTransaction(): boolean;
}

/** Refuses settings that make no sense, naming the file they were meant for. */
export function validateOutboxOptions(options: OutboxOptions): void {
  const { path, maxRows = DEFAULT_MAX_ROWS, maxBytes = DEFAULT_MAX_BYTES } = options;
  const fail = (message: string) => {
    throw new OutboxError(`outbox ${path}: ${message}`, path);
  };
  if (!Number.isInteger(maxRows) || maxRows < 1) fail(`maxRows must be a positive integer, got ${maxRows}`);
  if (!(maxBytes > 0)) fail(`maxBytes must be positive, got ${maxBytes}`);
  const { reserveBytes = 0, maxBufferedEvents = 1 } = options;
  if (!Number.isInteger(reserveBytes) || reserveBytes < 0) {
    fail(`reserveBytes must be a whole number of bytes (0 disables the reserve), got ${reserveBytes}`);
  }
  if (!Number.isInteger(maxBufferedEvents) || maxBufferedEvents < 1) {
    fail(`maxBufferedEvents must be a positive integer, got ${maxBufferedEvents}`);
  }
}
