/**
 * At most `count` firings per sliding `perMs`, for the rule as a whole (key '') or per tag. Per-tag
 * windows are dropped once they are empty, and their number is capped, so a flood of distinct tags
 * cannot grow memory: past the cap the oldest key goes (it may fire again, the safe direction for
 * an alarm).
 */
export class RateLimit {
  private readonly windows = new Map<string, number[]>();

  constructor(
    private readonly count: number,
    private readonly perMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes a slot at `nowMs` if one is free; false = suppressed. */
  take(key: string, nowMs: number): boolean {
    const since = nowMs - this.perMs;
    const window = (this.windows.get(key) ?? []).filter((at) => at > since);
    if (window.length >= this.count) {
      this.windows.set(key, window);
      return false;
    }
    window.push(nowMs);
    // Re-inserted, so that Map order is last use and the first key is the one to drop.
    this.windows.delete(key);
    this.windows.set(key, window);
    if (this.windows.size > this.maxKeys) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    return true;
  }
}
