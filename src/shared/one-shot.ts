import type { Clock, TimerHandle } from './clock.js';

/** One pending callback on the clock at a time: setting it again replaces the one waiting. */
export class OneShot {
  private handle: TimerHandle | undefined;

  constructor(private readonly clock: Clock) {}

  set(delayMs: number, callback: () => void): void {
    this.clear();
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      callback();
    }, delayMs);
  }

  clear(): void {
    if (this.handle) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }
}
