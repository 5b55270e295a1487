import { describe, expect, it } from 'vitest';
import { antennaBit, ReadHistory } from './read-history.js';

const CYCLE = 250;
const T0 = 1_800_000_000_000; // a round boundary (divisible by 250)
const round = (atMs: number) => Math.floor(atMs / CYCLE);

describe('ReadHistory', () => {
  it('keeps one bit per tag and round, and which antennas were alive', () => {
    const history = new ReadHistory({ cycleMs: CYCLE, historyMs: 10_000 });
    history.record('A', T0 + 10, -50, 1);
    history.record('A', T0 + 20, -51, 1);
    history.record('B', T0 + 260, -60, 2);
    const a = history.slotOf('A');
    const b = history.slotOf('B');
    expect(history.hit(a, round(T0))).toBe(true);
    expect(history.hit(a, round(T0) + 1)).toBe(false);
    expect(history.hit(b, round(T0) + 1)).toBe(true);
    expect(history.roundActive(round(T0))).toBe(true);
    expect(history.roundActive(round(T0) + 2)).toBe(false);
    expect(history.roundAntennaMask(round(T0))).toBe(antennaBit(1));
    expect(history.antennaMask(b)).toBe(antennaBit(2));
    expect(history.inspect('A')).toEqual({
      firstSeenMs: T0 + 10,
      lastReadMs: T0 + 20,
      antennas: 1,
      lastRssi: -51,
    });
    expect(history.slotOf('C')).toBe(-1);
  });

  it('maps antennas to bits, unknown to none, large ones to the last bit', () => {
    expect(antennaBit(undefined)).toBe(0);
    expect(antennaBit(0)).toBe(0);
    expect(antennaBit(1)).toBe(1);
    expect(antennaBit(3)).toBe(4);
    expect(antennaBit(64)).toBe(2 ** 31);
  });

  it('forgets rounds that fall out of the window, even after a long silence', () => {
    const history = new ReadHistory({ cycleMs: CYCLE, historyMs: 2000 }); // 9 rounds
    history.record('A', T0, Number.NaN, 1);
    const slot = history.slotOf('A');
    history.record('B', T0 + 1000);
    expect(history.hit(slot, round(T0))).toBe(true);
    history.record('B', T0 + 2250); // 9 rounds on: the ring position of round(T0) is reused
    expect(history.hit(slot, round(T0))).toBe(false);
    expect(history.holds(round(T0))).toBe(false);
    history.record('B', T0 + 3_600_000); // far ahead: the whole ring is cleared once
    expect(history.roundActive(round(T0 + 2250))).toBe(false);
    expect(history.hit(history.slotOf('B'), round(T0 + 3_600_000))).toBe(true);
  });

  it('ignores reads older than the ring', () => {
    const history = new ReadHistory({ cycleMs: CYCLE, historyMs: 1000 });
    history.record('A', T0 + 10_000);
    history.record('B', T0);
    expect(history.ignoredLate).toBe(1);
    expect(history.slotOf('B')).toBe(-1);
  });

  it('prunes tags not read within historyMs and reuses their slots', () => {
    const history = new ReadHistory({ cycleMs: CYCLE, historyMs: 5000, maxTags: 4 });
    history.record('OLD', T0);
    history.record('NEW', T0 + 4000);
    history.prune(T0 + 6000);
    expect(history.slotOf('OLD')).toBe(-1);
    expect(history.slotOf('NEW')).toBeGreaterThanOrEqual(0);
    expect(history.size).toBe(1);
    history.record('NEXT', T0 + 6100);
    // A reused slot starts empty: no bit of the pruned tag leaks into the new one.
    expect(history.hit(history.slotOf('NEXT'), round(T0))).toBe(false);
  });

  it('gives the slot of the tag read longest ago when full', () => {
    const history = new ReadHistory({ cycleMs: CYCLE, historyMs: 60_000, maxTags: 3 });
    history.record('A', T0 + 100);
    history.record('B', T0 + 200);
    history.record('C', T0 + 300);
    history.record('A', T0 + 400);
    history.record('D', T0 + 500);
    expect(history.slotOf('B')).toBe(-1);
    expect(history.evicted).toBe(1);
    for (const tag of ['A', 'C', 'D']) expect(history.slotOf(tag)).toBeGreaterThanOrEqual(0);
  });

  it('refuses nonsense options', () => {
    expect(() => new ReadHistory({ cycleMs: 0, historyMs: 1000 })).toThrow(RangeError);
    expect(() => new ReadHistory({ cycleMs: 250, historyMs: 100 })).toThrow(RangeError);
  });
});
