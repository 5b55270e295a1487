import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, rmSync, statfsSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../shared/clock.js';
import { DEFAULT_RESERVE_BYTES } from './defaults.js';
import { errorCode } from './errors.js';
import { MEMORY } from './open-database.js';

export { DEFAULT_RESERVE_BYTES };

/**
 * While the disk is fine, the free space `health()` reports may be this old: metrics read it every
 * second, and a look at the filesystem each time is a system call for a figure that changes slowly.
 * The write path looks every time; while the disk is full, so does `health()`.
 */
const REPORTED_FREE_BYTES_MAX_AGE_MS = 10_000;

export interface DiskGuardOptions {
  /** The database file, or `':memory:'` (no disk: no reserve, no WAL, no free-space watch). */
  path: string;
  reserveBytes: number;
  clock: Clock;
  logger: Logger;
}

export interface DiskHealth {
  /** Writes hit SQLITE_FULL, or the filesystem is below its low-water mark: the disk-full policy applies. */
  diskFull: boolean;
  /** Since when (clock ms), while `diskFull`. */
  diskFullSince: number | null;
  /** The last write error (any kind), kept after recovery so that the status can say what happened. */
  lastError: string | null;
  lastErrorAt: number | null;
  /** Configured headroom for purchases and alarms (0: none). */
  reserveBytes: number;
  /** The headroom is held; false after it was spent on a full disk, until space comes back. */
  reserveAvailable: boolean;
  /** Free bytes on the database's filesystem for this user (null in memory). */
  freeBytes: number | null;
}

/**
 * Keeps a full disk from wedging the store. In WAL mode every commit first grows the `-wal` file and
 * a checkpoint later grows the database file; when the filesystem is full both fail, and a WAL
 * whose pages lie beyond the end of the database can then never be checkpointed: SQLite reports
 * SQLITE_FULL for every write until someone frees space, and deleting rows does not help because
 * the delete itself must be written to the WAL. So:
 *
 * - headroom is a plain file of `reserveBytes` beside the database (`<db>-reserve`, random bytes so
 *   a compressing filesystem cannot shrink it). A row inside the database would not do: its pages
 *   are reusable only through the WAL that cannot grow. Deleting the file gives the filesystem the
 *   space back for the checkpoint and the critical commit; it is recreated once space is back;
 * - checkpoints run every quarter of the reserve, so a WAL never holds more new pages than the
 *   reserve can absorb, and `journal_size_limit` trims a WAL swollen by one large batch;
 * - below a low-water mark of free space (twice the checkpoint size) writes stop growing the file:
 *   each one first drops old low-value events worth its size and reuses their pages.
 */
export class DiskGuard {
  readonly reservePath: string | null;
  readonly pageSize: number;
  private readonly lowWater: number;
  private reserved = false;
  private fullSince: number | null = null;
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  /** The free space last seen, and when (clock ms). */
  private lastFree: { at: number; bytes: number | null } | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly options: DiskGuardOptions,
  ) {
    this.pageSize = db.pragma('page_size', { simple: true }) as number;
    const memory = options.path === MEMORY;
    this.reservePath = memory || options.reserveBytes <= 0 ? null : `${options.path}-reserve`;
    // Sized from the reserve it must fit in; without a reserve, as if it were the default one.
    const reserve = options.reserveBytes > 0 ? options.reserveBytes : DEFAULT_RESERVE_BYTES;
    const checkpointPages = Math.min(1000, Math.max(16, Math.floor(reserve / this.pageSize / 4)));
    this.lowWater = 2 * checkpointPages * this.pageSize;
    if (!memory) {
      db.pragma(`wal_autocheckpoint = ${checkpointPages}`);
      db.pragma(`journal_size_limit = ${4 * checkpointPages * this.pageSize}`);
    }
    this.reserved = this.createReserve(true);
  }

  get diskFull(): boolean {
    return this.fullSince !== null;
  }

  /**
   * Whether a write should make room before growing the file: the disk is known to be full, or
   * free space is below the low-water mark (entering the disk-full state).
   */
  underPressure(): boolean {
    const room = this.roomBytes();
    if (room < this.lowWater)
      this.enter(`room to grow ${room} bytes is below the low-water mark of ${this.lowWater}`);
    return this.diskFull;
  }

  /** While full, a plain write is worth trying again once there is room well above the low-water mark. */
  worthProbing(): boolean {
    return this.roomBytes() >= 2 * this.lowWater;
  }

  noteFull(error: unknown): void {
    this.noteError(error);
    this.enter(error instanceof Error ? error.message : String(error));
  }

  noteError(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    this.lastErrorAt = this.options.clock.now();
  }

  /** After a successful commit: take the headroom back, and leave the disk-full state once a plain write fits. */
  noteSuccess(plain: boolean): void {
    if (!this.reserved && this.reservePath !== null) this.reserved = this.createReserve(false);
    if (!this.diskFull || !plain || !this.worthProbing()) return;
    if (this.reservePath !== null && !this.reserved) return;
    const since = this.fullSince;
    this.fullSince = null;
    this.options.logger.info(
      { path: this.options.path, fullForMs: since === null ? null : this.options.clock.now() - since },
      'store: disk space is back; writes no longer drop events to make room',
    );
  }

  /** Folds the WAL into the database and truncates it, giving its space back; false if that failed. */
  checkpoint(): boolean {
    if (this.options.path === MEMORY) return false;
    try {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return result?.busy === 0;
    } catch (error) {
      this.noteError(error);
      return false;
    }
  }

  /** Spends the headroom (for purchases and alarms); true if there was some to spend. */
  releaseReserve(): boolean {
    if (!this.reserved || this.reservePath === null) return false;
    rmSync(this.reservePath, { force: true });
    this.reserved = false;
    this.options.logger.warn(
      { path: this.reservePath, bytes: this.options.reserveBytes },
      'store: disk full; released the space reserved for purchases and alarms',
    );
    return true;
  }

  health(): DiskHealth {
    return {
      diskFull: this.diskFull,
      diskFullSince: this.fullSince,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
      reserveBytes: this.reservePath === null ? 0 : this.options.reserveBytes,
      reserveAvailable: this.reserved,
      freeBytes: this.reportedFreeBytes(),
    };
  }

  private reportedFreeBytes(): number | null {
    const seen = this.lastFree;
    const now = this.options.clock.now();
    const fresh = seen !== undefined && now >= seen.at && now - seen.at < REPORTED_FREE_BYTES_MAX_AGE_MS;
    return fresh && !this.diskFull ? seen.bytes : this.freeBytes();
  }

  private enter(reason: string): void {
    if (this.fullSince !== null) return;
    this.fullSince = this.options.clock.now();
    this.options.logger.warn(
      { path: this.options.path, reason, reserveAvailable: this.reserved },
      'store: disk full; dropping the oldest low-value events to make room, purchases and alarms are kept ' +
        '(logged once until space is back)',
    );
  }

  private freeBytes(): number | null {
    if (this.options.path === MEMORY) return null;
    let bytes: number | null;
    try {
      const stats = statfsSync(dirname(this.options.path));
      bytes = stats.bavail * stats.bsize;
    } catch {
      bytes = null;
    }
    this.lastFree = { at: this.options.clock.now(), bytes };
    return bytes;
  }

  /**
   * How much the database can still grow: the filesystem's free space, and SQLite's own
   * `max_page_count` if someone set one (it fails with the same SQLITE_FULL).
   */
  private roomBytes(): number {
    const [limit, pages] = [
      this.db.pragma('max_page_count', { simple: true }),
      this.db.pragma('page_count', { simple: true }),
    ] as number[];
    const pageRoom = ((limit ?? 0) - (pages ?? 0)) * this.pageSize;
    return Math.min(this.freeBytes() ?? Number.POSITIVE_INFINITY, pageRoom);
  }

  /**
   * Writes the reserve file unless it is there at the right size. At open a failure is only a
   * warning (the store works without headroom); later it is retried after each commit, but only
   * once the filesystem has room for it and a margin, so that it never takes the last free bytes.
   */
  private createReserve(atOpen: boolean): boolean {
    const path = this.reservePath;
    if (path === null) return false;
    const size = this.options.reserveBytes;
    if (statSync(path, { throwIfNoEntry: false })?.size === size) return true;
    const free = this.freeBytes();
    if (!atOpen && free !== null && free < size + 2 * this.lowWater) return false;
    let fd: number | undefined;
    try {
      fd = openSync(path, 'w', 0o600);
      const chunk = randomBytes(Math.min(size, 64 * 1024));
      for (let written = 0; written < size; ) {
        written += writeSync(fd, chunk, 0, Math.min(chunk.length, size - written));
      }
      fsyncSync(fd);
      closeSync(fd);
      if (!atOpen)
        this.options.logger.info({ path, bytes: size }, 'store: reserve for purchases and alarms restored');
      return true;
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      rmSync(path, { force: true });
      this.options.logger.warn(
        { path, bytes: size, code: errorCode(error) },
        'store: cannot reserve disk space for purchases and alarms; running without headroom until there is room',
      );
      return false;
    }
  }
}
