import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { TodayPayload } from '../../shared/payloads.js';
import type { DailyFigure } from './figures.js';

export type { TodayPayload };

import { totalsOf } from './figures.js';

/** `<base>/engagement` is re-published at most this often while figures change. */
export const ENGAGEMENT_PUBLISH_MS = 5000;
/** Products listed in the retained message at most (the totals stay exact). */
export const MAX_RETAINED_PRODUCTS = 1000;

export function todayPayload(
  rows: readonly DailyFigure[],
  day: string,
  timeZone: string,
  nowMs: number,
): TodayPayload {
  let listed = rows.map(({ day: _day, ...product }) => product);
  if (listed.length > MAX_RETAINED_PRODUCTS) {
    listed = [...listed].sort((a, b) => b.pickedUp - a.pickedUp).slice(0, MAX_RETAINED_PRODUCTS);
    listed.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  }
  return {
    day,
    timeZone,
    ts: new Date(nowMs).toISOString(),
    products: listed,
    omitted: rows.length - listed.length,
    totals: totalsOf(rows),
  };
}

/**
 * Runs `publish` once `everyMs` after the first change since the last run: a busy shelf updates the
 * broker every few seconds, not on every pick-up.
 */
export class Coalescer {
  private timer: TimerHandle | undefined;
  private dirty = false;

  constructor(
    private readonly clock: Clock,
    private readonly everyMs: number,
    private readonly publish: () => void,
  ) {}

  changed(): void {
    this.dirty = true;
    this.timer ??= this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.everyMs);
  }

  /** Publishes now if anything changed since the last run. */
  flush(): void {
    if (this.dirty) this.publishNow();
  }

  publishNow(): void {
    this.dirty = false;
    this.publish();
  }

  cancel(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
