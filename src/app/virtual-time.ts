import type { VirtualClock } from '../shared/clock.js';

/** A turn of the event loop: every promise that can settle without time passing has settled. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Moves a virtual clock as a run's time would pass: one due timer at a time, letting the commands
 * a timer or a chunk set off (a lock written after a settle; a replay's devices take writes at once)
 * finish before time moves on, so that their events carry the time they would have had in a run.
 */
export class VirtualTime {
  constructor(
    readonly clock: VirtualClock,
    private readonly work: { readonly commandsInFlight: number },
  ) {}

  async advanceTo(target: number): Promise<void> {
    for (;;) {
      const next = this.clock.nextTimerAt({ background: true });
      if (next === undefined || next > target) break;
      this.clock.advanceTo(next);
      await this.settle();
    }
    this.clock.advanceTo(target);
  }

  /** Lets the commands in flight finish what they can without time passing. */
  async settle(): Promise<void> {
    if (this.work.commandsInFlight > 0) await nextTurn();
  }

  /**
   * Waits for `work` (a controller stopping), letting virtual time pass as it waits: a relay board's
   * last frame waits out its gap on the clock, which nothing else would move. Time jumps from timer
   * to timer only while nothing else can happen; no timer left means `work` waits on real I/O.
   */
  async during<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const result = work.finally(() => {
      done = true;
    });
    // As long as a write may take (writeTimeoutMs is at most a minute): not the hourly chores.
    const horizon = this.clock.now() + 60_000;
    while (!done) {
      await nextTurn();
      if (done) break;
      const next = this.clock.nextTimerAt({ background: true });
      if (next !== undefined && next <= horizon) this.clock.advanceTo(next);
      // Waiting on the network or a disk: real time, without spinning.
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return result;
  }
}
