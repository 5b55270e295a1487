import { describe, expect, it } from 'vitest';
import { MemoryCalibration, nextCalibration } from './search-calibration.js';

describe('search calibration', () => {
  it('tries every tag inside in turn, whatever its count', () => {
    const calibration = new MemoryCalibration();
    const inside = ['A', 'B', 'C', 'D'];
    const picked: string[] = [];
    for (let round = 0; round < 200; round++) {
      const tags = calibration.pick(inside, 2);
      picked.push(...tags);
      for (const tag of tags) calibration.record(tag, true, round * 10_000);
    }
    for (const tag of inside) expect(picked.filter((t) => t === tag)).toHaveLength(100);
  });

  it('keeps a window of the last 64 trials, so a tag no longer found loses its standing', () => {
    let state = { trials: 0, hits: 0 };
    for (let i = 0; i < 200; i++) state = nextCalibration(state, true);
    expect(state.trials).toBeCloseTo(64, 6);
    for (let i = 0; i < 64; i++) state = nextCalibration(state, false);
    expect(state.hits / state.trials).toBeLessThan(0.4);
  });
});
