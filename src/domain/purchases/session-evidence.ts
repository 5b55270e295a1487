import type { CabinetConfig } from '../../config/cabinets.js';
import type { Logger } from '../../observability/logger.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { TaggedItem } from '../../shared/commerce.js';
import type { ReadHistory } from './read-history.js';
import { ScaleMonitor } from './scale-monitor.js';
import type { CalibrationStore } from './search-calibration.js';
import { settledSet } from './settle.js';
import type { SearchState, SessionEvidence, WeightState } from './settle-step.js';
import type { WeighedItem } from './weight-fusion.js';

/** What a targeted search answered (the `devices` service's answer). */
export type TagSearchResult =
  | { ok: true; found: string[]; notFound: string[]; tookMs: number }
  | { ok: false; reason: string };

export type TagSearch = (tags: readonly string[]) => Promise<TagSearchResult>;

export interface EvidenceDeps {
  config: CabinetConfig;
  logger: Logger;
  history: ReadHistory;
  calibration: CalibrationStore;
  /** Absent when no reader of the cabinet's zone can search. */
  search: TagSearch | undefined;
  itemFor(tag: string): TaggedItem;
}

/** A unit's weight deviation when the catalog gives a weight without a tolerance: 2 %, at least 2 g. */
export function defaultToleranceG(grams: number): number {
  return Math.max(2, Math.round(grams * 0.02 * 10) / 10);
}

/**
 * A cabinet's evidence besides the passive reads: the targeted searches of the session settling now
 * and the calibration searches while idle, and the scale's readings. The cabinet asks it for the
 * evidence at each settle step and runs the searches it is told to.
 */
export class CabinetEvidence {
  readonly scale: ScaleMonitor | undefined;
  private scaleFault: string | undefined;
  private session: SessionSearches | undefined;
  private weightBefore: number | undefined;
  private weightBeforeMissing: string | undefined;
  private searching = false;
  private possibleSince: number | undefined;
  /** The first stable reading after the close, kept: one look at the scale per close, not one per round. */
  private weightAfter: number | undefined;
  private calibrationTimer: { clock: Clock; handle: TimerHandle } | undefined;

  constructor(private readonly deps: EvidenceDeps) {
    this.scale = deps.config.scale
      ? new ScaleMonitor({ ...DEFAULTS, stableMs: deps.config.scale.stableMs })
      : undefined;
  }

  get canSearch(): boolean {
    return this.deps.search !== undefined && this.deps.config.search.enabled;
  }

  get busy(): boolean {
    return this.searching;
  }

  onWeight(atMs: number, grams: number, idle: boolean): void {
    this.scale?.sample(atMs, grams, idle);
  }

  /** The scale's device went offline or came back: old samples say nothing of the cabinet now. */
  onScaleStatus(state: string, reason: string | undefined): void {
    if (state === 'online') {
      this.scaleFault = undefined;
      return;
    }
    this.scaleFault = `scale ${state}${reason ? ` (${reason})` : ''}`;
    this.scale?.reset();
    // Back online it may have rebooted and tared itself: the weight before says nothing any more.
    if (this.session) this.weightBeforeMissing ??= `${this.scaleFault} during the session`;
  }

  /** The door opened on a session: the weight before it, and a fresh search record. */
  opened(atMs: number): void {
    this.session = newSearches();
    this.weightBefore = undefined;
    this.weightBeforeMissing = undefined;
    this.weightAfter = undefined;
    const lastClose = this.deps.history.lastDoorCloseMs;
    this.possibleSince = Number.isNaN(lastClose) || !(lastClose < atMs) ? undefined : lastClose;
    if (!this.scale) return;
    if (this.scaleFault) {
      this.weightBeforeMissing = this.scaleFault;
      return;
    }
    // The cabinet at rest with the door shut since it last closed: not a window of the last session.
    const since = Math.max(atMs - BEFORE_MAX_AGE_MS, this.possibleSince ?? Number.NEGATIVE_INFINITY);
    const stable = this.scale.stableBetween(since, atMs);
    if (stable) this.weightBefore = stable.grams;
    else this.weightBeforeMissing = 'no stable weight before the door opened';
  }

  /**
   * Searches start afresh at every close (a reopened door makes the old ones moot; one still under
   * way writes into the record it started with, which is dropped). After a restart the session's
   * weight before is unknown.
   */
  closed(): void {
    if (!this.session) {
      this.session = newSearches();
      this.weightBeforeMissing = 'the gateway restarted during the session';
    }
    this.session = newSearches();
    this.weightAfter = undefined;
  }

  ended(): void {
    this.session = undefined;
  }

  forSettle(closedAtMs: number, nowMs: number): SessionEvidence {
    const evidence: SessionEvidence = {};
    const session = this.session;
    if (session && this.canSearch) {
      const search: SearchState = {
        available: true,
        running: this.searching,
        count: session.count,
        lastAtMs: session.lastAtMs,
        found: session.found,
        misses: session.misses,
        calibration: (tag) => this.deps.calibration.get(tag),
      };
      evidence.search = search;
    }
    if (this.scale) evidence.weight = this.weightState(closedAtMs, nowMs);
    return evidence;
  }

  /** Runs a session's search; resolves when it is over, whatever happened. */
  async searchSession(tags: readonly string[], nowMs: () => number): Promise<void> {
    const session = this.session;
    const search = this.deps.search;
    if (!session || !search || this.searching) return;
    this.searching = true;
    try {
      const result = await search(tags);
      session.count += 1;
      session.lastAtMs = nowMs();
      if (!result.ok) {
        this.deps.logger.warn({ cabinet: this.deps.config.id, reason: result.reason }, 'search failed');
        return;
      }
      for (const tag of result.found) session.found.add(tag);
      for (const tag of result.notFound) session.misses.set(tag, (session.misses.get(tag) ?? 0) + 1);
    } catch (error) {
      this.deps.logger.warn({ err: error, cabinet: this.deps.config.id }, 'search failed');
    } finally {
      this.searching = false;
    }
  }

  /** Calibrates every `calibrateEveryMs` while `idle()` says the cabinet is idle. */
  startCalibrating(clock: Clock, idle: () => boolean): void {
    if (!this.canSearch || this.calibrationTimer) return;
    const every = this.deps.config.search.calibrateEveryMs;
    const tick = () => {
      this.calibrationTimer = { clock, handle: clock.setTimeout(tick, every) };
      if (idle() && !this.searching) void this.calibrate(clock.now());
    };
    this.calibrationTimer = { clock, handle: clock.setTimeout(tick, every) };
  }

  stop(): void {
    if (this.calibrationTimer) this.calibrationTimer.clock.clearTimeout(this.calibrationTimer.handle);
    this.calibrationTimer = undefined;
  }

  /**
   * While idle: searches a few tags that passive reads show inside, so that each tag's detection
   * probability is known before a session needs it. Returns the number of tags tried.
   */
  async calibrate(nowMs: number): Promise<number> {
    const search = this.deps.search;
    if (!search || !this.canSearch || this.searching) return 0;
    const { config, history, calibration } = this.deps;
    const inside = [...settledSet(history, nowMs, config.settle).keys()];
    const tags = calibration.pick(inside, config.search.calibrateTags);
    if (tags.length === 0) return 0;
    this.searching = true;
    try {
      const result = await search(tags);
      if (!result.ok) {
        this.deps.logger.debug({ cabinet: config.id, reason: result.reason }, 'calibration search not run');
        return 0;
      }
      for (const tag of result.found) calibration.record(tag, true, nowMs);
      for (const tag of result.notFound) calibration.record(tag, false, nowMs);
      return tags.length;
    } catch (error) {
      this.deps.logger.warn({ err: error, cabinet: config.id }, 'calibration search failed');
      return 0;
    } finally {
      this.searching = false;
    }
  }

  private weightState(closedAtMs: number, nowMs: number): WeightState {
    const item = (tag: string): WeighedItem => {
      const found = this.deps.itemFor(tag);
      const grams = found.unitWeightG;
      const toleranceG = grams === undefined ? 0 : (found.weightToleranceG ?? defaultToleranceG(grams));
      return { tag, grams, toleranceG, product: found.sku !== undefined };
    };
    const state: WeightState = { item, emptyG: this.deps.config.scale?.emptyG ?? 0 };
    const unavailable = this.scaleFault ?? this.weightBeforeMissing;
    if (unavailable !== undefined) {
      state.unavailable = unavailable;
      return state;
    }
    if (this.weightBefore !== undefined) state.beforeG = this.weightBefore;
    if (this.possibleSince !== undefined) state.possibleSinceMs = this.possibleSince;
    const noise = this.scale?.noiseSdG;
    if (noise !== undefined) state.noiseSdG = noise;
    this.weightAfter ??= this.scale?.stableBetween(closedAtMs, nowMs)?.grams;
    if (this.weightAfter !== undefined) state.afterG = this.weightAfter;
    return state;
  }
}

function newSearches(): SessionSearches {
  return { found: new Set(), misses: new Map(), count: 0, lastAtMs: undefined };
}

interface SessionSearches {
  found: Set<string>;
  misses: Map<string, number>;
  count: number;
  lastAtMs: number | undefined;
}

/** A stable weight older than this before the open may no longer be the cabinet's. */
const BEFORE_MAX_AGE_MS = 60_000;
const DEFAULTS = { minSamples: 4, minBandG: 2, noiseWindow: 256 };
