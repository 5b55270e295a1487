import { betaLowerQuantile, unreadChance } from './beta.js';
import type { ReadHistory, ReadHistoryOptions } from './read-history.js';

/**
 * Settling a cabinet: which tags left while the door was open, decided from each tag's own read
 * history rather than from a fixed timer (devices.md §5). Pure and synchronous: all time is passed in.
 *
 * The maths, and why:
 * - Rounds are the trials. Before the door opens, a tag that is inside was read in `hits` of `rounds`
 *   usable rounds (a round is usable when the reader read anything at all, the door was closed
 *   throughout, and every antenna that ever read this tag read something: a reader that is off, an
 *   antenna that is dead, or a customer in front of the antennas is no evidence of the closed cabinet).
 * - Its per-round detection probability p is not known, only estimated, and a tag seen in 20 rounds is
 *   much less certain than one seen in 700. So p is not a number but the posterior Beta(hits + 1,
 *   rounds − hits + 1) from a uniform prior, and the chance that the tag is still inside yet unread for
 *   k usable rounds after the close is the posterior expectation E[(1 − p)^k] (unreadChance): the
 *   probability the issue asks for, "given that tag's own read rate measured before the session", with
 *   the uncertainty of the measurement in it. It exceeds (1 − p̂)^k, by more for a short history (a
 *   restocked item), because the rates below p̂ weigh more than those above. We call the tag taken only
 *   when this is below `bound` (1e-6). Compare a fixed "3 missed cycles" rule: 0.5³ = 12.5 % at p = 0.5.
 * - Rounds with the door open are left out of the history (ReadHistory.door): the customer shadows the
 *   antennas and items move, so they measure neither the cabinet before nor after. Counting them would
 *   bias every rate low, which is safe but slow.
 * - The settled set holds only tags read since the door last closed, when that close is known: with
 *   the door shut nothing leaves, so such a tag is certainly inside when the door opens, and a tag not
 *   read since is not, whatever its rate (an item an uncertain session did not charge must never be
 *   charged to the next customer). Without a known close (after a restart) the run of misses at the end
 *   must be plausible for the tag's rate instead: (1 − p̂)^run ≥ bound.
 * - Only rounds that start after the close count (the round in which the door closed and the rounds
 *   while it was open say nothing about where the item is now), and only rounds in which at least one
 *   tag of the settled set was read: if the cabinet reads none of its own tags, the reader, not the
 *   customer, is the likelier cause, and no round without such evidence brings a charge closer.
 * - One read after the close decides "stayed" for good: an item cannot come back through a closed
 *   door, so a flickering tag is never charged.
 * - The read rate of the whole cabinet may fall after the close (detuned reader, antenna fault, items
 *   stacked differently). Tags that stayed tell us by how much: in the rounds after their first read
 *   after the close, they were hit H times where their history predicts E = Σ p̂·n. If H < E we scale
 *   every rate by H/E (slower, safer decisions); if H < E/2 the history no longer describes the
 *   cabinet: `read_rate_collapsed`, and nothing unread is charged.
 * - A tag belongs to the settled set only with at least `minCycles` usable rounds and a rate ≥ 0.1
 *   (strays and a neighbouring cabinet's tags are read in a few percent of rounds; they must not make
 *   a session uncertain).
 * - A tag inside whose rate is too low to reach `bound` within `maxMs` stays undecided, which makes
 *   the session uncertain (reported, never charged) rather than a guess.
 */

export interface SettleParams {
  bound: number;
  maxMs: number;
  cycleMs: number;
  minCycles: number;
  historyMs: number;
}

export interface InsideTag {
  tag: string;
  /** Usable rounds in the history window (see above). */
  rounds: number;
  /** Of those, rounds in which the tag was read. */
  hits: number;
  /**
   * The 1 % lower bound of the read probability: kept with the session for people reading it
   * (sessions/get); decisions use the whole posterior (unreadChance).
   */
  pLower: number;
}

export interface Evaluation {
  /** Every tag of `before` decided. */
  done: boolean;
  /** Read after the close. */
  stayed: string[];
  /** P(inside but unread) < bound. */
  taken: string[];
  /** Read after the close with evidence of being inside, and not in `before` (put in, or returned). */
  added: string[];
  undecided: Array<{ tag: string; pUnread: number }>;
  /** Why tags are undecided (only when some are): see SETTLE_REASONS. */
  reasons: string[];
  /** When the answer can next change without a read (a round boundary, capped at closedAt + maxMs). */
  nextCheckAt: number | undefined;
}

/**
 * What targeted searches since the close said (see search-calibration.ts). A search that found a tag
 * is as good as a read: the tag stayed. One that did not is evidence in proportion to how reliably a
 * search finds that tag when it is there: its calibration (searches while the tag was known to be
 * inside, and how many found it) gives a Beta posterior for that detection probability q, and m
 * searches that missed multiply the chance of "inside but unread" by E[1 − q] under it: one trial,
 * however many searches, because repeated searches of a tag in one spot are not independent. The
 * passive rounds and a search are different physics (a crowded inventory round against a lone
 * select), so the two factors multiply, and the product is held to the same bound.
 */
export interface SearchEvidence {
  found: ReadonlySet<string>;
  /** Searches since the close that did not find the tag. */
  misses: ReadonlyMap<string, number>;
  calibration(tag: string): { trials: number; hits: number };
}

/** Fixed choices of the rule above; constants, not config, because the bound is the one knob. */
export const SETTLE_RULES = {
  /** One-sided level of the lower bounds on a read probability (`pLower`, an added tag's rate). */
  rateConfidence: 0.01,
  /** A tag read less often than this is not inside the cabinet as far as we can tell... */
  minInsideRate: 0.1,
  /**
   * ...with this confidence: looser than `rateConfidence`, because either error here is mild (a
   * neighbour's tag let in can only make a session uncertain, since its low rate never reaches the
   * bound; an own tag left out is a missed charge only if taken), and a tight one would leave out
   * weak tags restocked a few seconds ago.
   */
  memberConfidence: 0.1,
  /** A tag not in `before` is `added` after this many rounds with reads since the close. */
  addedMinHits: 3,
  /** Tags that stayed read at less than this share of their history: the reader, not the customer. */
  collapseRatio: 0.5,
  /** Expected hits of the tags that stayed before the ratio above is trusted. */
  collapseMinExpected: 8,
} as const;

export const SETTLE_REASONS = {
  collapsed: 'read_rate_collapsed',
  tooWeak: 'read_rate_too_low',
  noReads: 'no_reads_after_close',
} as const;

/**
 * The ReadHistory a cabinet needs: the history window, plus the longest settle after it (the rounds
 * since the close must still be in the ring at `maxMs`), plus a round either side.
 */
export function settleHistoryOptions(params: SettleParams, maxTags?: number): ReadHistoryOptions {
  const historyMs = params.historyMs + params.maxMs + 2 * params.cycleMs;
  return maxTags === undefined
    ? { cycleMs: params.cycleMs, historyMs }
    : { cycleMs: params.cycleMs, historyMs, maxTags };
}

/** The settled set at `atMs` (just before the door opened): tags with evidence of being inside. */
export function settledSet(history: ReadHistory, atMs: number, params: SettleParams): Map<string, InsideTag> {
  const inside = new Map<string, InsideTag>();
  const cycle = params.cycleMs;
  const end = Math.floor(atMs / cycle); // the round in progress at atMs is not complete: excluded
  const windowStart = end - Math.floor(params.historyMs / cycle);
  const start = Number.isNaN(history.oldestRound) ? end : Math.max(windowStart, history.oldestRound);
  const lastClose = history.lastDoorCloseMs;
  for (let slot = 0; slot < history.slotLimit; slot++) {
    const tag = history.tagAt(slot);
    if (tag === undefined || history.lastReadMs(slot) < start * cycle) continue;
    // A tag first seen inside the window: its first round is a hit by selection, so it is left out.
    const firstRound = Math.floor(history.firstSeenMs(slot) / cycle);
    const from = firstRound >= start ? firstRound + 1 : start;
    const mask = history.antennaMask(slot);
    let rounds = 0;
    let hits = 0;
    let run = 0;
    for (let round = from; round < end; round++) {
      if (!history.roundActive(round) || (history.roundAntennaMask(round) & mask) >>> 0 !== mask) continue;
      rounds += 1;
      if (history.hit(slot, round)) {
        hits += 1;
        run = 0;
      } else {
        run += 1;
      }
    }
    if (rounds < params.minCycles || hits === 0) continue;
    if (
      Number.isNaN(lastClose)
        ? (1 - hits / rounds) ** run < params.bound
        : history.lastReadMs(slot) <= lastClose
    )
      continue;
    if (betaLowerQuantile(hits, rounds, SETTLE_RULES.memberConfidence) < SETTLE_RULES.minInsideRate) continue;
    const pLower = betaLowerQuantile(hits, rounds, SETTLE_RULES.rateConfidence);
    inside.set(tag, { tag, rounds, hits, pLower });
  }
  return inside;
}

// Scratch per round since the close, reused across calls: evaluate runs every round of every session.
let usable = new Uint8Array(64);
let live = new Uint32Array(64);
let slots = new Int32Array(64);

/** What is decided at `nowMs` for a door closed at `closedAtMs`, given the settled set `before`. */
export function evaluate(
  history: ReadHistory,
  before: Map<string, InsideTag>,
  closedAtMs: number,
  nowMs: number,
  params: SettleParams,
  search?: SearchEvidence,
): Evaluation {
  const cycle = params.cycleMs;
  const first = Math.ceil(closedAtMs / cycle);
  const end = Math.max(first, Math.floor(nowMs / cycle)); // complete rounds: [first, end)
  const count = end - first;
  if (usable.length < count) {
    usable = new Uint8Array(count * 2);
    live = new Uint32Array(count * 2);
  }
  if (slots.length < before.size) slots = new Int32Array(before.size * 2);

  let index = 0;
  let anyMask = 0;
  for (const tag of before.keys()) {
    const slot = history.slotOf(tag);
    slots[index++] = slot;
    if (slot >= 0) anyMask = (anyMask | history.antennaMask(slot)) >>> 0;
  }
  for (let i = 0; i < count; i++) {
    usable[i] = 0;
    live[i] = history.roundAntennaMask(first + i);
  }
  for (let j = 0; j < index; j++) {
    const slot = slots[j] as number;
    if (slot < 0) continue;
    for (let i = 0; i < count; i++) if (usable[i] === 0 && history.hit(slot, first + i)) usable[i] = 1;
  }
  let usableRounds = 0;
  for (let i = 0; i < count; i++) usableRounds += usable[i] as number;

  // Pass 1: tags read since the close stayed; how often they were read tells whether the reader still
  // reads as it did (see the header).
  const stayed: string[] = [];
  let expected = 0;
  let observed = 0;
  index = 0;
  for (const [tag, inside] of before) {
    const slot = slots[index++] as number;
    if (slot < 0 || history.lastReadMs(slot) < closedAtMs) {
      if (search?.found.has(tag)) stayed.push(tag);
      continue;
    }
    stayed.push(tag);
    // Rounds after its first read since the close: that first hit is there by selection.
    let firstHit = first - 1;
    for (let round = first; round <= end; round++) {
      if (history.hit(slot, round)) {
        firstHit = round;
        break;
      }
    }
    const mask = history.antennaMask(slot);
    let rounds = 0;
    let hits = 0;
    for (let round = firstHit + 1; round < end; round++) {
      const i = round - first;
      if (usable[i] === 0 || ((live[i] as number) & mask) >>> 0 !== mask) continue;
      rounds += 1;
      if (history.hit(slot, round)) hits += 1;
    }
    expected += rounds * (inside.rounds > 0 ? inside.hits / inside.rounds : 0);
    observed += hits;
  }
  const trusted = expected >= SETTLE_RULES.collapseMinExpected;
  const collapsed = trusted && observed < SETTLE_RULES.collapseRatio * expected;
  const factor = trusted ? Math.min(1, observed / expected) : 1;

  // Pass 2: tags unread since the close are taken once their chance of being inside is below bound.
  const taken: string[] = [];
  const undecided: Array<{ tag: string; pUnread: number }> = [];
  let tooWeak = false;
  // Complete rounds between the close and the deadline: what a tag can ever be given.
  const maxRounds = Math.floor((closedAtMs + params.maxMs) / cycle) - first;
  index = 0;
  for (const [tag, inside] of before) {
    const slot = slots[index++] as number;
    if ((slot >= 0 && history.lastReadMs(slot) >= closedAtMs) || search?.found.has(tag)) continue;
    // A tag without a slot has not been read since it lost it: it needs every antenna alive.
    const mask = slot >= 0 ? history.antennaMask(slot) : anyMask;
    let misses = 0;
    for (let i = 0; i < count; i++) {
      if (usable[i] === 1 && ((live[i] as number) & mask) >>> 0 === mask) misses += 1;
    }
    const pUnread = unreadChance(inside.hits, inside.rounds, misses, factor) * searchMissChance(search, tag);
    if (!collapsed && pUnread < params.bound) {
      taken.push(tag);
    } else {
      undecided.push({ tag, pUnread });
      if (unreadChance(inside.hits, inside.rounds, maxRounds, factor) >= params.bound) tooWeak = true;
    }
  }

  const added = addedTags(history, before, closedAtMs, first, end);
  const reasons: string[] = [];
  if (undecided.length > 0) {
    if (collapsed) reasons.push(SETTLE_REASONS.collapsed);
    if (tooWeak) reasons.push(SETTLE_REASONS.tooWeak);
    if (usableRounds === 0 && count >= 4) reasons.push(SETTLE_REASONS.noReads);
  }
  const done = undecided.length === 0;
  const deadline = closedAtMs + params.maxMs;
  const nextCheckAt = done || nowMs >= deadline ? undefined : Math.min((end + 1) * cycle, deadline);
  return { done, stayed, taken, added, undecided, reasons, nextCheckAt };
}

/**
 * Tags read in [sinceMs, closedAtMs) that are neither in `before` nor read since the close: weak,
 * new, a neighbour's. They may have been inside; the weight must not ignore them (weight-fusion.ts).
 */
export function possibleTags(
  history: ReadHistory,
  before: ReadonlyMap<string, InsideTag>,
  sinceMs: number,
  closedAtMs: number,
): string[] {
  const tags: string[] = [];
  for (let slot = 0; slot < history.slotLimit; slot++) {
    const tag = history.tagAt(slot);
    if (tag === undefined || before.has(tag)) continue;
    const last = history.lastReadMs(slot);
    if (last >= sinceMs && last < closedAtMs) tags.push(tag);
  }
  return tags.sort();
}

/** Tags read since the close that were not inside before it and are not (yet) recognised as added. */
export function newcomerTags(
  history: ReadHistory,
  before: ReadonlyMap<string, InsideTag>,
  closedAtMs: number,
  added: readonly string[],
): string[] {
  const tags: string[] = [];
  for (let slot = 0; slot < history.slotLimit; slot++) {
    const tag = history.tagAt(slot);
    if (tag === undefined || before.has(tag) || added.includes(tag)) continue;
    if (history.lastReadMs(slot) >= closedAtMs) tags.push(tag);
  }
  return tags.sort();
}

/**
 * E[1 − q] when searches since the close missed `tag` (1 without any). However many missed, they
 * count as one trial: they look at the same tag in the same spot seconds apart, so a tag a search
 * cannot find there is missed by the next one too, and m misses are not m independent chances.
 */
function searchMissChance(search: SearchEvidence | undefined, tag: string): number {
  const misses = search?.misses.get(tag) ?? 0;
  if (!search || misses === 0) return 1;
  const { trials, hits } = search.calibration(tag);
  return unreadChance(hits, trials, 1);
}

/** Tags not in `before`, read since the close in enough rounds, and at a rate of a tag inside. */
function addedTags(
  history: ReadHistory,
  before: Map<string, InsideTag>,
  closedAtMs: number,
  first: number,
  end: number,
): string[] {
  const added: string[] = [];
  for (let slot = 0; slot < history.slotLimit; slot++) {
    const tag = history.tagAt(slot);
    if (tag === undefined || before.has(tag) || history.lastReadMs(slot) < closedAtMs) continue;
    let rounds = 0;
    let hits = 0;
    for (let round = first; round < end; round++) {
      if (!history.roundActive(round)) continue;
      rounds += 1;
      if (history.hit(slot, round)) hits += 1;
    }
    if (hits < SETTLE_RULES.addedMinHits) continue;
    if (betaLowerQuantile(hits, rounds, SETTLE_RULES.rateConfidence) >= SETTLE_RULES.minInsideRate) {
      added.push(tag);
    }
  }
  return added.sort();
}
