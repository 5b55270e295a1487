import type { Clock, TimerHandle } from '../../shared/clock.js';

/** Every UTC quarter hour is a possible local midnight (offsets are whole quarter hours). */
const DAY_CHECK_MS = 900_000;

/**
 * One timer at the earliest time asked for, never sooner than `minIntervalMs` from now: windows are
 * checked against event times, so the sweep only frees memory and need not be prompt.
 */
export class SweepTimer {
  private timer: TimerHandle | undefined;
  private at = Number.POSITIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly minIntervalMs: number,
    /** Runs the sweep; returns when the next one is due, if any. Must not throw. */
    private readonly sweep: () => number | undefined,
  ) {}

  /** A sweep after `dueMs`, unless one is already set no later. */
  armAfter(dueMs: number): void {
    const { clock } = this;
    const at = Math.max(dueMs + 1, clock.now() + this.minIntervalMs);
    if (this.timer && this.at <= at) return;
    if (this.timer) clock.clearTimeout(this.timer);
    this.at = at;
    this.timer = clock.setTimeout(() => {
      this.timer = undefined;
      this.at = Number.POSITIVE_INFINITY;
      const next = this.sweep();
      if (next !== undefined) this.armAfter(next);
    }, at - clock.now());
  }

  cancel(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.at = Number.POSITIVE_INFINITY;
  }
}

/** Calls `tick` at every UTC quarter hour: a store day starts on one, whatever the time zone. */
export class QuarterHours {
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    /** Must not throw. */
    private readonly tick: () => void,
  ) {}

  start(): void {
    const now = this.clock.now();
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.tick();
        this.start();
      },
      DAY_CHECK_MS - (now % DAY_CHECK_MS),
      { background: true },
    );
  }

  cancel(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
