/** Milliseconds since the Unix epoch; fractions allowed (captures carry sub-millisecond times). */
export type EpochMs = number;

export interface TimerHandle {
  readonly id: number;
}

/**
 * The only source of time in the gateway. Real time in the service, virtual time in a replay,
 * so that the same capture and config always give the same events.
 */
export interface Clock {
  now(): EpochMs;
  /**
   * `background`: a periodic chore (a cycle count) that fires when time passes it but is no reason
   * for time to pass: a replay that runs its clock on after the capture stops when only such timers
   * are left (real time passes anyway).
   */
  setTimeout(callback: () => void, delayMs: number, options?: { background?: boolean }): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

const realTimers = new Map<number, NodeJS.Timeout>();
let nextRealTimerId = 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, delayMs) {
    const id = nextRealTimerId++;
    const timer = setTimeout(() => {
      realTimers.delete(id);
      callback();
    }, delayMs);
    realTimers.set(id, timer);
    return { id };
  },
  clearTimeout(handle) {
    clearTimeout(realTimers.get(handle.id));
    realTimers.delete(handle.id);
  },
};

interface PendingTimer {
  id: number;
  at: EpochMs;
  callback: () => void;
  background: boolean;
}

/**
 * Time that moves only when told to: a replay advances it to each chunk's timestamp, firing the
 * timers that fall due on the way in time order (ties in the order they were set).
 */
export class VirtualClock implements Clock {
  private current: EpochMs;
  private nextId = 1;
  private pending: PendingTimer[] = [];

  constructor(start: EpochMs) {
    this.current = start;
  }

  now(): EpochMs {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number, options?: { background?: boolean }): TimerHandle {
    const timer = {
      id: this.nextId++,
      at: this.current + Math.max(0, delayMs),
      callback,
      background: options?.background === true,
    };
    let index = this.pending.length;
    while (index > 0 && (this.pending[index - 1] as PendingTimer).at > timer.at) index--;
    this.pending.splice(index, 0, timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    const index = this.pending.findIndex((timer) => timer.id === handle.id);
    if (index >= 0) this.pending.splice(index, 1);
  }

  /** Moves time forward to `target`, firing every timer due at or before it. */
  advanceTo(target: EpochMs): void {
    for (;;) {
      const next = this.pending[0];
      if (next === undefined || next.at > target) break;
      this.pending.shift();
      if (next.at > this.current) this.current = next.at;
      next.callback();
    }
    if (target > this.current) this.current = target;
  }

  /**
   * Fires the earliest pending timer (moving time to it) and returns true, or returns false when no
   * timer is due by `target`. Timers its callback sets for the same instant wait for the next call,
   * so a driver may let promises settle between two timers, as real time would.
   */
  fireNext(target: EpochMs): boolean {
    const next = this.pending[0];
    if (next === undefined || next.at > target) return false;
    this.pending.shift();
    if (next.at > this.current) this.current = next.at;
    next.callback();
    return true;
  }

  /** Time of the earliest pending timer, if any; `background` ones only when asked. */
  nextTimerAt(options?: { background?: boolean }): EpochMs | undefined {
    if (options?.background === true) return this.pending[0]?.at;
    return this.pending.find((timer) => !timer.background)?.at;
  }
}
