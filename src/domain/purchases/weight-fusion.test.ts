import { describe, expect, it } from 'vitest';
import { noiseMargin, normalQuantileUpper, type WeighedItem, weighBasket } from './weight-fusion.js';

const can = (tag: string): WeighedItem => ({ tag, grams: 350, toleranceG: 6 });
const bottle = (tag: string): WeighedItem => ({ tag, grams: 500, toleranceG: 8 });
const BASE = { beforeG: 10_000, noiseSdG: 1, bound: 1e-6, taken: [], added: [], undecided: [] };

describe('the normal quantile', () => {
  it('matches the tables', () => {
    expect(normalQuantileUpper(0.025)).toBeCloseTo(1.95996, 4);
    expect(normalQuantileUpper(0.5e-6)).toBeCloseTo(4.8916, 3);
  });

  it('gives the margin of a difference of two readings', () => {
    // 4.8916 · √2 · 2 g
    expect(noiseMargin(2, 1e-6)).toBeCloseTo(13.835, 2);
  });
});

describe('weighBasket', () => {
  it('agrees when the tags taken weigh what left, within tolerance and noise', () => {
    // window = 6 + 4.8916·√2·1 = 12.92 g
    const verdict = weighBasket({ ...BASE, afterG: 10_000 - 361, taken: [can('A')] });
    expect(verdict).toEqual({ kind: 'agrees', removedG: 361, expectedG: 350, windowG: 12.9 });
  });

  it('disagrees with the grams nobody explains: an item whose tag was never read', () => {
    const verdict = weighBasket({ ...BASE, afterG: 10_000 - 850, taken: [can('A')] });
    expect(verdict).toEqual({ kind: 'disagrees', removedG: 850, unexplainedG: 500 });
  });

  it('just outside the window is a disagreement, not a charge', () => {
    expect(weighBasket({ ...BASE, afterG: 10_000 - 363, taken: [can('A')] }).kind).toBe('disagrees');
  });

  it('counts an item put in as weight added', () => {
    const verdict = weighBasket({ ...BASE, afterG: 10_000 + 150, taken: [can('A')], added: [bottle('X')] });
    expect(verdict.kind).toBe('agrees');
  });

  it('decides undecided tags when exactly one subset explains the difference', () => {
    const verdict = weighBasket({ ...BASE, afterG: 10_000 - 500.5, undecided: [can('A'), bottle('B')] });
    expect(verdict).toMatchObject({ kind: 'decides', taken: ['B'], stayed: ['A'] });
  });

  it('decides that undecided tags stayed when nothing left', () => {
    const verdict = weighBasket({ ...BASE, afterG: 10_000 + 0.4, undecided: [can('A'), bottle('B')] });
    expect(verdict).toMatchObject({ kind: 'decides', taken: [], stayed: ['A', 'B'] });
  });

  it('cannot tell two items of one product apart', () => {
    const verdict = weighBasket({ ...BASE, afterG: 10_000 - 350, undecided: [can('A'), can('B')] });
    expect(verdict).toEqual({ kind: 'ambiguous', fits: 2, reason: '2 baskets weigh the same' });
  });

  it('decides nothing when the only fit needs a tag not known to be inside', () => {
    const verdict = weighBasket({
      ...BASE,
      afterG: 10_000 - 500,
      undecided: [can('A')],
      possible: [bottle('W')],
    });
    expect(verdict).toMatchObject({
      kind: 'ambiguous',
      reason: 'the basket that fits holds a tag not known to be inside',
    });
  });

  it('counts a possible tag as an alternative that makes a fit not unique', () => {
    const verdict = weighBasket({
      ...BASE,
      afterG: 10_000 - 350,
      undecided: [can('A')],
      possible: [can('W')],
    });
    expect(verdict).toMatchObject({ kind: 'ambiguous', fits: 2 });
  });

  it('ignores possible tags without a catalog weight (strays, a bag)', () => {
    const stray: WeighedItem = { tag: 'S', grams: undefined, toleranceG: 0 };
    const verdict = weighBasket({ ...BASE, afterG: 10_000 - 350, undecided: [can('A')], possible: [stray] });
    expect(verdict).toMatchObject({ kind: 'decides', taken: ['A'] });
  });

  it('decides nothing while an item put in is not recognised yet: its weight is in the difference', () => {
    // Took a bottle (500), put in a can (350) not yet counted as added: 150 removed looks like nothing fits
    // or, worse, like another item; the newcomer stops the decision.
    const verdict = weighBasket({
      ...BASE,
      afterG: 10_000 - 150,
      undecided: [bottle('B'), { tag: 'P', grams: 150, toleranceG: 5 }],
      newcomers: [can('N')],
    });
    expect(verdict).toMatchObject({ kind: 'ambiguous', reason: 'N was put in and is not recognised yet' });
  });

  it('decides nothing when the contents before the open hold mass no tag explains (a dead tag)', () => {
    const inside = [can('A'), bottle('B'), can('C')]; // 1200 g nominal
    // window = 4.8916 · √(2·36/3 + 64/3 + 1) ≈ 33 g; 1200 + 120 (a pudding with a dead tag) is outside it
    const contents = { grams: 1320, inside };
    const verdict = weighBasket({ ...BASE, afterG: 10_000 - 350, undecided: [can('A')], contents });
    expect(verdict.kind).toBe('hidden');
    const explained = weighBasket({
      ...BASE,
      afterG: 10_000 - 350,
      undecided: [can('A')],
      contents: { grams: 1204, inside },
    });
    expect(explained).toMatchObject({ kind: 'decides', taken: ['A'] });
  });

  it("weighs none of a tag the catalog does not know (a neighbour's, a stray); its mass, if it left, is unexplained", () => {
    const neighbour: WeighedItem = { tag: 'N', grams: undefined, toleranceG: 0, product: false };
    expect(weighBasket({ ...BASE, afterG: 10_000 - 350, undecided: [can('A'), neighbour] })).toMatchObject({
      kind: 'decides',
      taken: ['A'],
    });
    // An item of ours without a catalog weight cannot be weighed: the scale is not used.
    const unweighed: WeighedItem = { tag: 'W', grams: undefined, toleranceG: 0, product: true };
    expect(weighBasket({ ...BASE, afterG: 10_000 - 350, undecided: [can('A'), unweighed] }).kind).toBe(
      'unusable',
    );
  });

  it("does not let a possible tag's weight hide mass it does not match (a neighbour's bottle, a dead-tagged can)", () => {
    const inside = [can('A'), can('C')]; // 700 g nominal; a 350 g can with a dead tag inside too
    const neighbour = bottle('N'); // read through the wall: possible, 500 g, not on this scale
    const verdict = weighBasket({
      ...BASE,
      afterG: 10_000 - 350, // the dead-tagged can taken
      undecided: [can('C')],
      possible: [neighbour],
      contents: { grams: 1050, inside },
    });
    // Its 500 g would once have covered the 350 g nobody explains; only a matching subset may.
    expect(verdict.kind).not.toBe('decides');
  });

  it('checks a basket RFID decided whole without enumerating anything', () => {
    const verdict = weighBasket({ ...BASE, afterG: 10_000 - 350, taken: [can('A')], possible: [can('W')] });
    expect(verdict.kind).toBe('agrees');
  });

  it('is unusable for an item without a catalog weight, or too many undecided tags', () => {
    const unknown: WeighedItem = { tag: 'U', grams: undefined, toleranceG: 0 };
    expect(weighBasket({ ...BASE, afterG: 10_000, taken: [unknown] })).toEqual({
      kind: 'unusable',
      reason: 'no catalog weight for U',
    });
    const many = Array.from({ length: 13 }, (_, index) => can(`C${index}`));
    expect(weighBasket({ ...BASE, afterG: 10_000, undecided: many }).kind).toBe('unusable');
  });
});
