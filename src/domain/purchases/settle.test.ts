import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../shared/random.js';
import { betaLowerQuantile, regularizedBeta, unreadChance } from './beta.js';
import { ReadHistory } from './read-history.js';
import {
  evaluate,
  type InsideTag,
  SETTLE_REASONS,
  type SettleParams,
  settledSet,
  settleHistoryOptions,
} from './settle.js';

const PARAMS: SettleParams = { bound: 1e-6, maxMs: 10_000, cycleMs: 250, minCycles: 20, historyMs: 60_000 };
const T0 = 1_800_000_000_000; // a round boundary

type Tags = Record<string, number | { p: number; antenna: number }>;

/** A cabinet's reader, round by round: each tag is read with its probability somewhere in the round. */
class Reader {
  readonly history = new ReadHistory(settleHistoryOptions(PARAMS));
  private readonly random = seededRandom(42);
  private round = Math.floor(T0 / PARAMS.cycleMs);

  get now(): number {
    return this.round * PARAMS.cycleMs;
  }

  play(rounds: number, tags: Tags, dead: number[] = []): void {
    for (let index = 0; index < rounds; index++) {
      for (const [tag, spec] of Object.entries(tags)) {
        const { p, antenna } = typeof spec === 'number' ? { p: spec, antenna: 1 } : spec;
        if (this.random() < p && !dead.includes(antenna)) {
          this.history.record(tag, this.now + 5 + this.random() * 240, -55, antenna);
        }
      }
      this.round += 1;
    }
  }

  /** Moves time on by `ms` without reads (a partial round: the close rarely falls on a boundary). */
  wait(ms: number): number {
    const at = this.now + ms;
    this.round = Math.floor(at / PARAMS.cycleMs);
    return at;
  }
}

function fridge(count: number, p: number, prefix = 'T'): Record<string, number> {
  return Object.fromEntries(Array.from({ length: count }, (_, index) => [`${prefix}${index}`, p]));
}

function without(tags: Tags, ...gone: string[]): Tags {
  return Object.fromEntries(Object.entries(tags).filter(([tag]) => !gone.includes(tag)));
}

/** Evaluates every round after the close until done or maxMs, as a cabinet's timer does. */
function settle(reader: Reader, before: Map<string, InsideTag>, closedAt: number, after: () => void) {
  let evaluation = evaluate(reader.history, before, closedAt, closedAt, PARAMS);
  while (evaluation.nextCheckAt !== undefined) {
    const next = evaluation.nextCheckAt;
    while (reader.now < next) after();
    evaluation = evaluate(reader.history, before, closedAt, next, PARAMS);
  }
  return evaluation;
}

describe('betaLowerQuantile', () => {
  it('matches the closed forms at the edges', () => {
    for (const n of [1, 20, 240]) {
      expect(betaLowerQuantile(n, n, 0.01)).toBeCloseTo(0.01 ** (1 / (n + 1)), 9);
      expect(betaLowerQuantile(0, n, 0.01)).toBeCloseTo(1 - 0.99 ** (1 / (n + 1)), 9);
    }
  });

  it('is a quantile: the regularised incomplete beta gives back alpha', () => {
    const q = betaLowerQuantile(168, 240, 0.01);
    expect(regularizedBeta(q, 169, 73)).toBeCloseTo(0.01, 6);
    expect(q).toBeGreaterThan(0.6);
    expect(q).toBeLessThan(0.7);
  });

  it('trusts a tag seen little less than one seen much at the same rate', () => {
    expect(betaLowerQuantile(14, 20, 0.01)).toBeLessThan(betaLowerQuantile(168, 240, 0.01));
  });
});

describe('unreadChance', () => {
  /** E[(1 − f·p)^k] over Beta(h + 1, r − h + 1) by a plain midpoint sum over [0, 1]. */
  function bruteForce(hits: number, rounds: number, misses: number, factor: number): number {
    const steps = 200_000;
    let mass = 0;
    let unread = 0;
    for (let step = 0; step < steps; step++) {
      const p = (step + 0.5) / steps;
      const density = Math.exp(hits * Math.log(p) + (rounds - hits) * Math.log1p(-p));
      mass += density;
      unread += density * (1 - factor * p) ** misses;
    }
    return unread / mass;
  }

  it('is the posterior chance of going unread, with and without a reader that reads less', () => {
    for (const [hits, rounds, misses] of [
      [168, 240, 12],
      [20, 60, 30],
      [240, 240, 5],
      [3, 20, 40],
    ] as const) {
      for (const factor of [1, 0.8]) {
        const expected = bruteForce(hits, rounds, misses, factor);
        expect(Math.abs(unreadChance(hits, rounds, misses, factor) / expected - 1)).toBeLessThan(1e-4);
      }
    }
  });

  it('is above the chance at the measured rate, more so for a short history', () => {
    const measured = 0.3 ** 12;
    expect(unreadChance(168, 240, 12)).toBeGreaterThan(measured);
    expect(unreadChance(14, 20, 12)).toBeGreaterThan(unreadChance(168, 240, 12));
    expect(unreadChance(1680, 2400, 12) / measured).toBeLessThan(1.2);
    expect(unreadChance(168, 240, 0)).toBe(1);
  });
});

describe('settledSet', () => {
  it('holds the cabinet’s tags, not strays nor a neighbour’s tags read now and then', () => {
    const reader = new Reader();
    const tags = fridge(20, 0.8);
    reader.play(240, { ...tags, NEIGHBOUR1: 0.05, NEIGHBOUR2: 0.08 });
    for (let index = 0; index < 50; index++)
      reader.history.record(`STRAY${index}`, reader.now - index * 997, -75, 2);
    const before = settledSet(reader.history, reader.now + 100, PARAMS);
    expect([...before.keys()].sort()).toEqual(Object.keys(tags).sort());
    for (const inside of before.values()) {
      // From the round after its first read (that one is a hit by selection, so it is left out).
      expect(inside.rounds).toBeGreaterThan(230);
      expect(inside.rounds).toBeLessThanOrEqual(239);
      expect(inside.pLower).toBeLessThan(inside.hits / inside.rounds);
      expect(inside.pLower).toBeGreaterThan(0.65);
    }
  });

  it('counts no round with the door open, and holds only tags read since the door last closed', () => {
    const reader = new Reader();
    reader.play(100, { STAYS: 0.9, LEAVES: 0.9 });
    reader.history.door(true, reader.now + 10);
    reader.play(40, { STAYS: 0.1 }); // a customer shadows the antennas; LEAVES goes
    reader.history.door(false, reader.now + 10);
    reader.play(4, { STAYS: 0.9 });
    const before = settledSet(reader.history, reader.now, PARAMS);
    // Four rounds unread at 0.9 is plausible for a tag inside (1e-4 > bound), but the door was
    // closed all along since LEAVES was last read: it cannot be inside unless it was read since.
    expect([...before.keys()]).toEqual(['STAYS']);
    const stays = before.get('STAYS');
    // The 40 rounds with the door open (and the rounds the door moved in) are not trials.
    expect(stays?.rounds).toBeLessThanOrEqual(99 + 3);
    expect((stays?.hits ?? 0) / (stays?.rounds ?? 1)).toBeGreaterThan(0.8);
  });

  it('needs minCycles rounds of a tag put in, and leaves out what left before', () => {
    const reader = new Reader();
    reader.play(200, { OLD: 0.9, STAYS: 0.9 });
    reader.play(15, { STAYS: 0.9, NEW: 0.9 });
    let before = settledSet(reader.history, reader.now, PARAMS);
    expect(before.has('NEW')).toBe(false); // 14 rounds after its first: fewer than minCycles
    expect(before.has('OLD')).toBe(false); // unread for 15 rounds at 0.9: gone
    expect(before.has('STAYS')).toBe(true);
    reader.play(10, { STAYS: 0.9, NEW: 0.9 });
    before = settledSet(reader.history, reader.now, PARAMS);
    expect(before.has('NEW')).toBe(true);
  });
});

describe('evaluate', () => {
  it('charges a tag once its chance of being inside unread is below bound, not a round earlier', () => {
    const reader = new Reader();
    const tags = fridge(10, 1);
    reader.play(240, tags);
    const before = settledSet(reader.history, reader.now, PARAMS);
    const hits = before.get('T3')?.hits ?? 0;
    // Read in every round of its history, p ~ Beta(hits + 1, 1): E[(1 - p)^k] = Π_{j ≤ k} j / (hits + 1 + j).
    const chance = (k: number) => {
      let product = 1;
      for (let j = 1; j <= k; j++) product *= j / (hits + 1 + j);
      return product;
    };
    let rounds = 1;
    while (chance(rounds) >= PARAMS.bound) rounds += 1;
    reader.play(20, without(tags, 'T3')); // the door is open: T3 leaves, these rounds do not count
    const closedAt = reader.wait(130);
    let evaluation = evaluate(reader.history, before, closedAt, closedAt, PARAMS);
    expect(evaluation.taken).toEqual([]);
    expect(evaluation.nextCheckAt).toBe(reader.now + 2 * PARAMS.cycleMs);
    reader.play(1 + rounds, without(tags, 'T3')); // the partial round of the close, then full rounds
    evaluation = evaluate(reader.history, before, closedAt, reader.now - PARAMS.cycleMs, PARAMS);
    expect(evaluation.undecided).toHaveLength(1);
    expect(evaluation.undecided[0]?.tag).toBe('T3');
    expect(evaluation.undecided[0]?.pUnread).toBeCloseTo(chance(rounds - 1), 15);
    evaluation = evaluate(reader.history, before, closedAt, reader.now, PARAMS);
    expect(evaluation).toMatchObject({ done: true, taken: ['T3'], undecided: [], reasons: [], added: [] });
    expect(evaluation.stayed).toHaveLength(9);
    expect(evaluation.nextCheckAt).toBeUndefined();
  });

  it('is done as soon as every tag is read again when nothing was taken', () => {
    const reader = new Reader();
    const tags = fridge(30, 0.7);
    reader.play(240, tags);
    const before = settledSet(reader.history, reader.now, PARAMS);
    const closedAt = reader.wait(10);
    const evaluation = settle(reader, before, closedAt, () => reader.play(1, tags));
    expect(evaluation).toMatchObject({ done: true, taken: [], undecided: [] });
    expect(reader.now - closedAt).toBeLessThan(3000);
  });

  it('never charges a flickering tag: one read after the close decides that it stayed', () => {
    const reader = new Reader();
    const tags = fridge(10, 0.95);
    reader.play(240, tags);
    const before = settledSet(reader.history, reader.now, PARAMS);
    const closedAt = reader.wait(0);
    reader.play(1, tags);
    reader.history.record('T0', reader.now + 1, -60, 1);
    const evaluation = settle(reader, before, closedAt, () => reader.play(1, without(tags, 'T0')));
    expect(evaluation.stayed).toContain('T0');
    expect(evaluation.taken).toEqual([]);
  });

  it('never charges a weak tag without enough evidence: uncertain at maxMs instead', () => {
    const reader = new Reader();
    const tags = { ...fridge(10, 0.9), WEAK: 0.2 };
    reader.play(240, tags);
    const before = settledSet(reader.history, reader.now, PARAMS);
    expect(before.has('WEAK')).toBe(true);
    const closedAt = reader.wait(60);
    const evaluation = settle(reader, before, closedAt, () => reader.play(1, without(tags, 'WEAK')));
    expect(evaluation.done).toBe(false);
    expect(evaluation.taken).toEqual([]);
    expect(evaluation.undecided.map((entry) => entry.tag)).toEqual(['WEAK']);
    expect(evaluation.undecided[0]?.pUnread).toBeGreaterThan(PARAMS.bound);
    expect(evaluation.reasons).toEqual([SETTLE_REASONS.tooWeak]);
    expect(reader.now).toBeGreaterThanOrEqual(closedAt + PARAMS.maxMs);
  });

  it('charges nothing when the read rate collapses after the close', () => {
    const reader = new Reader();
    const tags = fridge(30, 0.8);
    reader.play(240, tags);
    const before = settledSet(reader.history, reader.now, PARAMS);
    const closedAt = reader.wait(100);
    const detuned = fridge(28, 0.1); // T28 and T29 were taken; the rest is barely read
    const evaluation = settle(reader, before, closedAt, () => reader.play(1, detuned));
    expect(evaluation.taken).toEqual([]);
    expect(evaluation.reasons).toContain(SETTLE_REASONS.collapsed);
    expect(evaluation.undecided.map((entry) => entry.tag)).toEqual(expect.arrayContaining(['T28', 'T29']));
  });

  it('charges nothing for the tags of an antenna that died at the close', () => {
    const reader = new Reader();
    const tags: Tags = {};
    for (let index = 0; index < 10; index++) {
      tags[`A${index}`] = { p: 0.9, antenna: 1 };
      tags[`B${index}`] = { p: 0.9, antenna: 2 };
    }
    reader.play(240, tags);
    const before = settledSet(reader.history, reader.now, PARAMS);
    const closedAt = reader.wait(0);
    const evaluation = settle(reader, before, closedAt, () => reader.play(1, without(tags, 'B0'), [1]));
    expect(evaluation.taken).toEqual(['B0']);
    expect(evaluation.undecided.map((entry) => entry.tag).sort()).toEqual(
      Array.from({ length: 10 }, (_, index) => `A${index}`),
    );
  });

  it('decides nothing while the reader reads none of the cabinet’s tags', () => {
    const reader = new Reader();
    const tags = fridge(10, 0.9);
    reader.play(240, tags);
    const before = settledSet(reader.history, reader.now, PARAMS);
    const closedAt = reader.wait(0);
    const evaluation = settle(reader, before, closedAt, () => reader.play(1, { STRAY: 0.5 }));
    expect(evaluation.taken).toEqual([]);
    expect(evaluation.undecided).toHaveLength(10);
    expect(evaluation.reasons).toContain(SETTLE_REASONS.noReads);
  });

  it('reports a tag put in as added, not a stray or a neighbour read after the close', () => {
    const reader = new Reader();
    const tags = { ...fridge(10, 0.9), NEIGHBOUR: 0.06 };
    reader.play(240, tags);
    const before = settledSet(reader.history, reader.now, PARAMS);
    const closedAt = reader.wait(0);
    reader.history.record('STRAY', closedAt + 300, -80, 2);
    const evaluation = settle(reader, before, closedAt, () => reader.play(1, { ...tags, PUT_IN: 0.8 }));
    expect(evaluation.done).toBe(true);
    reader.play(8, { ...tags, PUT_IN: 0.8 });
    const later = evaluate(reader.history, before, closedAt, reader.now, PARAMS);
    expect(later.added).toEqual(['PUT_IN']);
    expect(later.taken).toEqual([]);
  });

  it('treats a tag the history lost as unread since, needing every antenna alive', () => {
    const reader = new Reader();
    const tags = fridge(5, 1);
    reader.play(240, tags);
    const before = settledSet(reader.history, reader.now, PARAMS);
    before.set('LOST', { tag: 'LOST', rounds: 240, hits: 240, pLower: 0.98 });
    const closedAt = reader.wait(0);
    const evaluation = settle(reader, before, closedAt, () => reader.play(1, tags));
    expect(evaluation.taken).toEqual(['LOST']);
  });

  it('gives the next round boundary to check, capped at maxMs, and none once done or past it', () => {
    const reader = new Reader();
    reader.play(240, { T: 0.5 });
    const before = settledSet(reader.history, reader.now, PARAMS);
    const closedAt = reader.now + 10;
    expect(evaluate(reader.history, before, closedAt, closedAt + 100, PARAMS).nextCheckAt).toBe(
      reader.now + 2 * PARAMS.cycleMs,
    );
    const late = closedAt + PARAMS.maxMs - 5;
    expect(evaluate(reader.history, before, closedAt, late, PARAMS).nextCheckAt).toBe(
      closedAt + PARAMS.maxMs,
    );
    expect(
      evaluate(reader.history, before, closedAt, closedAt + PARAMS.maxMs, PARAMS).nextCheckAt,
    ).toBeUndefined();
  });
});

describe('targeted searches as evidence', () => {
  const setup = () => {
    const reader = new Reader();
    const tags = fridge(10, 0.6);
    reader.play(200, tags);
    const before = settledSet(reader.history, reader.now, PARAMS);
    const closedAt = reader.wait(100);
    reader.play(4, without(tags, 'T3'));
    return { reader, before, closedAt };
  };

  it('multiplies the chance of "inside but unread" by E[1 − q] of the calibration, however many searches missed', () => {
    const { reader, before, closedAt } = setup();
    const passive = evaluate(reader.history, before, closedAt, reader.now, PARAMS);
    const pPassive = passive.undecided.find((entry) => entry.tag === 'T3')?.pUnread as number;
    expect(pPassive).toBeGreaterThan(PARAMS.bound);
    const search = {
      found: new Set<string>(),
      misses: new Map([['T3', 2]]),
      calibration: () => ({ trials: 40, hits: 40 }),
    };
    const searched = evaluate(reader.history, before, closedAt, reader.now, PARAMS, search);
    // Beta(41, 1): E[1 − q] = 1 / 42. Two misses of one tag in one spot are one trial, not two.
    const pSearched = searched.undecided.find((entry) => entry.tag === 'T3')?.pUnread ?? 0;
    expect(pSearched).toBeCloseTo(pPassive / 42, 12);
  });

  it('gives a tag never searched while known inside little weight: q ~ uniform', () => {
    const { reader, before, closedAt } = setup();
    const passive = evaluate(reader.history, before, closedAt, reader.now, PARAMS);
    const search = {
      found: new Set<string>(),
      misses: new Map([['T3', 1]]),
      calibration: () => ({ trials: 0, hits: 0 }),
    };
    const searched = evaluate(reader.history, before, closedAt, reader.now, PARAMS, search);
    const p = (evaluation: typeof passive) =>
      evaluation.undecided.find((entry) => entry.tag === 'T3')?.pUnread ?? 0;
    expect(p(searched)).toBeCloseTo(p(passive) / 2, 12);
  });

  it('counts a tag a search found as stayed, like a read', () => {
    const { reader, before, closedAt } = setup();
    const search = {
      found: new Set(['T3']),
      misses: new Map<string, number>(),
      calibration: () => ({ trials: 0, hits: 0 }),
    };
    const evaluation = evaluate(reader.history, before, closedAt, reader.now, PARAMS, search);
    expect(evaluation.stayed).toContain('T3');
    expect(evaluation.undecided.map((entry) => entry.tag)).not.toContain('T3');
    expect(evaluation.taken).not.toContain('T3');
  });
});
