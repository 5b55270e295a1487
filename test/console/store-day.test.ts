import { describe, expect, it } from 'vitest';
import { dayOf, dayRange } from '../../src/integrations/http/console/web/store-day.js';

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

  it('names the store day of an instant', () => {
    expect(dayOf(Date.parse('2026-12-06T16:30:00Z'), 'Asia/Taipei')).toBe('2026-12-07');
    expect(dayOf(Date.parse('2026-12-06T16:30:00Z'), 'America/New_York')).toBe('2026-12-06');
  });
});
