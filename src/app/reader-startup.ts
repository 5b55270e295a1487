import type { Logger } from '../observability/logger.js';
import type { Driver, ReaderSettings } from '../shared/decoding.js';
import type { CommandSession } from './command-session.js';
import type { ReaderPoll } from './reader-poll.js';
import type { ReaderStatus } from './reader-status.js';
import type { ReaderUpkeep } from './reader-upkeep.js';
import type { Readiness } from './readiness.js';

/** What the start-up needs of its device's pipeline, which owns the port and the parts around it. */
export interface StartupHost {
  readonly id: string;
  readonly driver: Driver;
  readonly settings: ReaderSettings;
  readonly logger: Logger;
  /** False for a replayed capture: its recorded answers are already in the bytes it plays. */
  readonly interactive: boolean;
  readonly session: CommandSession;
  readonly status: ReaderStatus;
  readonly readiness: Readiness;
  readonly upkeep: ReaderUpkeep;
  readonly poller: ReaderPoll;
  /** Not stopped, and its port open: what a start-up came to still matters. */
  live(): boolean;
  /** Online, and watched from now. */
  goOnline(): void;
}

/**
 * The driver's start-up commands, run each time the port opens (and after a reboot seen on the
 * wire, a stall, a search that could not start the reading again), one sequence at a time, and what
 * their outcome means: online, or watched until the first frame its driver promises; a module still
 * booting is tried again with backoff for ever, and comes online once it answers.
 */
export class ReaderStartup {
  private running = false;

  constructor(private readonly host: StartupHost) {}

  /** A sequence is in flight: polls and searches wait, and a boot message is its answer. */
  get active(): boolean {
    return this.running;
  }

  async run(): Promise<void> {
    const { host } = this;
    if (!host.interactive) return;
    const steps = host.driver.startup(host.settings);
    // A reader without start-up commands is started as its port opens: it is polled from then on.
    if (steps.length === 0) host.poller.start();
    // A boot message seen during the start-up sequence is the reader answering it, not a reboot.
    if (steps.length === 0 || this.running) return;
    this.running = true;
    const result = await host.session.run(steps).finally(() => {
      this.running = false;
    });
    if (result.ok) {
      this.succeeded();
      return;
    }
    if (result.reason === 'cancelled' || !host.live()) return;
    const reason = `start-up step "${result.failedStep}" failed: ${result.reason}`;
    // A stalled reader's own recovery goes on: it reopens the port next.
    if (host.status.state === 'stalled') {
      host.logger.debug({ reader: host.id, reason }, 'stalled reader: start-up not answered');
      host.upkeep.stalledStartupFailed();
      return;
    }
    // A module powered after the Pi, still booting or answering late: tried again for ever, with backoff.
    const { attempt, retryInMs } = host.upkeep.startupFailed();
    if (host.status.state === 'error' && attempt > 1) {
      host.logger.debug({ reader: host.id, attempt, retryInMs, reason }, 'start-up failed again');
      return;
    }
    host.logger.error(
      { reader: host.id, step: result.failedStep, reason: result.reason, attempt, retryInMs },
      'start-up failed',
    );
    host.status.startupFailed(reason, attempt, retryInMs);
  }

  /**
   * The start-up answered: the reader is online, or (its driver promising traffic) will be at its
   * first frame, watched from now. One that failed before is back without a restart of the gateway.
   */
  private succeeded(): void {
    const { host } = this;
    host.poller.start();
    const attempts = host.upkeep.startupSucceeded();
    if (attempts !== undefined) host.logger.info({ reader: host.id, attempts }, 'start-up succeeded');
    if (host.readiness.startupSucceeded()) {
      host.goOnline();
      return;
    }
    if (host.readiness.awaitingTraffic) {
      host.upkeep.online();
      return;
    }
    // Its start-up again after a reboot seen on the wire, which had failed.
    if (attempts !== undefined && host.status.state === 'error' && !host.readiness.pending) host.goOnline();
  }
}
