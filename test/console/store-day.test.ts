import { describe, expect, it } from 'vitest';
import { addDays, dayOf, dayRange, daysFrom } from '../../src/integrations/http/console/web/store-day.js';

// Each expected instant worked out by hand from the zone's rules (offsets and summer-time dates).
describe("the console's store days", () => {
  it('gives the instants of a day on the store’s wall clock, summer time changes included', () => {
    // Taipei: UTC+8 all year.
    expect(dayRange('2026-12-07', 'Asia/Taipei')).toEqual({
      from: '2026-12-06T16:00:00.000Z',
      to: '2026-12-07T16:00:00.000Z',
    });
    // Berlin: summer time begins 2026-03-29 at 02:00 (UTC+1 → UTC+2): a 23-hour day.
    expect(dayRange('2026-03-29', 'Europe/Berlin')).toEqual({
      from: '2026-03-28T23:00:00.000Z',
      to: '2026-03-29T22:00:00.000Z',
    });
    // New York: summer time ends 2026-11-01 at 02:00 (UTC−4 → UTC−5): a 25-hour day.
    expect(dayRange('2026-11-01', 'America/New_York')).toEqual({
      from: '2026-11-01T04:00:00.000Z',
      to: '2026-11-02T05:00:00.000Z',
    });
    expect(dayRange('2026-12-31', 'UTC')).toEqual({
      from: '2026-12-31T00:00:00.000Z',
      to: '2027-01-01T00:00:00.000Z',
    });
  });

  it('begins a day at the jump where the clocks skip midnight', () => {
    // Santiago: 2026-09-06 at 00:00 (UTC−4) the clocks go to 01:00 (UTC−3): the day begins at
    // 01:00 −03:00 = 04:00Z (03:00Z would be 23:00 on the 5th) and ends at midnight −03:00.
    expect(dayRange('2026-09-06', 'America/Santiago')).toEqual({
      from: '2026-09-06T04:00:00.000Z',
      to: '2026-09-07T03:00:00.000Z',
    });
    // The day before ends where it begins: a whole 24 hours at −04:00.
    expect(dayRange('2026-09-05', 'America/Santiago')).toEqual({
      from: '2026-09-05T04:00:00.000Z',
      to: '2026-09-06T04:00:00.000Z',
    });
    // Havana: 2026-03-08 at 00:00 (UTC−5) to 01:00 (UTC−4): 01:00 −04:00 = 05:00Z, to midnight −04:00.
    expect(dayRange('2026-03-08', 'America/Havana')).toEqual({
      from: '2026-03-08T05:00:00.000Z',
      to: '2026-03-09T04:00:00.000Z',
    });
    // Beirut: 2026-03-29 at 00:00 (UTC+2) to 01:00 (UTC+3): 01:00 +03:00 = 22:00Z on the 28th.
    expect(dayRange('2026-03-29', 'Asia/Beirut')).toEqual({
      from: '2026-03-28T22:00:00.000Z',
      to: '2026-03-29T21:00:00.000Z',
    });
    // Beirut goes back at midnight on 2026-10-25 (00:00 +03:00 → 23:00 +02:00 on the 24th): a
    // 25-hour 24th, and the 25th begins at the midnight that comes after the repeated hour.
    expect(dayRange('2026-10-24', 'Asia/Beirut')).toEqual({
      from: '2026-10-23T21:00:00.000Z',
      to: '2026-10-24T22:00:00.000Z',
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
