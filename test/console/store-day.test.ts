import { describe, expect, it } from 'vitest';
import { addDays, dayOf, dayRange, daysFrom } from '../../src/integrations/http/console/web/store-day.js';

// Each expected instant worked out by hand from the zone's rules (offsets and summer-time dates).
// A row: the day, the store's zone, and the instants (UTC) its day runs from and to.
type DayRow = readonly [day: string, zone: string, from: string, to: string];

const WALL_CLOCK_DAYS: readonly DayRow[] = [
  // Taipei: UTC+8 all year.
  ['2026-12-07', 'Asia/Taipei', '2026-12-06T16:00:00.000Z', '2026-12-07T16:00:00.000Z'],
  // Berlin: summer time begins 2026-03-29 at 02:00 (UTC+1 → UTC+2): a 23-hour day.
  ['2026-03-29', 'Europe/Berlin', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
  // New York: summer time ends 2026-11-01 at 02:00 (UTC−4 → UTC−5): a 25-hour day.
  ['2026-11-01', 'America/New_York', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z'],
  ['2026-12-31', 'UTC', '2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
];

const MIDNIGHT_SKIPPED_DAYS: readonly DayRow[] = [
  // Santiago: 2026-09-06 at 00:00 (UTC−4) the clocks go to 01:00 (UTC−3): the day begins at
  // 01:00 −03:00 = 04:00Z (03:00Z would be 23:00 on the 5th) and ends at midnight −03:00.
  ['2026-09-06', 'America/Santiago', '2026-09-06T04:00:00.000Z', '2026-09-07T03:00:00.000Z'],
  // The day before ends where it begins: a whole 24 hours at −04:00.
  ['2026-09-05', 'America/Santiago', '2026-09-05T04:00:00.000Z', '2026-09-06T04:00:00.000Z'],
  // Havana: 2026-03-08 at 00:00 (UTC−5) to 01:00 (UTC−4): 01:00 −04:00 = 05:00Z, to midnight −04:00.
  ['2026-03-08', 'America/Havana', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z'],
  // Beirut: 2026-03-29 at 00:00 (UTC+2) to 01:00 (UTC+3): 01:00 +03:00 = 22:00Z on the 28th.
  ['2026-03-29', 'Asia/Beirut', '2026-03-28T22:00:00.000Z', '2026-03-29T21:00:00.000Z'],
  // Beirut goes back at midnight on 2026-10-25 (00:00 +03:00 → 23:00 +02:00 on the 24th): a
  // 25-hour 24th, and the 25th begins at the midnight that comes after the repeated hour.
  ['2026-10-24', 'Asia/Beirut', '2026-10-23T21:00:00.000Z', '2026-10-24T22:00:00.000Z'],
];

describe("the console's store days", () => {
  describe('the instants of a day on the store’s wall clock, summer time changes included', () => {
    it.each(WALL_CLOCK_DAYS)('%s in %s: from %s to %s', (day, zone, from, to) => {
      expect(dayRange(day, zone)).toEqual({ from, to });
    });
  });

  describe('a day begins at the jump where the clocks skip midnight', () => {
    it.each(MIDNIGHT_SKIPPED_DAYS)('%s in %s: from %s to %s', (day, zone, from, to) => {
      expect(dayRange(day, zone)).toEqual({ from, to });
    });
  });

  it('adds whole calendar days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysFrom('2026-02-27', '2026-03-01')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
  });

  it('names the store day of an instant', () => {
    expect(dayOf(Date.parse('2026-12-06T16:30:00Z'), 'Asia/Taipei')).toBe('2026-12-07');
    expect(dayOf(Date.parse('2026-12-06T16:30:00Z'), 'America/New_York')).toBe('2026-12-06');
  });
});
