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
}
