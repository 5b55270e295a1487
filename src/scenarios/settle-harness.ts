import { ReadHistory } from '../domain/purchases/read-history.js';
import {
  type Evaluation,
  evaluate,
  type InsideTag,
  type SettleParams,
  settledSet,
  settleHistoryOptions,
} from '../domain/purchases/settle.js';
import type { ScenarioPlan, SessionKind } from './plan.js';
import { observations } from './simulate.js';

/**
 * Runs the settle algorithm alone over a scenario, in memory: the reads go straight into a ReadHistory
 * (no capture, no gateway), the settled set is taken when the door opens and the session is evaluated
 * at every `nextCheckAt` after the close, exactly as a cabinet does it. It measures the algorithm, not
 * the plumbing: use it to choose settle parameters for a fridge, or to check a change to settle.ts.
 */

export interface SessionOutcome {
  session: number;
  kind: SessionKind;
  result: 'completed' | 'uncertain' | 'not_opened';
  /** What would be charged (completed) or what was found taken (uncertain, not charged). */
  taken: string[];
  /** The truth: what left and stayed out. */
  basket: string[];
  /** Door closed → decision; null when the door never opened. */
  settleMs: number | null;
  reasons: string[];
  /** Tags still undecided at the decision (uncertain sessions), with their chance of being inside. */
  undecided: Array<{ tag: string; pUnread: number }>;
  /** Completed with exactly the basket. */
  exact: boolean;
  /** Completed with a tag that did not leave: the worst bug. */
  overcharged: boolean;
  /** Completed without a tag that left. */
  missed: boolean;
  collapse: boolean;
}

export interface SettleSummary {
  readProbability: number;
  /** Sessions whose door opened (the others are not the settle algorithm's business). */
  sessions: number;
  exactBasketRate: number;
  uncertainRate: number;
  /** Completed with a basket different from the truth (over- or under-charged). */
  falseChargeRate: number;
  overchargeRate: number;
  missedChargeRate: number;
  settleMs: { p50: number; p99: number; max: number };
  outcomes: SessionOutcome[];
}

export interface HarnessOptions {
  /** Pass antennas to the history (default true); false mimics a reader that does not report them. */
  antennas?: boolean;
  /** Prune the history every this many reads, as the purchases extension does. Default 1000. */
  pruneEveryReads?: number;
  /**
   * Give settling each tag's true read probability at the open (as a history of a million rounds at
   * that rate) instead of its measured one: the best this bound allows on this traffic, which tells
   * what measuring costs apart from what the physics costs.
   */
  knownRates?: boolean;
}

interface Open {
  index: number;
  before: Map<string, InsideTag>;
  closedAt?: number;
  nextCheck?: number;
}

export function runSettleHarness(
  plan: ScenarioPlan,
  params: SettleParams,
  options: HarnessOptions = {},
): SettleSummary {
  const epoch = Date.parse(plan.truth.startedAt);
  const history = new ReadHistory(settleHistoryOptions(params));
  const sessions = plan.truth.sessions;
  const opened = sessions.filter((session) => session.openedAtMs !== null);
  const outcomes: SessionOutcome[] = sessions
    .filter((session) => session.openedAtMs === null)
    .map((session) => ({
      session: session.index,
      kind: session.kind,
      result: 'not_opened',
      taken: [],
      basket: session.basket,
      settleMs: null,
      reasons: [],
      undecided: [],
      exact: session.basket.length === 0,
      overcharged: false,
      missed: false,
      collapse: session.collapse,
    }));
  const pruneEvery = options.pruneEveryReads ?? 1000;
  let nextOpen = 0;
  let current: Open | undefined;
  let reads = 0;

  const finish = (open: Open, now: number, result: 'completed' | 'uncertain', evaluation: Evaluation) => {
    const { taken, reasons, undecided } = evaluation;
    const truth = sessions[open.index];
    if (!truth) return;
    const basket = new Set(truth.basket);
    const charged = result === 'completed' ? taken : [];
    const overcharged = charged.some((tag) => !basket.has(tag));
    const missed = result === 'completed' && truth.basket.some((tag) => !charged.includes(tag));
    outcomes.push({
      session: truth.index,
      kind: truth.kind,
      result,
      taken: [...taken].sort(),
      basket: [...truth.basket].sort(),
      settleMs: now - (open.closedAt ?? now),
      reasons,
      undecided,
      exact: result === 'completed' && !overcharged && !missed,
      overcharged,
      missed,
      collapse: truth.collapse,
    });
    current = undefined;
  };
  const check = (open: Open, now: number): void => {
    const closedAt = open.closedAt ?? now;
    const evaluation = evaluate(history, open.before, closedAt, now, params);
    const deadline = closedAt + params.maxMs;
    if (evaluation.done && evaluation.reasons.length === 0) {
      finish(open, now, 'completed', evaluation);
    } else if (now >= deadline || evaluation.done) {
      finish(open, now, 'uncertain', evaluation);
    } else {
      open.nextCheck = Math.min(evaluation.nextCheckAt ?? deadline, deadline);
    }
  };
  const runChecksUntil = (at: number): void => {
    while (current?.nextCheck !== undefined && current.nextCheck <= at) check(current, current.nextCheck);
  };

  for (const observation of observations(plan)) {
    const at = epoch + observation.t;
    runChecksUntil(at);
    if (observation.kind === 'read') {
      history.record(
        observation.tag,
        at,
        observation.rssi,
        options.antennas === false ? 0 : observation.antenna,
      );
      if (++reads % pruneEvery === 0) history.prune(at);
    } else if (observation.kind === 'door') {
      history.door(observation.value === 'open', at);
    }
    if (observation.kind === 'door' && observation.value === 'open') {
      const session = opened[nextOpen++];
      if (session) {
        const before = settledSet(history, at, params);
        if (options.knownRates) withTrueRates(plan, before, observation.t);
        current = { index: session.index, before };
      }
    } else if (observation.kind === 'door' && current && current.closedAt === undefined) {
      current.closedAt = at;
      check(current, at);
    }
  }
  runChecksUntil(Number.POSITIVE_INFINITY);
  outcomes.sort((a, b) => a.session - b.session);
  return summarise(plan.truth.readProbability, outcomes);
}

const KNOWN_ROUNDS = 1_000_000;

function withTrueRates(plan: ScenarioPlan, before: Map<string, InsideTag>, atMs: number): void {
  const byTag = new Map(plan.tags.map((tag) => [tag.tag, tag]));
  for (const inside of before.values()) {
    const spot = byTag.get(inside.tag)?.placements.find((place) => place.fromMs <= atMs && atMs < place.toMs);
    if (!spot) continue;
    inside.rounds = KNOWN_ROUNDS;
    inside.hits = Math.round(spot.p * KNOWN_ROUNDS);
  }
}

function summarise(readProbability: number, outcomes: SessionOutcome[]): SettleSummary {
  const decided = outcomes.filter((outcome) => outcome.result !== 'not_opened');
  const count = decided.length;
  const share = (predicate: (outcome: SessionOutcome) => boolean) =>
    count === 0 ? 0 : decided.filter(predicate).length / count;
  const times = decided.map((outcome) => outcome.settleMs ?? 0).sort((a, b) => a - b);
  return {
    readProbability,
    sessions: count,
    exactBasketRate: share((outcome) => outcome.exact),
    uncertainRate: share((outcome) => outcome.result === 'uncertain'),
    falseChargeRate: share((outcome) => outcome.result === 'completed' && !outcome.exact),
    overchargeRate: share((outcome) => outcome.overcharged),
    missedChargeRate: share((outcome) => outcome.missed),
    settleMs: {
      p50: percentile(times, 0.5),
      p99: percentile(times, 0.99),
      max: times[times.length - 1] ?? 0,
    },
    outcomes,
  };
}

/** Nearest-rank percentile of sorted values (0 for none). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}
