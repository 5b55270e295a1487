import { describe, expect, it } from 'vitest';
import { problemLinesOf } from '../kits/config/problems.js';

function shelf(driver: string, settings: object, departAfterMs: number, extra: object = {}) {
  return {
    readers: [{ id: 'r', driver, port: '/dev/ttyUSB0', zone: 'shelf', settings, ...extra }],
    zones: [{ id: 'shelf', departAfterMs }],
  };
}

/**
 * A polled reader that hangs is held (its tags kept) only once its silence passes its stall
 * threshold (half as long again as its longest healthy silence, unless `stalledAfterMs` says). A
 * zone whose tags depart sooner loses them while the reader is silent, so the config refuses it,
 * as it refuses a zone shorter than the silence itself.
 */
describe('a polled reader is held before its tags may depart', () => {
  it("refuses a departAfterMs between the reader's longest silence and its stall threshold", () => {
    // R2000 polled every 100 ms, a round's wait 1000 ms: silent 1100 ms at most, stalled at 1650.
    expect(problemLinesOf(shelf('r2000', { pollIntervalMs: 100 }, 1200))).toEqual([
      'readers[0].settings.pollIntervalMs: a hung reader is stalled, and its tags held, only after 1650 ms of silence (100 ms between polls plus up to 1000 ms for an answer, half as long again), not before zone "shelf"\'s departAfterMs (1200): its tags would depart while it is hung',
    ]);
    // A Chafon's defaults (250 ms + 1000 ms scan + 500 ms): silent 1750 ms, stalled at 2625 ms.
    expect(problemLinesOf(shelf('chafon', {}, 2000))).toHaveLength(1);
    expect(problemLinesOf(shelf('chafon', {}, 2625))).toHaveLength(1);
    expect(problemLinesOf(shelf('chafon', {}, 2626))).toEqual([]);
    expect(problemLinesOf(shelf('pn532', { pollIntervalMs: 100 }, 1500))).toHaveLength(1);
    expect(problemLinesOf(shelf('pn532', { pollIntervalMs: 100 }, 2000))).toEqual([]);
  });

  it("judges by the reader's own stalledAfterMs when it has one", () => {
    expect(problemLinesOf(shelf('r2000', { pollIntervalMs: 100 }, 1200, { stalledAfterMs: 1150 }))).toEqual(
      [],
    );
    expect(problemLinesOf(shelf('r2000', {}, 3000, { stalledAfterMs: 3000 }))).toEqual([
      'readers[0].stalledAfterMs: a hung reader is stalled, and its tags held, only after 3000 ms of silence, not before zone "shelf"\'s departAfterMs (3000): its tags would depart while it is hung',
    ]);
  });

  it("keeps the defaults valid: every family's default poll with the default departAfterMs", () => {
    for (const driver of ['r2000', 'chafon', 'pn532'])
      expect(problemLinesOf(shelf(driver, {}, 3000))).toEqual([]);
  });
});
