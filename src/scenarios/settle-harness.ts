import { searchSchema } from '../config/cabinets.js';
import { ReadHistory } from '../domain/purchases/read-history.js';
import { ScaleMonitor } from '../domain/purchases/scale-monitor.js';
import { MemoryCalibration } from '../domain/purchases/search-calibration.js';
import type { SessionRecord } from '../domain/purchases/session-store.js';
import {
  type InsideTag,
  type SettleParams,
  settledSet,
  settleHistoryOptions,
} from '../domain/purchases/settle.js';
import {
  DEFAULT_EVIDENCE_POLICY,
  type EvidencePolicy,
  type SessionEvidence,
  type SettleStep,
  settleStep,
  type WeightState,
} from '../domain/purchases/settle-step.js';
import type { PurchaseEvidence } from '../shared/commerce.js';
import type { ScenarioPlan, SessionKind } from './plan.js';
import { type SearchModel, SimulatedSearch } from './search-model.js';
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
  /** The searches' and the scale's part in the decision. */
  evidence?: PurchaseEvidence;
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
  /**
   * Targeted searches for undecided tags, and idle calibration searches, on the reader (see
   * search-model.ts): `select` finds a tag as a Gen2 Select-filtered read does, `pessimistic` no
   * better than one passive round. Default none.
   */
  search?: SearchModel;
  /** Weigh with the scenario's scale samples (it must have a scale). Default false. */
  scale?: boolean;
  policy?: EvidencePolicy;
}

interface Open {
  index: number;
  record: SessionRecord;
  nextCheck?: number;
  /** Searches of this session since the close. */
  searches: { found: Set<string>; misses: Map<string, number>; count: number; lastAtMs: number | undefined };
  beforeG?: number;
  afterG?: number | undefined;
  possibleSinceMs?: number;
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
  const policy = options.policy ?? DEFAULT_EVIDENCE_POLICY;
  const searcher = options.search ? new SimulatedSearch(plan, options.search) : undefined;
  const calibration = new MemoryCalibration();
  const scale = options.scale && plan.truth.scale ? new ScaleMonitor() : undefined;
  const products = new Map(plan.truth.products.map((product) => [product.sku, product]));
  const itemWeights = new Map(
    plan.truth.items.map((item) => {
      const product = products.get(item.sku);
      return [item.tag, { grams: product?.unitWeightG, toleranceG: product?.weightToleranceG ?? 0 }];
    }),
  );
  let nextOpen = 0;
  let current: Open | undefined;
  let reads = 0;
  let doorOpen = false;
  /** The reader is searching until then: it reads nothing passively. */
  let pausedUntil = Number.NEGATIVE_INFINITY;
  let nextCalibration = epoch + CALIBRATE_EVERY_MS;
  const endAt = epoch + plan.truth.endMs;

  const finish = (
    open: Open,
    now: number,
    step: Extract<SettleStep, { kind: 'completed' | 'uncertain' }>,
  ) => {
    const truth = sessions[open.index];
    if (!truth) return;
    const result = step.kind;
    const taken = step.taken;
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
      settleMs: now - (open.record.closedAt ?? now),
      reasons: step.kind === 'uncertain' ? step.reasons : [],
      undecided: step.kind === 'uncertain' ? step.undecided : [],
      exact: result === 'completed' && !overcharged && !missed,
      overcharged,
      missed,
      collapse: truth.collapse,
      evidence: step.evidence,
    });
    current = undefined;
  };
  const evidenceOf = (open: Open, now: number): SessionEvidence => {
    const evidence: SessionEvidence = {};
    if (searcher) {
      evidence.search = {
        available: true,
        running: false,
        ...open.searches,
        calibration: (tag) => calibration.get(tag),
      };
    }
    if (scale) {
      const closedAt = open.record.closedAt ?? now;
      // One look per close, as the cabinet takes it (CabinetEvidence.weightAfter).
      open.afterG ??= scale.stableBetween(closedAt, now)?.grams;
      const weight: WeightState = {
        emptyG: plan.truth.scale?.tareG ?? 0,
        item: (tag) => ({
          tag,
          grams: itemWeights.get(tag)?.grams,
          toleranceG: itemWeights.get(tag)?.toleranceG ?? 0,
          product: itemWeights.has(tag),
        }),
      };
      if (open.possibleSinceMs !== undefined) weight.possibleSinceMs = open.possibleSinceMs;
      if (open.beforeG === undefined) weight.unavailable = 'no stable weight before the door opened';
      else weight.beforeG = open.beforeG;
      const noise = scale.noiseSdG;
      if (noise !== undefined) weight.noiseSdG = noise;
      if (open.afterG !== undefined) weight.afterG = open.afterG;
      evidence.weight = weight;
    }
    return evidence;
  };
  const check = (open: Open, now: number): void => {
    const step = settleStep(open.record, [], history, now, params, evidenceOf(open, now), policy);
    if (step.kind === 'completed' || step.kind === 'uncertain') {
      finish(open, now, step);
    } else if (step.kind === 'search' && searcher) {
      const result = searcher.search(step.tags, now - epoch);
      for (const tag of result.found) open.searches.found.add(tag);
      for (const tag of result.notFound)
        open.searches.misses.set(tag, (open.searches.misses.get(tag) ?? 0) + 1);
      open.searches.count += 1;
      pausedUntil = now + result.tookMs;
      open.searches.lastAtMs = pausedUntil;
      open.nextCheck = pausedUntil;
    } else if (step.kind === 'wait') {
      open.nextCheck = now + Math.max(1, step.delayMs);
    }
  };
  const calibrate = (now: number): void => {
    if (!searcher || current || doorOpen || now < pausedUntil) return;
    const inside = [...settledSet(history, now, params).keys()];
    const tags = calibration.pick(inside, CALIBRATE_TAGS);
    if (tags.length === 0) return;
    const result = searcher.search(tags, now - epoch);
    for (const tag of result.found) calibration.record(tag, true, now);
    for (const tag of result.notFound) calibration.record(tag, false, now);
    pausedUntil = now + result.tookMs;
  };
  const runChecksUntil = (at: number): void => {
    for (;;) {
      const check1 = current?.nextCheck ?? Number.POSITIVE_INFINITY;
      // Calibration runs while the capture lasts; after it only the session's checks remain.
      const calibrationDue =
        searcher && nextCalibration <= endAt ? nextCalibration : Number.POSITIVE_INFINITY;
      const next = Math.min(check1, calibrationDue);
      if (next > at || next === Number.POSITIVE_INFINITY) return;
      if (current && check1 === next) {
        current.nextCheck = undefined;
        check(current, next);
      } else {
        nextCalibration += CALIBRATE_EVERY_MS;
        calibrate(next);
      }
    }
  };

  for (const observation of observations(plan)) {
    const at = epoch + observation.t;
    runChecksUntil(at);
    if (observation.kind === 'read') {
      if (at < pausedUntil) continue;
      history.record(
        observation.tag,
        at,
        observation.rssi,
        options.antennas === false ? 0 : observation.antenna,
      );
      if (++reads % pruneEvery === 0) history.prune(at);
    } else if (observation.kind === 'weight') {
      scale?.sample(at, observation.grams, !doorOpen && !current);
    } else if (observation.kind === 'door') {
      history.door(observation.value === 'open', at);
      doorOpen = observation.value === 'open';
    }
    if (observation.kind === 'door' && observation.value === 'open') {
      const session = opened[nextOpen++];
      if (session) {
        const before = settledSet(history, at, params);
        if (options.knownRates) withTrueRates(plan, before, observation.t);
        const lastClose = history.lastDoorCloseMs;
        const stable = scale?.stableBetween(
          Math.max(at - 60_000, Number.isNaN(lastClose) ? -Infinity : lastClose),
          at,
        );
        current = {
          index: session.index,
          record: sessionRecord(session.index, at, before),
          searches: { found: new Set(), misses: new Map(), count: 0, lastAtMs: undefined },
          ...(stable ? { beforeG: stable.grams } : {}),
          ...(Number.isNaN(lastClose) ? {} : { possibleSinceMs: lastClose }),
        };
      }
    } else if (observation.kind === 'door' && current && current.record.closedAt === null) {
      current.record.closedAt = at;
      current.record.state = 'settling';
      check(current, at);
    }
  }
  runChecksUntil(Number.POSITIVE_INFINITY);
  outcomes.sort((a, b) => a.session - b.session);
  return summarise(plan.truth.readProbability, outcomes);
}

/** Idle calibration searches, as a cabinet's defaults (config `search`). */
const CALIBRATE_EVERY_MS = searchSchema.parse({}).calibrateEveryMs;
const CALIBRATE_TAGS = searchSchema.parse({}).calibrateTags;

function sessionRecord(index: number, openedAt: number, before: Map<string, InsideTag>): SessionRecord {
  return {
    id: `harness-${index}`,
    cabinet: 'harness',
    customer: 'harness',
    via: 'card',
    state: 'open',
    startedAt: openedAt,
    openedAt,
    closedAt: null,
    before: [...before.values()].map(({ tag, rounds, hits, pLower }) => ({ tag, rounds, hits, pLower })),
    outcome: null,
    updatedAt: openedAt,
  };
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
