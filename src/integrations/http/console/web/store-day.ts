/**
 * Store days in the browser: a calendar date (`YYYY-MM-DD`) on the shop's wall clock, in its IANA
 * time zone (the browser's own when the gateway names none), as the gateway counts its engagement
 * figures (src/domain/engagement/store-day.ts). Offsets change with summer time, so the start of a
 * day is asked of Intl, never computed by adding a fixed offset; whole days are added on the
 * calendar, where UTC only carries the date.
 */

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
const SECOND_MS = 1000;

/** Formatters are costly to make and a page asks for many dates: one per zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      ...(timeZone ? { timeZone } : {}),
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      calendar: 'gregory',
      numberingSystem: 'latn',
    });
    formatters.set(key, format);
  }
  return format;
}

/** The zone's wall clock at an instant, as numbers. */
function wallAt(epochMs: number, timeZone: string | undefined) {
  const parts = wallClock(timeZone).formatToParts(epochMs);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offsetAt(epochMs: number, timeZone: string): number {
  const wall = wallAt(epochMs, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(epochMs / SECOND_MS) * SECOND_MS;
}

/** The store day of an instant. */
export function dayOf(epochMs: number, timeZone: string | undefined): string {
  const wall = wallAt(epochMs, timeZone);
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(wall.year, 4)}-${pad(wall.month, 2)}-${pad(wall.day, 2)}`;
}

/**
 * The instant a store day begins: the earliest instant whose date is `day`. That is local midnight
 * when the zone has one that night; where the clocks go forward at midnight (Santiago, Havana, Beirut)
 * there is none, and the day begins when the clocks jump, at 01:00.
 */
export function startOfDay(day: string, timeZone: string | undefined): number {
  const match = DAY.exec(day);
  if (!match) throw new RangeError(`not a day YYYY-MM-DD: ${day}`);
  const [year, month, date] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  // The browser's own zone: Date moves a midnight that does not exist forward, to the jump.
  if (timeZone === undefined) return new Date(year, month, date).getTime();
  const midnightUtc = Date.UTC(year, month, date);
  // Midnight at the offsets either side of a change that night: one of them is the day's start,
  // unless the change skips midnight; then the start is the jump, between the two.
  const first = midnightUtc - offsetAt(midnightUtc, timeZone);
  const second = midnightUtc - offsetAt(first, timeZone);
  const candidates = [Math.min(first, second), Math.max(first, second)];
  let start = candidates.find((instant) => dayOf(instant, timeZone) === day);
  let before = candidates.filter((instant) => dayOf(instant, timeZone) < day).at(-1);
  if (start === undefined) {
    // Both fell on the day before: walk forward by the gap until the day has begun.
    const gap = Math.max(Math.abs(first - second), 3_600_000);
    let instant = candidates[1] as number;
    for (let step = 0; step < 48 && dayOf(instant, timeZone) < day; step++) {
      before = instant;
      instant += gap;
    }
    start = instant;
  }
  if (before === undefined || before > start) return start;
  // The jump itself, to the second: the earliest instant already on `day`.
  let [low, high] = [before, start];
  while (high - low > SECOND_MS) {
    const middle = low + Math.floor((high - low) / 2 / SECOND_MS) * SECOND_MS;
    if (dayOf(middle, timeZone) === day) high = middle;
    else low = middle;
  }
  return high;
}

/** The day `days` calendar days after `day` (before it when negative). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The instants [from, to) of a store day, as `sessions/get` takes them. */
export function dayRange(day: string, timeZone: string | undefined): { from: string; to: string } {
  return {
    from: new Date(startOfDay(day, timeZone)).toISOString(),
    to: new Date(startOfDay(addDays(day, 1), timeZone)).toISOString(),
  };
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
