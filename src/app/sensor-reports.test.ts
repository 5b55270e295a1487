import { describe, expect, it } from 'vitest';
import { SensorReports } from './sensor-reports.js';

describe('SensorReports', () => {
  it('reports a changed value once, never a repeat, never the heartbeat', () => {
    const reports = new SensorReports();
    expect(['closed', 'closed', 'open', 'open'].map((value) => reports.report('door', value))).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect(reports.report('heartbeat', 1)).toBe(false);
  });

  it("reports a scale's channel only when it moved at least its minimum from the value last reported", () => {
    const reports = new SensorReports({ weight: 20 });
    const weights = [1000, 1004.2, 995.1, 1019.9, 1020, 1030, 1041];
    // 1020 is 20 from 1000: reported; 1030 is 10 from 1020: not; 1041 is 21: reported.
    expect(weights.map((grams) => reports.report('weight', grams))).toEqual([
      true,
      false,
      false,
      false,
      true,
      false,
      true,
    ]);
    // Other channels of the same device are reported on any change.
    expect(reports.report('door', 'open')).toBe(true);
  });
});
