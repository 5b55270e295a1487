/**
 * Store days (`YYYY-MM-DD` on the shop's wall clock), as the gateway counts its engagement figures
 * (src/domain/engagement/store-day.ts): the date is asked of Intl in the store's zone, and whole days
 * are added on the calendar, where UTC only carries the date.
 */

const DAY_MS = 86_400_000;

/** The store day of an instant in `timeZone`. */
export function storeDay(epochMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    calendar: 'gregory',
    numberingSystem: 'latn',
  }).formatToParts(epochMs);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((entry) => entry.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included (none when `to` is earlier; at most `limit`). */
export function daysFrom(from: string, to: string, limit = 366): string[] {
  const days: string[] = [];
  for (let day = from; day <= to && days.length < limit; day = addDays(day, 1)) days.push(day);
  return days;
}

/** A store day as the reader's language writes it, with its weekday (the date alone: no zone). */
export function formatDay(day: string, language: string, style: 'short' | 'long' = 'long'): string {
  const options: Intl.DateTimeFormatOptions =
    style === 'long'
      ? { timeZone: 'UTC', weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' }
      : { timeZone: 'UTC', month: 'numeric', day: 'numeric' };
  return new Intl.DateTimeFormat(language, options).format(Date.parse(`${day}T00:00:00Z`));
}
