import type { Logger } from '../observability/logger.js';
import type { OutboxError } from './errors.js';
import type { OutboxBuffer } from './outbox-buffer.js';

const FULL_DISK_RETRY_MS = 1000;

/**
 * The outbox while its commits fail (a full disk, mostly): events pile up in memory, so the memory
 * bound applies, with one warning per episode; and after a failure on a full disk an ordinary
 * commit is retried at most once a second.
 */
export class FailingCommits {
  private failingNow = false;
  private overMemory = false;
  /** The last commit failed on a full disk: retried at most once a second unless a critical event waits. */
  private lastFailure: { at: number; error: OutboxError } | undefined;

  constructor(
    private readonly buffer: OutboxBuffer,
    private readonly maxBuffered: number,
    private readonly logger: Logger,
    private readonly path: string,
  ) {}

  /** The last commit failed: events pile up in memory, so the memory bound applies. */
  get failing(): boolean {
    return this.failingNow;
  }

  /** Before a commit at `now`: throws the last full-disk error while a retry would come too soon. */
  throttle(now: number, urgent: boolean): void {
    const last = this.lastFailure;
    if (last !== undefined && !urgent && now - last.at < FULL_DISK_RETRY_MS) {
      // Every attempt on a full disk writes the WAL up to ENOSPC; a tick-by-tick retry only churns.
      this.bound();
      throw last.error;
    }
  }

  /** A commit of the outbox's own failed at `now`. */
  failed(error: OutboxError, now: number): void {
    this.failingNow = true;
    this.bound();
    this.lastFailure = error.diskFull ? { at: now, error } : undefined;
  }

  /** A commit of the outbox's own went through: the next one need not wait. */
  succeeded(): void {
    this.lastFailure = undefined;
  }

  /** A store transaction failed on a full disk; the bound waits for the transaction's end. */
  failedInTransaction(): void {
    this.failingNow = true;
  }

  /** The buffer was written; `diskFull`: the disk is still short (the episode goes on). */
  written(diskFull: boolean): void {
    this.failingNow = false;
    // One warning per disk-full episode, even if a purchase gets through in between.
    if (!diskFull) this.overMemory = false;
  }

  bound(): void {
    const dropped = this.buffer.bound(this.maxBuffered);
    if (dropped > 0 && !this.overMemory) {
      this.logger.warn(
        { maxBufferedEvents: this.maxBuffered, dropped, path: this.path },
        'outbox: commits are failing and events pile up in memory; dropping the oldest low-value ones (purchases and alarms are kept)',
      );
      this.overMemory = true;
    }
  }
}
