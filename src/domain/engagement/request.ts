import { z } from 'zod';
import type { EngagementStore } from './engagement-store.js';
import { byProduct, type DailyFigure, type Figures, type ProductFigures, totalsOf } from './figures.js';
import { daysBetween } from './store-day.js';

/** The longest range one request may ask for: a year, leap day included. */
export const MAX_RANGE_DAYS = 366;
/** Day × product rows in one answer at most: a bigger one is refused, with how to narrow it. */
export const MAX_ANSWER_ROWS = 10_000;

// Only the format's message: a missing or mistyped field keeps the router's shorter wording.
const day = z.iso.date({
  error: (issue) => (issue.code === 'invalid_format' ? 'expected a store day YYYY-MM-DD' : undefined),
});

/** Fields of `engagement/get` (the router adds `transaction` and `expiresAt`). */
export const engagementRequestFields = {
  'engagement/get': {
    from: day,
    to: day,
    sku: z.string().min(1, 'must not be empty').max(64, 'at most 64 characters').optional(),
  },
} as const;

export type EngagementRequest = { from: string; to: string; sku?: string | undefined };

export interface EngagementAnswer {
  from: string;
  to: string;
  timeZone: string;
  sku?: string;
  /** Days with figures, oldest first; a day without any pick-up is absent. */
  days: Array<{ day: string; products: ProductFigures[]; totals: Figures }>;
  /** Each product over the whole range. */
  products: ProductFigures[];
  totals: Figures;
}

/** Answers `engagement/get`; a range the schema cannot judge alone is refused with a field named. */
export function answerEngagement(
  rows: EngagementStore,
  timeZone: string,
  request: EngagementRequest,
): EngagementAnswer {
  const { from, to, sku } = request;
  const span = daysBetween(from, to) + 1;
  if (span < 1) throw new Error(`to: must not be before from (from ${from}, to ${to})`);
  if (span > MAX_RANGE_DAYS) {
    throw new Error(`to: the range is ${span} days, at most ${MAX_RANGE_DAYS} (from ${from}, to ${to})`);
  }
  const count = rows.countDays(from, to, sku);
  if (count > MAX_ANSWER_ROWS) {
    throw new Error(
      `the range holds ${count} day and product rows, at most ${MAX_ANSWER_ROWS} in one answer; ` +
        'ask for fewer days or one sku',
    );
  }
  const figures = rows.days(from, to, sku);
  return {
    from,
    to,
    timeZone,
    ...(sku === undefined ? {} : { sku }),
    days: groupByDay(figures),
    products: byProduct(figures),
    totals: totalsOf(figures),
  };
}

function groupByDay(figures: readonly DailyFigure[]): EngagementAnswer['days'] {
  const days = new Map<string, DailyFigure[]>();
  for (const figure of figures) {
    const list = days.get(figure.day);
    if (list) list.push(figure);
    else days.set(figure.day, [figure]);
  }
  return [...days].map(([day, list]) => ({
    day,
    products: list.map(({ day: _day, ...product }) => product),
    totals: totalsOf(list),
  }));
}
