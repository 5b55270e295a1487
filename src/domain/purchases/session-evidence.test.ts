import { describe, expect, it } from 'vitest';
import { cabinetSchema } from '../../config/cabinets.js';
import { silentLogger } from '../../observability/logger.js';
import { ReadHistory } from './read-history.js';
import { MemoryCalibration } from './search-calibration.js';
import { CabinetEvidence, type TagSearchResult } from './session-evidence.js';
import { settleHistoryOptions } from './settle.js';

const config = cabinetSchema.parse({
  id: 'fridge-1',
  zone: 'fridge',
  door: { sensor: 'io' },
  lock: 'lock',
  currency: 'EUR',
  scale: { sensor: 'io' },
});

function evidence(search?: (tags: readonly string[]) => Promise<TagSearchResult>) {
  const history = new ReadHistory(settleHistoryOptions(config.settle));
  const cabinet = new CabinetEvidence({
    config,
    logger: silentLogger(),
    history,
    calibration: new MemoryCalibration(),
    search,
    itemFor: (tag) => ({ tag, sku: 'COLA', unitWeightG: 350, weightToleranceG: 5 }),
  });
  /** A steady scale at `grams` from `fromMs` for `ms`, ten samples a second. */
  const steady = (fromMs: number, ms: number, grams: number, idle: boolean) => {
    for (let t = fromMs; t < fromMs + ms; t += 100)
      cabinet.onWeight(t, grams + ((t / 100) % 2 === 0 ? 0.5 : -0.5), idle);
  };
  return { cabinet, steady };
}

describe('CabinetEvidence', () => {
  it('takes the weight before the open and one look after the close', () => {
    const { cabinet, steady } = evidence();
    steady(0, 5000, 1050, true);
    cabinet.opened(5000);
    steady(5000, 2000, 700, false);
    cabinet.closed();
    steady(7000, 1000, 700, false);
    const first = cabinet.forSettle(7000, 8000).weight;
    expect(Math.abs((first?.beforeG ?? 0) - 1050)).toBeLessThanOrEqual(0.5);
    expect(Math.abs((first?.afterG ?? 0) - 700)).toBeLessThanOrEqual(0.5);
    // Later samples do not change the look already taken (one test per close, not one per round).
    steady(8000, 1000, 1050, false);
    expect(cabinet.forSettle(7000, 9000).weight?.afterG).toBe(first?.afterG);
  });

  it('after a restart mid-session the weight before is unknown, whatever the scale read before', () => {
    const { cabinet, steady } = evidence();
    steady(0, 5000, 1050, true);
    // The gateway restarted with the door open: the session is recovered at the close, not opened.
    cabinet.closed();
    steady(5000, 1000, 700, false);
    expect(cabinet.forSettle(5000, 6000).weight).toMatchObject({
      unavailable: 'the gateway restarted during the session',
    });
  });

  it('a scale that went offline during the session is not used for it, even back online', () => {
    const { cabinet, steady } = evidence();
    steady(0, 5000, 1050, true);
    cabinet.opened(5000);
    cabinet.onScaleStatus('offline', 'unplugged');
    cabinet.onScaleStatus('online', undefined);
    cabinet.closed();
    steady(6000, 1000, 700, false);
    expect(cabinet.forSettle(6000, 7000).weight?.unavailable).toBe(
      'scale offline (unplugged) during the session',
    );
  });

  it('drops what a search started before the door reopened found', async () => {
    let answer: (result: TagSearchResult) => void = () => {};
    const { cabinet } = evidence(
      () =>
        new Promise((resolve) => {
          answer = resolve;
        }),
    );
    cabinet.opened(0);
    cabinet.closed();
    const running = cabinet.searchSession(['A'], () => 2000);
    // Reopened and closed again while the search runs: A may have been taken meanwhile.
    cabinet.closed();
    answer({ ok: true, found: ['A'], notFound: [], tookMs: 300 });
    await running;
    expect(cabinet.forSettle(3000, 3000).search?.found.has('A')).toBe(false);
  });
});
