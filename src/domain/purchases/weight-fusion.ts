/**
 * The scale as a second witness of a session: what left by weight against what left by RFID.
 * Pure and synchronous; the cabinet brings the stable weights before the door opened and after it
 * closed, the scale's measured noise, and each item's catalog weight.
 *
 * The window, and why it keeps the settle bound:
 * - A unit's weight lies within its product's tolerance of the nominal (a hard bound from the
 *   catalog, e.g. a 330 ml can 350 ± 6 g), so the items of a candidate basket weigh their nominal
 *   sum within the sum of their tolerances, whatever the units.
 * - The scale adds noise to both readings: their difference has a standard deviation of √2·σ, σ the
 *   noise measured while idle. The window adds z·√2·σ, with z the two-sided normal quantile of the
 *   settle bound (4.89 at 1e-6): the true basket falls outside its window with probability below
 *   the bound.
 * - Weight decides undecided tags only when exactly one subset of them fits. If the true subset
 *   fits, the unique fit is the truth; a wrong charge therefore needs the true subset outside its
 *   window, which happens with probability below the bound: the same bound as the RFID evidence.
 * - That argument needs every item that could have left among the candidates. Two kinds are not:
 *   tags read before the open but too rarely or too recently to be in the settled set (`possible`:
 *   they are enumerated too, and a fit that needs one of them decides nothing), and items whose tag
 *   is never read at all (dead, in foil). Those show as mass the tags do not explain before the
 *   door opened: the contents (the scale tared empty) against the settled set's nominal weights,
 *   within z·√(Σ tol²/3 + σ²) (a unit's deviation taken as uniform within its tolerance). With
 *   such mass the weight only checks RFID's basket, it decides nothing.
 * - An item put in during the session is in the difference too: until it is recognised (a few reads
 *   since the close), a tag of ours first read since the close stops the weight deciding. An object
 *   without a tag put in is the one thing no evidence here sees; it can only make a fit unique that
 *   is wrong if its weight happens to complete one.
 * - No fit at all is a disagreement: an item whose tag was never read, a tag in foil, a foreign
 *   object, an item put back into another cabinet. The session is then uncertain with the grams
 *   nobody explains, never a silent undercharge or overcharge.
 */

export interface WeighedItem {
  tag: string;
  /** Nominal unit weight; undefined when the catalog does not know it. */
  grams: number | undefined;
  /** Largest deviation of one unit from `grams`. */
  toleranceG: number;
  /**
   * False for a tag the catalog does not know at all (a neighbouring cabinet's, a stray): not one of
   * ours, so not weighed. Its item, if it was one and left, shows as unexplained grams.
   */
  product?: boolean;
}

export interface WeightInput {
  beforeG: number;
  afterG: number;
  /** Standard deviation of one stable reading (the scale's noise while idle). */
  noiseSdG: number;
  /** Tags RFID says were taken, and tags it says were put in (they add weight). */
  taken: readonly WeighedItem[];
  added: readonly WeighedItem[];
  /** Tags RFID cannot decide yet: weight may decide them. */
  undecided: readonly WeighedItem[];
  /** Tags read before the open but not in the settled set, nor since the close (see above). */
  possible?: readonly WeighedItem[];
  /**
   * Tags of ours read since the close that were not inside before and are not recognised as added
   * yet: an item put in whose weight the difference already holds. Weight decides nothing until
   * they are known.
   */
  newcomers?: readonly WeighedItem[];
  /** The contents before the open (the reading minus the empty cabinet) and the settled set. */
  contents?: { grams: number; inside: readonly WeighedItem[] };
  bound: number;
}

export type WeightVerdict =
  /** RFID's basket (with no undecided tags) weighs what left. */
  | { kind: 'agrees'; removedG: number; expectedG: number; windowG: number }
  /** Exactly one subset of the undecided tags explains the difference: these left, the rest stayed. */
  | {
      kind: 'decides';
      taken: string[];
      stayed: string[];
      removedG: number;
      expectedG: number;
      windowG: number;
    }
  /** No subset explains the difference: `unexplainedG` = removed − expected of the nearest fit. */
  | { kind: 'disagrees'; removedG: number; unexplainedG: number }
  /** Several subsets fit (same products), or the one that fits needs a tag not known inside: RFID must. */
  | { kind: 'ambiguous'; fits: number; reason: string }
  /** Weight only checks: the contents before the open hold mass no tag explains. */
  | { kind: 'hidden'; hiddenG: number }
  /** Weight cannot be used: an item without a catalog weight, or too many undecided tags. */
  | { kind: 'unusable'; reason: string };

/** Subsets tried at most (2^12): beyond this the undecided set is a reader problem, not a basket. */
export const MAX_UNDECIDED_FOR_WEIGHT = 12;

export function weighBasket(whole: WeightInput): WeightVerdict {
  const ours = (items: readonly WeighedItem[]) => items.filter((item) => item.product !== false);
  const input = {
    ...whole,
    taken: ours(whole.taken),
    added: ours(whole.added),
    undecided: ours(whole.undecided),
  };
  const unknown = [...input.taken, ...input.added, ...input.undecided].find(
    (item) => item.grams === undefined,
  );
  if (unknown) return { kind: 'unusable', reason: `no catalog weight for ${unknown.tag}` };
  // A tag without a catalog weight is not one of ours (a stray, a bag): it cannot be a candidate.
  const possible = (input.possible ?? []).filter((item) => item.grams !== undefined);
  const candidates = [...input.undecided, ...possible];
  if (candidates.length > MAX_UNDECIDED_FOR_WEIGHT) {
    return {
      kind: 'unusable',
      reason: `${candidates.length} tags undecided or possibly inside: too many to weigh`,
    };
  }
  const removedG = input.beforeG - input.afterG;
  const noiseG = noiseMargin(input.noiseSdG, input.bound);
  const base = basketWeight(input);
  if (input.undecided.length === 0) return check(base, removedG, noiseG);
  const baseG = base.expectedG;
  const baseTolG = base.tolG;
  const undecided = candidates;
  const decidable = input.undecided.length;
  let fits = 0;
  let fitMask = 0;
  let nearest = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < 1 << undecided.length; mask++) {
    let expectedG = baseG;
    let tolG = baseTolG;
    for (let bit = 0; bit < undecided.length; bit++) {
      if ((mask & (1 << bit)) === 0) continue;
      const item = undecided[bit] as WeighedItem;
      expectedG += item.grams as number;
      tolG += item.toleranceG;
    }
    const off = removedG - expectedG;
    if (Math.abs(off) <= tolG + noiseG) {
      fits += 1;
      fitMask = mask;
    }
    if (Math.abs(off) < Math.abs(nearest)) nearest = off;
  }
  if (fits === 0) return { kind: 'disagrees', removedG, unexplainedG: round1(nearest) };
  if (fits > 1) return { kind: 'ambiguous', fits, reason: `${fits} baskets weigh the same` };
  const newcomer = (input.newcomers ?? []).find((item) => item.grams !== undefined);
  if (decidable > 0 && newcomer) {
    return { kind: 'ambiguous', fits, reason: `${newcomer.tag} was put in and is not recognised yet` };
  }
  if (fitMask >> decidable !== 0) {
    return { kind: 'ambiguous', fits, reason: 'the basket that fits holds a tag not known to be inside' };
  }
  if (decidable > 0 && input.contents) {
    const hiddenG = hiddenMass(input.contents, possible, input.noiseSdG, input.bound);
    if (hiddenG !== 0) return { kind: 'hidden', hiddenG };
  }
  const taken: string[] = [];
  const stayed: string[] = [];
  let expectedG = baseG;
  let tolG = baseTolG;
  undecided.forEach((item, bit) => {
    if ((fitMask & (1 << bit)) === 0) {
      stayed.push(item.tag);
      return;
    }
    taken.push(item.tag);
    expectedG += item.grams as number;
    tolG += item.toleranceG;
  });
  const figures = {
    removedG: round1(removedG),
    expectedG: round1(expectedG),
    windowG: round1(tolG + noiseG),
  };
  return undecided.length === 0
    ? { kind: 'agrees', ...figures }
    : { kind: 'decides', taken, stayed, ...figures };
}

/** What RFID's basket weighs (taken less put in), and the sum of its units' tolerances. */
function basketWeight(input: WeightInput): { expectedG: number; tolG: number } {
  let expectedG = 0;
  let tolG = 0;
  for (const item of input.taken) {
    expectedG += item.grams as number;
    tolG += item.toleranceG;
  }
  for (const item of input.added) {
    expectedG -= item.grams as number;
    tolG += item.toleranceG;
  }
  return { expectedG, tolG };
}

/** RFID decided every tag: its basket weighs what left, or the difference is unexplained. */
function check(base: { expectedG: number; tolG: number }, removedG: number, noiseG: number): WeightVerdict {
  const { expectedG, tolG } = base;
  const off = removedG - expectedG;
  if (Math.abs(off) > tolG + noiseG)
    return { kind: 'disagrees', removedG: round1(removedG), unexplainedG: round1(off) };
  return {
    kind: 'agrees',
    removedG: round1(removedG),
    expectedG: round1(expectedG),
    windowG: round1(tolG + noiseG),
  };
}

/**
 * Mass before the open that neither the settled set nor the possible tags explain (0 when within
 * the window): below the settled set's weight is as suspect as above (a heavy item counted inside
 * that is not).
 */
function hiddenMass(
  contents: { grams: number; inside: readonly WeighedItem[] },
  possible: readonly WeighedItem[],
  noiseSdG: number,
  bound: number,
): number {
  let nominal = 0;
  let variance = noiseSdG * noiseSdG;
  for (const item of contents.inside) {
    nominal += item.grams ?? 0;
    variance += (item.toleranceG * item.toleranceG) / 3;
  }
  const window = normalQuantileUpper(bound / 2) * Math.sqrt(variance);
  const excess = contents.grams - nominal;
  // Mass beyond the settled set is explained only by some of the possible tags weighing it, not by
  // their total: a neighbour's bottle read through the wall does not hide a dead-tagged can.
  let nearest = excess;
  for (let mask = 1; mask < 1 << possible.length; mask++) {
    let grams = 0;
    let tolVariance = 0;
    for (let bit = 0; bit < possible.length; bit++) {
      if ((mask & (1 << bit)) === 0) continue;
      const item = possible[bit] as WeighedItem;
      grams += item.grams ?? 0;
      tolVariance += (item.toleranceG * item.toleranceG) / 3;
    }
    const off = excess - grams;
    const subsetWindow = normalQuantileUpper(bound / 2) * Math.sqrt(variance + tolVariance);
    if (Math.abs(off) <= subsetWindow) return 0;
    if (Math.abs(off) < Math.abs(nearest)) nearest = off;
  }
  return Math.abs(excess) <= window ? 0 : round1(nearest);
}

/** z·√2·σ: the noise of a difference of two readings, at the two-sided level `bound`. */
export function noiseMargin(noiseSdG: number, bound: number): number {
  return normalQuantileUpper(bound / 2) * Math.SQRT2 * noiseSdG;
}

/** z with P(Z > z) = tail for a standard normal Z (bisection on erfc; tail in (0, 0.5)). */
export function normalQuantileUpper(tail: number): number {
  let low = 0;
  let high = 40;
  for (let step = 0; step < 80; step++) {
    const middle = (low + high) / 2;
    if (0.5 * erfc(middle / Math.SQRT2) > tail) low = middle;
    else high = middle;
  }
  return high;
}

/** Complementary error function (Numerical Recipes' erfcc, relative error below 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
