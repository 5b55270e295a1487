/**
 * A cabinet's scale as the settle logic needs it: stable readings (the cabinet at rest, not the
 * door swinging or a hand on a shelf) and the scale's own noise, measured while nobody touches it.
 * Pure: samples and times are handed in.
 *
 * - Noise: the spread of consecutive idle samples. Differences cancel slow drift (temperature, creep)
 *   that is not noise between two readings a few seconds apart; the median absolute difference, ×1.4826
 *   (MAD → σ for a normal) and /√2 (a difference of two samples), ignores a bump now and then.
 * - Stable: every sample of the last `stableMs` within `band` of their median, with at least
 *   `minSamples` of them; the reading is that median. The band is 4σ + the scale's resolution, never
 *   below `minBandG`: tight enough that a customer's hand is not "stable", wide enough for the noise.
 */

export interface ScaleOptions {
  stableMs: number;
  minSamples: number;
  /** Floor of the stability band, and of σ (a perfectly quiet scale still rounds). */
  minBandG: number;
  /** Idle differences kept for the noise estimate. */
  noiseWindow: number;
}

export const DEFAULT_SCALE_OPTIONS: ScaleOptions = {
  stableMs: 600,
  minSamples: 4,
  minBandG: 2,
  noiseWindow: 256,
};

export interface StableReading {
  grams: number;
  /** The window's first and last sample. */
  fromMs: number;
  toMs: number;
}

const MAX_SAMPLES = 512;

export class ScaleMonitor {
  private readonly times = new Float64Array(MAX_SAMPLES);
  private readonly values = new Float64Array(MAX_SAMPLES);
  private head = 0;
  private count = 0;
  private readonly diffs: number[] = [];
  private lastIdle: number | undefined;
  /** The newest stable reading, kept until it is older than needed. */
  private lastStable: StableReading | undefined;

  constructor(private readonly options: ScaleOptions = DEFAULT_SCALE_OPTIONS) {}

  /** A sample; `idle` when the door is closed and no session runs (it then feeds the noise estimate). */
  sample(atMs: number, grams: number, idle: boolean): void {
    if (!Number.isFinite(grams)) return;
    this.times[this.head] = atMs;
    this.values[this.head] = grams;
    this.head = (this.head + 1) % MAX_SAMPLES;
    this.count = Math.min(MAX_SAMPLES, this.count + 1);
    if (idle && this.lastIdle !== undefined) {
      this.diffs.push(Math.abs(grams - this.lastIdle));
      if (this.diffs.length > this.options.noiseWindow) this.diffs.shift();
    }
    this.lastIdle = idle ? grams : undefined;
    const stable = this.stableNow();
    if (stable) this.lastStable = stable;
  }

  /** σ of one sample, from the idle samples so far; undefined before there are enough. */
  get noiseSdG(): number | undefined {
    if (this.diffs.length < 16) return undefined;
    const sorted = [...this.diffs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    return Math.max(this.options.minBandG / 4, (median * 1.4826) / Math.SQRT2);
  }

  /** The newest stable reading whose window ended at or before `atMs` (and after `notBeforeMs`). */
  stableBetween(notBeforeMs: number, atMs: number): StableReading | undefined {
    const stable = this.lastStable;
    if (!stable || stable.fromMs < notBeforeMs || stable.toMs > atMs) return this.scan(notBeforeMs, atMs);
    return stable;
  }

  /** Forgets everything (the scale went offline: its old samples say nothing of now). */
  reset(): void {
    this.count = 0;
    this.lastIdle = undefined;
    this.lastStable = undefined;
  }

  private band(): number {
    const sd = this.noiseSdG ?? this.options.minBandG / 4;
    return Math.max(this.options.minBandG, 4 * sd);
  }

  private stableNow(): StableReading | undefined {
    const newest = this.at(this.count - 1);
    return newest ? this.windowEndingAt(this.count - 1, newest.t - this.options.stableMs) : undefined;
  }

  /** The newest stable window lying entirely within [notBeforeMs, atMs]. */
  private scan(notBeforeMs: number, atMs: number): StableReading | undefined {
    for (let index = this.count - 1; index >= 0; index--) {
      const end = this.at(index);
      if (!end || end.t < notBeforeMs + this.options.stableMs) return undefined;
      if (end.t > atMs) continue;
      const window = this.windowEndingAt(index, end.t - this.options.stableMs);
      if (window && window.fromMs >= notBeforeMs) return window;
    }
    return undefined;
  }

  private windowEndingAt(last: number, fromMs: number): StableReading | undefined {
    const picked: number[] = [];
    let first = last;
    for (let index = last; index >= 0; index--) {
      const sample = this.at(index);
      if (!sample || sample.t < fromMs) break;
      picked.push(sample.g);
      first = index;
    }
    const start = this.at(first);
    const end = this.at(last);
    if (!start || !end || picked.length < this.options.minSamples) return undefined;
    if (end.t - start.t < this.options.stableMs * 0.75) return undefined;
    picked.sort((a, b) => a - b);
    const median = picked[Math.floor(picked.length / 2)] as number;
    const band = this.band();
    if ((picked[0] as number) < median - band || (picked[picked.length - 1] as number) > median + band) {
      return undefined;
    }
    return { grams: median, fromMs: start.t, toMs: end.t };
  }

  /** Sample `index` counted from the oldest kept. */
  private at(index: number): { t: number; g: number } | undefined {
    if (index < 0 || index >= this.count) return undefined;
    const slot = (this.head - this.count + index + MAX_SAMPLES) % MAX_SAMPLES;
    return { t: this.times[slot] as number, g: this.values[slot] as number };
  }
}
