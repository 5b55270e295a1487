/**
 * Store days: the calendar date (`YYYY-MM-DD`) on the shop's wall clock in its IANA time zone. Offsets
 * change twice a year and differ by place, so the date is always asked of Intl, never computed by
 * adding an offset.
 */

const DAY_MS = 86_400_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export class StoreDays {
  private readonly format: Intl.DateTimeFormat;

  /** Throws a RangeError for a time zone Intl does not know (the config schema checks it first). */
  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      calendar: 'gregory',
      numberingSystem: 'latn',
    });
  }

  /** The store day of an instant. */
  dayOf(epochMs: number): string {
    let year = '';
    let month = '';
    let day = '';
    for (const part of this.format.formatToParts(epochMs)) {
      if (part.type === 'year') year = part.value;
      else if (part.type === 'month') month = part.value;
      else if (part.type === 'day') day = part.value;
    }
    return `${year.padStart(4, '0')}-${month}-${day}`;
  }
}

/**
 * Calendar arithmetic on day labels: a date plus whole days is the same in every time zone, so UTC is
 * only the carrier here, not an offset.
 */
export function addDays(day: string, days: number): string {
  return new Date(dayNumber(day) * DAY_MS + days * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

function dayNumber(day: string): number {
  const match = DAY.exec(day);
  if (!match) throw new RangeError(`not a day YYYY-MM-DD: ${JSON.stringify(day)}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / DAY_MS;
}
