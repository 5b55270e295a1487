export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs: number;
  /** Ceiling of the exponential growth. */
  maxMs: number;
  /**
   * Fraction of each delay that is random, 0..1: with 0.5 a nominal 8 s becomes 4..8 s. Hundreds of
   * gateways lose the same broker at the same moment; without jitter they would all come back in
   * the same millisecond, every time.
   */
  jitter: number;
  /** A connection that lasted this long resets the delay to `initialMs`. */
  stableAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: 500,
  maxMs: 30_000,
  jitter: 0.5,
  stableAfterMs: 10_000,
};

/** Exponential backoff with jitter. Pure: randomness is injected, time is passed in. */
export class Backoff {
  private attempt = 0;
  private readonly options: BackoffOptions;
  private readonly random: () => number;

  constructor(options: Partial<BackoffOptions> = {}, random: () => number = Math.random) {
    const merged = { ...DEFAULT_BACKOFF, ...options };
    if (!(merged.initialMs > 0) || !(merged.maxMs >= merged.initialMs))
      throw new RangeError(
        `backoff needs 0 < initialMs <= maxMs, got ${merged.initialMs} and ${merged.maxMs}`,
      );
    if (!(merged.jitter >= 0 && merged.jitter <= 1))
      throw new RangeError(`backoff jitter must be within 0..1, got ${merged.jitter}`);
    if (!(merged.stableAfterMs >= 0))
      throw new RangeError(`backoff stableAfterMs must be >= 0, got ${merged.stableAfterMs}`);
    this.options = merged;
    this.random = random;
  }

  /** The delay before the next attempt; each call grows the nominal delay (doubling, capped). */
  next(): number {
    const { initialMs, maxMs, jitter } = this.options;
    // 2 ** 30 already exceeds any sane maxMs; capping the exponent keeps the number finite.
    const nominal = Math.min(maxMs, initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(nominal * (1 - jitter * this.random()));
  }

  /** A connection ended after lasting `connectedForMs`: a stable one starts the sequence over. */
  connectionEnded(connectedForMs: number): void {
    if (connectedForMs >= this.options.stableAfterMs) this.reset();
  }

  reset(): void {
    this.attempt = 0;
  }

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }
}
