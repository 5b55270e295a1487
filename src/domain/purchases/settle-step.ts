import type { PurchaseEvidence } from '../../shared/commerce.js';
import type { ReadHistory } from './read-history.js';
import type { BeforeTag, SessionRecord } from './session-store.js';
import {
  type Evaluation,
  evaluate,
  type InsideTag,
  newcomerTags,
  possibleTags,
  SETTLE_REASONS,
  SETTLE_RULES,
  type SearchEvidence,
  type SettleParams,
  settledSet,
} from './settle.js';
import { type WeighedItem, type WeightVerdict, weighBasket } from './weight-fusion.js';

/**
 * Between the evidence (settle.ts: passive reads and searches; weight-fusion.ts: the scale) and the
 * cabinet's state machine: what a settling session does next. Pure, so that the cabinet keeps the
 * timers, the commits, the screens and the I/O, and the scenario harness runs the very same rule.
 *
 * Order of evidence: the passive reads always; a targeted search for the tags they leave undecided
 * (when the cabinet's reader can search); the weight difference as a check of every basket and as a
 * decider among undecided tags. Any reader or store fault during the session makes it uncertain.
 */

export type SettleStep =
  /** Ask again after `delayMs`. */
  | { kind: 'wait'; delayMs: number }
  /** Search for these tags, then ask again. */
  | { kind: 'search'; tags: string[] }
  | { kind: 'completed'; taken: string[]; added: string[]; settleMs: number; evidence: EvidenceSummary }
  /** Reported for review, never charged. */
  | {
      kind: 'uncertain';
      reasons: string[];
      undecided: Evaluation['undecided'];
      taken: string[];
      evidence: EvidenceSummary;
    };

/** The searches of this session since the close, and whether the reader can search now. */
export interface SearchState extends SearchEvidence {
  available: boolean;
  running: boolean;
  count: number;
  lastAtMs: number | undefined;
}

/** The scale's view of this session. */
export interface WeightState {
  /** Why the scale cannot be used now (offline, not stable before the open, noise not measured). */
  unavailable?: string;
  beforeG?: number;
  /** The newest stable reading after the close. */
  afterG?: number;
  noiseSdG?: number;
  /** What the scale reads with the cabinet empty (0 for a scale tared empty). */
  emptyG: number;
  /**
   * The door's last close before this session opened it: only tags read since may have been inside
   * (an item taken earlier was read in the history window too). Unknown after a restart.
   */
  possibleSinceMs?: number;
  item(tag: string): WeighedItem;
}

export interface SessionEvidence {
  search?: SearchState;
  weight?: WeightState;
}

export interface EvidencePolicy {
  /** First search this long after the close: the passive rounds decide the easy tags first. */
  searchAfterMs: number;
  /** Between two searches of one session (the passive rounds in between are evidence too). */
  searchGapMs: number;
  maxSearches: number;
  /** How long after the close a stable weight is waited for before RFID decides alone. */
  scaleWaitMs: number;
}

export const DEFAULT_EVIDENCE_POLICY: EvidencePolicy = {
  searchAfterMs: 1000,
  searchGapMs: 2000,
  maxSearches: 1,
  scaleWaitMs: 5000,
};

/** What the receipt or the review sees of the evidence besides the passive reads. */
export type EvidenceSummary = PurchaseEvidence;

export const WEIGHT_REASONS = {
  mismatch: 'weight_mismatch',
} as const;

/** The settled set just before the door opens at `now`, as the session record keeps it. */
export function beforeOpening(history: ReadHistory, now: number, params: SettleParams): BeforeTag[] {
  return [...settledSet(history, now, params).values()].map(toBefore);
}

/**
 * The step of a settling session at `now`. `faults` went wrong during the session (readers, the
 * store): with any of them a decided session is uncertain, not charged.
 */
export function settleStep(
  session: SessionRecord,
  faults: Iterable<string>,
  history: ReadHistory,
  now: number,
  params: SettleParams,
  evidence: SessionEvidence = {},
  policy: EvidencePolicy = DEFAULT_EVIDENCE_POLICY,
): SettleStep {
  const closedAt = session.closedAt ?? now;
  const before = new Map<string, InsideTag>((session.before ?? []).map((tag) => [tag.tag, tag]));
  const result = evaluate(history, before, closedAt, now, params, evidence.search);
  const deadline = closedAt + params.maxMs;
  const faultList = [...faults];
  const summary: EvidenceSummary = {};
  if (evidence.search && evidence.search.count > 0) {
    summary.search = { searches: evidence.search.count, found: [...evidence.search.found].sort() };
  }
  // An item put back is only recognised after a few rounds: the receipt waits for them, so that
  // it can say what was returned, and the weight counts it.
  const addedSeenBy = closedAt + (SETTLE_RULES.addedMinHits + 1) * params.cycleMs;
  const uncertain = (reasons: string[]): SettleStep => ({
    kind: 'uncertain',
    reasons,
    undecided: result.undecided,
    taken: result.taken,
    evidence: summary,
  });

  if (faultList.length > 0) {
    const reasons = [...faultList, ...result.reasons];
    if (result.done) return uncertain(reasons);
    if (now >= deadline) return uncertain([...reasons, `undecided after ${params.maxMs} ms`]);
    return waitUntil(now, Math.min(result.nextCheckAt ?? deadline, deadline));
  }

  const scale = weigh(
    { result, history, before, openedAt: session.openedAt ?? closedAt, closedAt, now },
    evidence.weight,
    params,
    policy,
  );
  if (scale.summary) summary.weight = scale.summary;
  let taken = result.taken;
  let done = result.done && result.reasons.length === 0;
  const verdict = scale.verdict;
  if (verdict?.kind === 'agrees' || verdict?.kind === 'decides') {
    if (verdict.kind === 'decides') taken = [...taken, ...verdict.taken];
    // Not over a reader that stopped reading or collapsed: it could not see an item put in either.
    done =
      !result.reasons.includes(SETTLE_REASONS.collapsed) && !result.reasons.includes(SETTLE_REASONS.noReads);
  }
  const mismatch =
    verdict?.kind === 'disagrees'
      ? `${WEIGHT_REASONS.mismatch}: ${verdict.unexplainedG} g removed that the tags do not explain`
      : undefined;
  // A disagreement may still resolve (an item put in is recognised after a few rounds, the scale
  // settles further): asked again every round until the deadline, then uncertain with the grams.
  if (mismatch) done = false;
  if (done && scale.pending && now < closedAt + policy.scaleWaitMs) {
    return waitUntil(now, Math.min(now + params.cycleMs, closedAt + policy.scaleWaitMs));
  }
  if (done && now < addedSeenBy) return waitUntil(now, addedSeenBy);
  if (done) {
    return {
      kind: 'completed',
      taken: [...taken].sort(),
      added: result.added,
      settleMs: now - closedAt,
      evidence: summary,
    };
  }
  const search = evidence.search;
  // While a stable weight is still to come, it is waited for: it decides most baskets at once,
  // and a search stops the passive rounds meanwhile.
  const searchAt =
    search?.available && !search.running && search.count < policy.maxSearches && !scale.pending
      ? Math.max(
          closedAt + policy.searchAfterMs,
          (search.lastAtMs ?? Number.NEGATIVE_INFINITY) + policy.searchGapMs,
        )
      : undefined;
  if (searchAt !== undefined && now >= searchAt && now < deadline && result.undecided.length > 0) {
    return { kind: 'search', tags: result.undecided.map((entry) => entry.tag) };
  }
  if (now >= deadline || (result.done && !mismatch)) {
    const reasons = mismatch ? [mismatch, ...result.reasons] : [...result.reasons];
    return uncertain(result.done ? reasons : [...reasons, `undecided after ${params.maxMs} ms`]);
  }
  let next = Math.min(result.nextCheckAt ?? deadline, deadline);
  if (searchAt !== undefined) next = Math.min(next, Math.max(searchAt, now));
  if (scale.pending || mismatch) next = Math.min(next, now + params.cycleMs);
  return waitUntil(now, next);
}

interface ScaleAssessment {
  verdict?: WeightVerdict;
  summary?: EvidenceSummary['weight'];
  /** A stable reading after the close may still come. */
  pending: boolean;
}

interface SettleMoment {
  result: Evaluation;
  history: ReadHistory;
  before: ReadonlyMap<string, InsideTag>;
  openedAt: number;
  closedAt: number;
  now: number;
}

function weigh(
  moment: SettleMoment,
  weight: WeightState | undefined,
  params: SettleParams,
  policy: EvidencePolicy,
): ScaleAssessment {
  const { result, history, before, openedAt, closedAt, now } = moment;
  if (!weight) return { pending: false };
  const unused = (reason: string): ScaleAssessment => ({
    pending: false,
    summary: { status: 'unused', reason },
  });
  if (weight.unavailable !== undefined) return unused(weight.unavailable);
  if (weight.beforeG === undefined) return unused('no stable weight before the door opened');
  if (weight.noiseSdG === undefined) return unused("the scale's noise is not measured yet");
  if (weight.afterG === undefined) {
    return now < closedAt + policy.scaleWaitMs
      ? { pending: true }
      : unused(`no stable weight within ${policy.scaleWaitMs} ms of the close`);
  }
  const verdict = weighBasket({
    beforeG: weight.beforeG,
    afterG: weight.afterG,
    noiseSdG: weight.noiseSdG,
    taken: result.taken.map((tag) => weight.item(tag)),
    added: result.added.map((tag) => weight.item(tag)),
    undecided: result.undecided.map((entry) => weight.item(entry.tag)),
    possible: possibleTags(
      history,
      before,
      weight.possibleSinceMs ?? openedAt - params.historyMs,
      closedAt,
    ).map((tag) => weight.item(tag)),
    // Read since the open, not only since the close: an item put in was in the customer's hand first.
    newcomers: newcomerTags(history, before, openedAt, result.added).map((tag) => weight.item(tag)),
    contents: {
      grams: weight.beforeG - weight.emptyG,
      inside: [...before.keys()].map((tag) => weight.item(tag)),
    },
    bound: params.bound,
  });
  switch (verdict.kind) {
    case 'agrees':
    case 'decides': {
      const { removedG, expectedG, windowG } = verdict;
      const status = verdict.kind === 'agrees' ? 'agreed' : 'decided';
      return { verdict, pending: false, summary: { status, removedG, expectedG, windowG } };
    }
    case 'disagrees':
      return {
        verdict,
        pending: false,
        summary: { status: 'disagreed', removedG: verdict.removedG, unexplainedG: verdict.unexplainedG },
      };
    case 'ambiguous':
      return { verdict, pending: false, summary: { status: 'ambiguous', reason: verdict.reason } };
    case 'hidden':
      return {
        verdict,
        pending: false,
        summary: { status: 'ambiguous', reason: `${verdict.hiddenG} g before the open that no tag explains` },
      };
    default:
      return { ...unused(verdict.reason), verdict };
  }
}

function waitUntil(now: number, at: number): SettleStep {
  return { kind: 'wait', delayMs: Math.max(0, at - now) };
}

function toBefore(tag: InsideTag): BeforeTag {
  return { tag: tag.tag, rounds: tag.rounds, hits: tag.hits, pLower: tag.pLower };
}
