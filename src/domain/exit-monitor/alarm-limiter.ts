/** Tags remembered at most; past it the oldest is forgotten (it may then alarm again early). */
export const DEFAULT_LIMITER_CAPACITY = 10_000;

/**
 * At most one alarm per tag per `intervalMs`. A tag carried back and forth through the door, or read
 * on and off at the threshold, moves many times; the shop wants to hear about it once.
 *
 * Memory is bounded: entries older than the interval are dropped as new ones come (a Map keeps
 * insertion order and an entry is re-inserted when it fires, so the oldest are first), and the
 * table never holds more than `capacity` tags.
 */
export class AlarmLimiter {
  private readonly lastFired = new Map<string, number>();
  private suppressedCount = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly capacity = DEFAULT_LIMITER_CAPACITY,
  ) {
    if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
      throw new RangeError(`alarm interval must be > 0 ms, got ${intervalMs}`);
    }
    if (!(Number.isInteger(capacity) && capacity > 0)) {
      throw new RangeError(`limiter capacity must be a positive integer, got ${capacity}`);
    }
  }

  /** Whether `tag` may alarm at `nowMs`; a refusal is counted as suppressed. Does not record. */
  allows(tag: string, nowMs: number): boolean {
    const last = this.lastFired.get(tag);
    if (last !== undefined && nowMs - last < this.intervalMs) {
      this.suppressedCount += 1;
      return false;
    }
    return true;
  }

  /** The alarm went out: the interval starts now. Separate from `allows` so a failed alarm does not count. */
  fired(tag: string, nowMs: number): void {
    this.lastFired.delete(tag);
    this.lastFired.set(tag, nowMs);
    this.prune(nowMs);
  }

  /** Repeats refused since the start. */
  get suppressed(): number {
    return this.suppressedCount;
  }

  /** Tags remembered now. */
  get size(): number {
    return this.lastFired.size;
  }

  private prune(nowMs: number): void {
    for (const [tag, at] of this.lastFired) {
      if (nowMs - at < this.intervalMs && this.lastFired.size <= this.capacity) break;
      this.lastFired.delete(tag);
    }
  }
}
