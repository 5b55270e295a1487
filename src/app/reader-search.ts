import type { Logger } from '../observability/logger.js';
import type { Clock } from '../shared/clock.js';
import type { CommandStep, Driver, ReaderSettings, TagSearchPlan } from '../shared/decoding.js';
import type { CommandSession } from './command-session.js';
import type { DeviceState, TagSearchResult } from './reading-services.js';

/** What a search needs of its reader's pipeline, which owns the port, the session and the state. */
export interface SearchHost {
  readonly id: string;
  readonly driver: Driver;
  readonly settings: ReaderSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly session: CommandSession;
  /** False for a replayed capture: nothing answers. */
  readonly interactive: boolean;
  state(): DeviceState;
  startupRunning(): boolean;
  /** The reader is silent on purpose while it searches: its liveness must not call it stalled. */
  pauseLiveness(): void;
  resumeLiveness(): void;
  /** The whole start-up sequence, with its retries for ever: the last resort to get it reading. */
  runStartup(): void;
}

export interface SearchOptions {
  /** Read power for the search (dBm); the reader's configured power is set again after. */
  readPowerDbm?: number;
}

const HEX_TAG = /^(?:[0-9A-F]{2})+$/;

/**
 * A search for given tags on one reader: its continuous reading stopped (reads still buffered in the
 * module arrive as ordinary reads), a select-filtered read per tag, then continuous reading again
 * with the start-up's own start command. Whatever fails on the way, continuous reading is started
 * again, and if that fails too the reader goes through its start-up retries: a search never leaves a
 * reader silent. One search at a time per reader: a second one is refused at once, since waiting
 * would keep the reader from its continuous reading for longer than any one caller asked for.
 */
export class ReaderSearch {
  /** Searches run to the end on this reader (found or not). */
  searches = 0;
  private running = false;

  constructor(private readonly host: SearchHost) {}

  get active(): boolean {
    return this.running;
  }

  async run(tags: readonly string[], options: SearchOptions = {}): Promise<TagSearchResult> {
    const refusal = this.refusal();
    if (refusal !== undefined) return { ok: false, reason: refusal };
    const wanted = [...new Set(tags.map((tag) => tag.toUpperCase()))];
    const bad = wanted.find((tag) => !HEX_TAG.test(tag));
    if (bad !== undefined) return { ok: false, reason: `"${bad}" is not a tag in hex` };
    if (wanted.length === 0) return { ok: true, found: [], notFound: [], tookMs: 0 };
    const { driver, settings } = this.host;
    let plan: TagSearchPlan;
    try {
      plan = (driver.search as NonNullable<Driver['search']>)(
        wanted.map((tag) => Uint8Array.from(Buffer.from(tag, 'hex'))),
        options.readPowerDbm === undefined ? settings : { ...settings, searchPowerDbm: options.readPowerDbm },
      );
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
    this.running = true;
    this.host.pauseLiveness();
    try {
      return await this.execute(plan, wanted);
    } finally {
      this.running = false;
      this.host.resumeLiveness();
    }
  }

  private refusal(): string | undefined {
    const { id, driver, interactive } = this.host;
    if (driver.search === undefined) return `reader ${id} (${driver.name}) cannot search for given tags`;
    if (!interactive) return `reader ${id} is replayed: nothing answers a search`;
    const state = this.host.state();
    if (state !== 'online') return `reader ${id} is ${state}`;
    if (this.running) return `reader ${id} is already searching`;
    if (this.host.startupRunning()) return `reader ${id} is starting up`;
    return undefined;
  }

  private async execute(plan: TagSearchPlan, wanted: readonly string[]): Promise<TagSearchResult> {
    const { clock, logger, session, id } = this.host;
    const startedAt = clock.now();
    const failed = async (step: string, why: string): Promise<TagSearchResult> => {
      const reason = `search step "${step}" failed: ${why}`;
      logger.warn(
        { reader: id, tags: wanted.length, ms: clock.now() - startedAt, reason },
        'tag search failed',
      );
      if (why !== 'cancelled') await this.resume(plan.resume);
      return { ok: false, reason };
    };
    const paused = await session.run(plan.pause);
    if (!paused.ok) return failed(paused.failedStep ?? 'pause', paused.reason ?? 'failed');
    const found: string[] = [];
    const notFound: string[] = [];
    for (const [index, step] of plan.reads.entries()) {
      const outcome = await session.ask(step);
      if ('failed' in outcome) return failed(step.name, outcome.failed);
      const verdict = plan.verdict(outcome.answer);
      if ('refused' in verdict) return failed(step.name, verdict.refused);
      (verdict.found ? found : notFound).push(wanted[index] as string);
    }
    // The answers stand even if reading does not start again: that is the start-up's to mend.
    await this.resume(plan.resume);
    const tookMs = clock.now() - startedAt;
    this.searches += 1;
    logger.info({ reader: id, tags: wanted.length, found: found.length, ms: tookMs }, 'tag search');
    return { ok: true, found, notFound, tookMs };
  }

  /**
   * Continuous reading again. A cancelled session is a closed port or a shutdown, whose reopening
   * runs the start-up anyway; a start-up already running starts it itself.
   */
  private async resume(steps: CommandStep[]): Promise<void> {
    const { session, logger, id } = this.host;
    if (this.host.state() === 'offline' || this.host.startupRunning()) return;
    const resumed = await session.run(steps);
    if (resumed.ok || resumed.reason === 'cancelled') return;
    logger.warn(
      { reader: id, step: resumed.failedStep, reason: resumed.reason },
      'continuous reading did not start again after a search: start-up again',
    );
    this.host.runStartup();
  }
}
