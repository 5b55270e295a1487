import type { VirtualClock } from '../shared/clock.js';

/** A turn of the event loop: every promise that can settle without time passing has settled. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Moves a virtual clock as a run's time would pass: one timer at a time, with a turn of the event
 * loop after each, so that what a timer set off (a lock written after a settle, a relay's next frame
 * after its gap; a replay's devices take writes at once) finishes before time moves on, and its
 * events carry the time and the order they would have had in a run.
 */
export class VirtualTime {
  constructor(
    readonly clock: VirtualClock,
    private readonly work: { readonly commandsInFlight: number },
  ) {}

  async advanceTo(target: number): Promise<void> {
    while (this.clock.fireNext(target)) await nextTurn();
    this.clock.advanceTo(target);
  }

  /** After bytes came in: lets the commands they set off finish what they can without time passing. */
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
      // Waiting on the network or a disk when no timer is due: real time, without spinning.
      if (!this.clock.fireNext(horizon)) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return result;
  }
}
