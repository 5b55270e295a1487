import { Backoff, type ReconnectPolicy } from '../shared/backoff.js';
import type { Clock, EpochMs, TimerHandle } from '../shared/clock.js';
import { defaultStalledAfterMs, Liveness } from './liveness.js';
import type { DeviceState } from './reading-services.js';

/** What the upkeep asks of its device's pipeline, which owns the state and the events. */
export interface UpkeepActions {
  state(): DeviceState;
  /** Whether silence now would be a stall: online, or started and waiting for the stream it promised. */
  watched(): boolean;
  /** Silent for too long: the pipeline marks the reader stalled and says so. */
  stall(silentMs: number, expectedEveryMs: number): void;
  runStartup(): void;
  reopen(): void;
}

/** A start-up that fails is tried again for ever: 1 s, doubling, at most a minute apart. */
const STARTUP_RETRY: Readonly<ReconnectPolicy> = {
  initialMs: 1000,
  maxMs: 60_000,
  factor: 2,
  jitter: 0,
  stableAfterMs: 0,
};
const MAX_RECOVERY_MS = 60_000;
const noJitter = (): number => 0;

/**
 * Keeps a reader going: watches its expected traffic (a stall when it is silent too long), gets a
 * stalled reader talking again (its start-up commands, then reopening the port, with backoff), and
 * retries a failed start-up. Timers only; the pipeline decides what a state means and publishes it.
 */
export class ReaderUpkeep {
  readonly liveness: Liveness;
  /** Times the reader went silent while it should have talked. */
  stalls = 0;
  private watchdog: TimerHandle | undefined;
  private recovery: TimerHandle | undefined;
  /** Tries since the reader last talked for a while: a reopen or a short recovery does not reset it. */
  private recoveryBackoff: Backoff;
  /** Traffic seen since the last stall (the recovery's backoff was told). */
  private talking = false;
  private startupBackoff: Backoff | undefined;
  private startupTimer: TimerHandle | undefined;
  /** The reader is silent on purpose (a search paused its continuous reading). */
  private paused = false;

  constructor(
    private readonly clock: Clock,
    expectedEveryMs: number | undefined,
    stalledAfterMs: number | undefined,
    /** False in a replay: nothing to restart, silence is only noted. */
    private readonly interactive: boolean,
    private readonly actions: UpkeepActions,
  ) {
    this.liveness = new Liveness(expectedEveryMs, stalledAfterMs ?? defaultStalledAfterMs(expectedEveryMs));
    this.recoveryBackoff = this.freshRecovery();
  }

  /** The port opened: a reader that talked before must talk again within the threshold. */
  opened(nowMs: EpochMs): void {
    this.clearStartupRetry();
    if (!this.liveness.known) return;
    this.liveness.noteTraffic(nowMs);
    this.watch();
  }

  /** The port closed or the device stops: no timer outlives it (the recovery's backoff stays). */
  closed(): void {
    this.clearStartupRetry();
    this.cancel(this.watchdog);
    this.cancel(this.recovery);
    this.watchdog = this.recovery = undefined;
  }

  /** A valid frame. Returns how long a stalled reader was silent: it is back. */
  traffic(nowMs: EpochMs): number | undefined {
    if (this.liveness.expectedEveryMs === undefined) return undefined;
    const silentMs = this.liveness.silenceMs(nowMs);
    const wasKnown = this.liveness.known;
    this.liveness.noteTraffic(nowMs);
    this.cancel(this.recovery);
    this.recovery = undefined;
    // The backoff starts afresh only if it keeps talking: a module that answers its start-up and
    // hangs again must not be restarted every few seconds for ever.
    if (!this.talking) {
      this.recoveryBackoff.connected(nowMs);
      this.talking = true;
    }
    if (this.actions.state() === 'stalled') return silentMs;
    if (!wasKnown) this.watch();
    return undefined;
  }

  /** Online again (back from a stall or a failed start-up): watched again. */
  online(): void {
    this.watch();
  }

  /** Stalls an online reader silent for too long; its watchdog and the readers (before a sweep) call it. */
  check(nowMs: EpochMs): void {
    if (this.paused || !this.actions.watched() || !this.liveness.isStalled(nowMs)) return;
    this.stalls += 1;
    this.recoveryBackoff.disconnected(nowMs);
    this.talking = false;
    this.actions.stall(this.liveness.silenceMs(nowMs), this.liveness.expectedEveryMs as number);
    this.scheduleRecovery();
  }

  /** Schedules the next try of a failed start-up. */
  startupFailed(): { attempt: number; retryInMs: number } {
    this.startupBackoff ??= new Backoff(STARTUP_RETRY, noJitter);
    const retryInMs = this.startupBackoff.nextDelay();
    this.cancel(this.startupTimer);
    this.startupTimer = this.clock.setTimeout(() => {
      this.startupTimer = undefined;
      this.actions.runStartup();
    }, retryInMs);
    return { attempt: this.startupBackoff.attempt, retryInMs };
  }

  /** The start-up a stalled reader was given went unanswered: the next try, a reopen, is scheduled. */
  stalledStartupFailed(): void {
    if (this.actions.state() === 'stalled' && this.recovery === undefined) this.scheduleRecovery();
  }

  /** The start-up succeeded; returns how many tries it took when earlier ones failed. */
  startupSucceeded(): number | undefined {
    const failed = this.startupBackoff?.attempt;
    this.clearStartupRetry();
    return failed === undefined ? undefined : failed + 1;
  }

  /** A search stops the reader's traffic on purpose: no stall until `resume`. */
  pause(): void {
    this.paused = true;
    this.cancel(this.watchdog);
    this.watchdog = undefined;
  }

  /** The search is over: the silence counts from now. */
  resume(nowMs: EpochMs): void {
    if (!this.paused) return;
    this.paused = false;
    if (!this.liveness.known) return;
    this.liveness.noteTraffic(nowMs);
    this.watch();
  }

  private watch(): void {
    this.cancel(this.watchdog);
    this.watchdog = undefined;
    if (this.paused) return;
    const at = this.liveness.stallsAt();
    if (at === undefined) return;
    // Fires once per threshold while traffic flows, and looks at the time of the last frame then.
    // A background timer: a replay's run-on after the capture goes no further for it, but a reader
    // whose threshold it passes on the way (to a departure) is stalled then, as in a run.
    this.watchdog = this.clock.setTimeout(
      () => {
        this.watchdog = undefined;
        this.check(this.clock.now());
        if (this.actions.watched()) this.watch();
      },
      Math.max(0, at - this.clock.now()),
      { background: true },
    );
  }

  /** Its start-up commands again first, then reopening the port, until it talks. */
  private scheduleRecovery(): void {
    if (!this.interactive) return;
    const first = this.recoveryBackoff.attempt === 0;
    this.recovery = this.clock.setTimeout(() => {
      this.recovery = undefined;
      if (this.actions.state() !== 'stalled') return;
      if (first) {
        // Answered, it talks again; unanswered, `stalledStartupFailed` schedules the next try.
        this.actions.runStartup();
      } else {
        // The reopened port is watched from its opening: silent still, it stalls and comes here again.
        this.actions.reopen();
      }
    }, this.recoveryBackoff.nextDelay());
  }

  private freshRecovery(): Backoff {
    const initialMs = Number.isFinite(this.liveness.stalledAfterMs) ? this.liveness.stalledAfterMs : 1000;
    const maxMs = Math.max(initialMs, MAX_RECOVERY_MS);
    // Talking for ten thresholds in a row is a reader that works again.
    const stableAfterMs = initialMs * 10;
    return new Backoff({ initialMs, maxMs, factor: 2, jitter: 0, stableAfterMs }, noJitter);
  }

  private clearStartupRetry(): void {
    this.cancel(this.startupTimer);
    this.startupTimer = undefined;
    this.startupBackoff = undefined;
  }

  private cancel(timer: TimerHandle | undefined): void {
    if (timer) this.clock.clearTimeout(timer);
  }
}
