import { describe, expect, it } from 'vitest';
import type { SettleParams } from '../../src/domain/purchases/settle.js';
import { generateFridgeScenario, runSettleHarness, type SettleSummary } from '../../src/scenarios/index.js';

/**
 * The settle algorithm alone over generated fridges (no capture, no gateway): 30 items of 6 products,
 * each tag with its own read rate (10 % weak), a neighbouring fridge's tags and strays, customers who
 * buy, put back, take nothing or bring something. The bench (test/bench/purchase.ts) measures the same
 * through the whole gateway.
 */

const PARAMS: SettleParams = { bound: 1e-6, maxMs: 10_000, cycleMs: 250, minCycles: 20, historyMs: 60_000 };
const SESSIONS = 250;

function run(readProbability: number, extra: Record<string, unknown> = {}, seed = 7): SettleSummary {
  const scenario = generateFridgeScenario({ seed, sessions: SESSIONS, items: 30, readProbability, ...extra });
  return runSettleHarness(scenario.plan, PARAMS);
}

function wrongCharges(summary: SettleSummary) {
  return summary.outcomes.filter((outcome) => outcome.result === 'completed' && !outcome.exact);
}

describe('settle accuracy (direct harness)', () => {
  it('p = 0.7: no wrong charge; every session either exact or uncertain (weak tags)', () => {
    const summary = run(0.7);
    expect(summary.sessions).toBeGreaterThan(200);
    expect(wrongCharges(summary)).toEqual([]);
    expect(summary.overchargeRate).toBe(0);
    expect(summary.exactBasketRate + summary.uncertainRate).toBe(1);
    // Uncertain sessions are those where a weak tag (read in < ~45 % of rounds) was taken: the bound
    // cannot be reached for it within maxMs. See the bench for the figures.
    expect(summary.uncertainRate).toBeLessThan(0.12);
    for (const outcome of summary.outcomes) {
      if (outcome.result === 'uncertain') expect(outcome.undecided.length).toBeGreaterThan(0);
    }
  });

  it('p = 0.7 without weak tags: exact baskets, nothing uncertain, settled within maxMs', () => {
    const summary = run(0.7, { weakShare: 0 });
    expect(summary.exactBasketRate).toBe(1);
    expect(summary.uncertainRate).toBe(0);
    expect(summary.settleMs.p99).toBeLessThan(PARAMS.maxMs);
  });

  it('p = 0.5: no wrong charge (uncertain allowed)', () => {
    const summary = run(0.5);
    expect(wrongCharges(summary)).toEqual([]);
  });

  it('a reader that collapses after the close never charges', () => {
    const summary = run(0.7, { collapseShare: 0.3 }, 8);
    expect(summary.outcomes.filter((outcome) => outcome.collapse).length).toBeGreaterThan(40);
    expect(wrongCharges(summary)).toEqual([]);
  });

  it('a reader that does not report antennas is as safe', () => {
    const scenario = generateFridgeScenario({ seed: 9, sessions: SESSIONS, readProbability: 0.7 });
    const summary = runSettleHarness(scenario.plan, PARAMS, { antennas: false });
    expect(wrongCharges(summary)).toEqual([]);
  });
});
