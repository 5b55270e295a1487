import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, StoreDays } from './store-day.js';

const at = (iso: string) => Date.parse(iso);

describe('store days', () => {
  it('turns at local midnight in Berlin, in winter and across both DST changes', () => {
    const berlin = new StoreDays('Europe/Berlin');
    // CET (+1): midnight of the 23rd is 23:00 UTC on the 22nd.
    expect(berlin.dayOf(at('2026-11-22T22:59:59.999Z'))).toBe('2026-11-22');
    expect(berlin.dayOf(at('2026-11-22T23:00:00.000Z'))).toBe('2026-11-23');
    // 29 March 2026 has 23 hours: it starts at 23:00 UTC (CET) and ends at 22:00 UTC (CEST).
    expect(berlin.dayOf(at('2026-03-28T22:59:59.999Z'))).toBe('2026-03-28');
    expect(berlin.dayOf(at('2026-03-28T23:00:00.000Z'))).toBe('2026-03-29');
    expect(berlin.dayOf(at('2026-03-29T21:59:59.999Z'))).toBe('2026-03-29');
    expect(berlin.dayOf(at('2026-03-29T22:00:00.000Z'))).toBe('2026-03-30');
    // 25 October 2026 has 25 hours: 22:00 UTC (CEST) to 23:00 UTC (CET).
    expect(berlin.dayOf(at('2026-10-24T22:00:00.000Z'))).toBe('2026-10-25');
    expect(berlin.dayOf(at('2026-10-25T22:59:59.999Z'))).toBe('2026-10-25');
    expect(berlin.dayOf(at('2026-10-25T23:00:00.000Z'))).toBe('2026-10-26');
  });

  it('follows offsets west of UTC, in half hours and across the date line', () => {
    expect(new StoreDays('America/New_York').dayOf(at('2026-11-22T04:59:59.999Z'))).toBe('2026-11-21');
    expect(new StoreDays('America/New_York').dayOf(at('2026-11-22T05:00:00.000Z'))).toBe('2026-11-22');
    expect(new StoreDays('Asia/Kolkata').dayOf(at('2026-11-21T18:29:59.999Z'))).toBe('2026-11-21');
    expect(new StoreDays('Asia/Kolkata').dayOf(at('2026-11-21T18:30:00.000Z'))).toBe('2026-11-22');
    expect(new StoreDays('Pacific/Kiritimati').dayOf(at('2026-11-21T10:00:00.000Z'))).toBe('2026-11-22');
    expect(new StoreDays('UTC').dayOf(at('2026-11-21T23:59:59.999Z'))).toBe('2026-11-21');
  });

  it('refuses a time zone Intl does not know', () => {
    expect(() => new StoreDays('Mars/Olympus_Mons')).toThrow(RangeError);
  });

  it('adds calendar days over month, year and leap-day boundaries', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-11-22', -399)).toBe('2025-10-19');
    expect(daysBetween('2026-01-01', '2026-12-31')).toBe(364);
    expect(daysBetween('2028-01-01', '2028-12-31')).toBe(365);
    expect(daysBetween('2026-11-23', '2026-11-22')).toBe(-1);
    expect(() => addDays('22.11.2026', 1)).toThrow(/YYYY-MM-DD/);
  });
});
