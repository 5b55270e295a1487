import type { Logger } from '../observability/logger.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { PollPlan } from '../shared/decoding.js';
import type { CommandSession } from './command-session.js';

/** What polling needs of its reader's pipeline, which owns the port, the session and the state. */
export interface PollHost {
  readonly id: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly session: CommandSession;
  /** Nothing else is using the session (no start-up, no search) and the port is open. */
  mayPoll(): boolean;
  /** A poll is about to be sent. */
  polling(): void;
  /** The poll had its final answer (whatever it said). */
  answered(): void;
}

/** Misses are logged at warn on the first and then every this many. */
const LOG_EVERY_MISSES = 100;

/**
 * The poll loop of a reader that reads only when asked (a command–response reader: an inventory
 * command, then its answer): one poll at a time, each with the plan's bounded wait, `everyMs` apart.
 * A missed answer is counted and the loop goes on; the reader's liveness sees the silence and calls
 * it stalled, with the recovery that goes with it. Never more than one poll in flight, never a hang.
 */
export class ReaderPoll {
  polls = 0;
  missed = 0;
  private timer: TimerHandle | undefined;
  private running = false;
  private active = false;
  /** The last poll went unanswered: the plan's `afterMiss` goes first. */
  private abortFirst = false;

  constructor(
    private readonly host: PollHost,
    private readonly plan: PollPlan | undefined,
  ) {}

  /** Starts polling (the port opened and the start-up, if any, succeeded); idempotent. */
  start(): void {
    if (!this.plan || this.active) return;
    this.active = true;
    this.schedule(0);
  }

  stop(): void {
    this.active = false;
    if (this.timer) this.host.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    if (!this.active || this.timer) return;
    this.timer = this.host.clock.setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, delayMs);
  }

  private async poll(): Promise<void> {
    const plan = this.plan as PollPlan;
    if (!this.active || this.running) return;
    if (!this.host.mayPoll()) {
      this.schedule(plan.everyMs);
      return;
    }
    this.running = true;
    try {
      if (this.abortFirst && plan.afterMiss) await this.host.session.run([plan.afterMiss]);
      // Any final answer is an answer, "no tag" and the reader's own errors (reported as statuses)
      // included: only silence, or a write that failed, is a missed poll.
      this.host.polling();
      const result = await this.host.session.ask(plan.step);
      this.polls += 1;
      const failed = 'failed' in result ? result.failed : undefined;
      if (failed === undefined) this.host.answered();
      this.abortFirst = failed !== undefined;
      if (failed !== undefined && failed !== 'cancelled') {
        this.missed += 1;
        if (this.missed === 1 || this.missed % LOG_EVERY_MISSES === 0) {
          this.host.logger.warn(
            { reader: this.host.id, step: plan.step.name, reason: failed, missed: this.missed },
            'poll not answered',
          );
        }
      }
    } catch (error) {
      this.missed += 1;
      this.host.logger.error({ err: error, reader: this.host.id }, 'poll failed');
    } finally {
      this.running = false;
      this.schedule(plan.everyMs);
    }
  }
}
