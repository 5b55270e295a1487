/**
 * Store days in the browser: a calendar date on the shop's wall clock, in its IANA time zone (the
 * browser's own when the gateway names none). Offsets change with summer time, so the start of a
 * day is asked of Intl, never computed by adding a fixed offset.
 */

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offsetAt(epochMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(epochMs);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return wall - Math.floor(epochMs / 1000) * 1000;
}

/** The instant a store day begins. */
export function startOfDay(day: string, timeZone: string | undefined): number {
  const match = DAY.exec(day);
  if (!match) throw new RangeError(`not a day YYYY-MM-DD: ${day}`);
  const [year, month, date] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  if (timeZone === undefined) return new Date(year, month, date).getTime();
  const midnightUtc = Date.UTC(year, month, date);
  // Twice: the offset at the guess may differ from the offset at the true start (a change that night).
  const guess = midnightUtc - offsetAt(midnightUtc, timeZone);
  return midnightUtc - offsetAt(guess, timeZone);
}

/** The store day after `day`. */
export function nextDay(day: string): string {
  const start = Date.parse(`${day}T00:00:00Z`);
  return new Date(start + 86_400_000).toISOString().slice(0, 10);
}

/** The store day of an instant. */
export function dayOf(epochMs: number, timeZone: string | undefined): string {
  const format = new Intl.DateTimeFormat('en-CA', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    ...(timeZone ? { timeZone } : {}),
  });
  return format.format(epochMs);
}

/** The instants [from, to) of a store day, as `sessions/get` takes them. */
export function dayRange(day: string, timeZone: string | undefined): { from: string; to: string } {
  return {
    from: new Date(startOfDay(day, timeZone)).toISOString(),
    to: new Date(startOfDay(nextDay(day), timeZone)).toISOString(),
  };
}
