import type { ReadHistory } from './read-history.js';
import type { BeforeTag, SessionRecord } from './session-store.js';
import {
  type Evaluation,
  evaluate,
  type InsideTag,
  SETTLE_RULES,
  type SettleParams,
  settledSet,
} from './settle.js';

/**
 * Between the settle maths (settle.ts) and the cabinet's state machine: what a session stores of the
 * settled set, and what a settling session does next. Pure, so the cabinet keeps the timers, the
 * commits and the screens.
 */

export type SettleStep =
  /** Ask again after `delayMs`. */
  | { kind: 'wait'; delayMs: number }
  | { kind: 'completed'; taken: string[]; added: string[]; settleMs: number }
  /** Reported for review, never charged. */
  | { kind: 'uncertain'; reasons: string[]; undecided: Evaluation['undecided']; taken: string[] };

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
): SettleStep {
  const closedAt = session.closedAt ?? now;
  const before = new Map<string, InsideTag>((session.before ?? []).map((tag) => [tag.tag, tag]));
  const result = evaluate(history, before, closedAt, now, params);
  const deadline = closedAt + params.maxMs;
  const reasons = [...faults, ...result.reasons];
  // An item put back is only recognised after a few rounds: the receipt waits for them, so that
  // it can say what was returned.
  const addedSeenBy = closedAt + (SETTLE_RULES.addedMinHits + 1) * params.cycleMs;
  if (result.done && reasons.length === 0 && now < addedSeenBy) {
    return { kind: 'wait', delayMs: addedSeenBy - now };
  }
  if (result.done && reasons.length === 0) {
    return { kind: 'completed', taken: result.taken, added: result.added, settleMs: now - closedAt };
  }
  if (now >= deadline || (result.done && reasons.length > 0)) {
    const why = result.done ? reasons : [...reasons, `undecided after ${params.maxMs} ms`];
    return { kind: 'uncertain', reasons: why, undecided: result.undecided, taken: result.taken };
  }
  const next = Math.min(result.nextCheckAt ?? deadline, deadline);
  return { kind: 'wait', delayMs: Math.max(0, next - now) };
}

function toBefore(tag: InsideTag): BeforeTag {
  return { tag: tag.tag, rounds: tag.rounds, hits: tag.hits, pLower: tag.pLower };
}
