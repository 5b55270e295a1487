import type { CabinetConfig } from '../../config/cabinets.js';
import type { Logger } from '../../observability/logger.js';
import type { Clock } from '../../shared/clock.js';
import type { TaggedItem } from '../../shared/commerce.js';
import type { Bus } from '../../shared/extension.js';
import { OneShot } from '../../shared/one-shot.js';
import type { ScreenData } from '../../shared/screen.js';
import { CabinetHealth, CabinetSignals } from './cabinet-signals.js';
import { isRandomCardId } from './card-id.js';
import { CurrentSession, type PurchaseOutcome } from './current-session.js';
import type { Customers } from './customers.js';
import type { CabinetScreen } from './display.js';
import type { ReadHistory } from './read-history.js';
import { completedBody, uncertainBody } from './receipt.js';
import type { CabinetEvidence } from './session-evidence.js';
import type { SessionRecord, SessionStore } from './session-store.js';
import { beforeOpening, type EvidenceSummary, settleStep } from './settle-step.js';

const COMMIT_RETRY_MS = 1000;

export interface CabinetDeps {
  config: CabinetConfig;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  sessions: SessionStore;
  customers: Customers;
  history: ReadHistory;
  /** Targeted searches and the scale. */
  evidence: CabinetEvidence;
  screen: CabinetScreen;
  itemFor: (tag: string) => TaggedItem;
  /** The welcome screen's name and usual items, for customers who consented (else nothing). */
  welcomeFor: (customer: string) => ScreenData;
  /** The id of a session starting at `atMs`: the same for the same capture replayed. */
  newId: (atMs: number) => string;
}

/**
 * One cabinet's purchase session, a state machine persisted in the store: every transition is
 * committed together with its event (current-session.ts). idle → authorised (card or request;
 * `purchase.started`, unlock pulse) → open (door opened; the settled set before is kept) → settling
 * (door closed; decided from evidence) → `purchase.completed` or `purchase.cancelled` → locked, idle.
 */
export class Cabinet {
  private readonly inProgress: CurrentSession;
  /** The session's next step (open timeout, settle check, commit retry); and the door-left-open alarm. */
  private readonly timer: OneShot;
  private readonly alarmTimer: OneShot;
  private doorOpen = false;
  private readonly health = new CabinetHealth();
  private readonly signals: CabinetSignals;

  constructor(private readonly deps: CabinetDeps) {
    this.inProgress = new CurrentSession(deps.config.id, deps);
    this.timer = new OneShot(deps.clock);
    this.alarmTimer = new OneShot(deps.clock);
    this.signals = new CabinetSignals(deps.config, deps.bus, deps.logger, deps.screen);
  }

  get id(): string {
    return this.deps.config.id;
  }

  get session(): SessionRecord | undefined {
    return this.current;
  }

  private get current(): SessionRecord | undefined {
    return this.inProgress.record;
  }

  /**
   * After a restart: a session that was only authorised is cancelled (the customer has gone); one
   * whose door had opened is settled from evidence as if the door closed now, with the settled set
   * kept from before the crash; what cannot be decided is reported as uncertain, never charged.
   */
  recover(record: SessionRecord): void {
    this.inProgress.recovered(record);
    const { logger } = this.deps;
    logger.warn(
      { session: record.id, cabinet: this.id, state: record.state },
      'recovering an interrupted session',
    );
    if (record.state === 'authorised') {
      // No lock command: the ports are not open yet, and the lock gets its safe state when they are.
      this.finishCancelled('gateway_restarted', false);
      return;
    }
    const now = this.deps.clock.now();
    if (record.state === 'settling') {
      this.deps.screen.show('settling', record);
      this.scheduleSettle(now);
      return;
    }
    // The door was open when the gateway died. A lines device reports changes only, so the door
    // may have closed meanwhile without a word: wait for its report; without one, the basket
    // cannot be trusted (the customer may still be taking items), and the session is uncertain.
    this.deps.screen.show('take', record);
    this.timer.set(this.deps.config.openTimeoutMs, () => {
      if (this.current?.state !== 'open') return;
      this.inProgress.fault('door state unknown after a restart');
      this.startSettling(this.deps.clock.now(), false);
    });
  }

  /** Starts the idle calibration searches (when the cabinet's reader can search). */
  startCalibrating(): void {
    this.deps.evidence.startCalibrating(this.deps.clock, () => this.current === undefined && !this.doorOpen);
  }

  /** A sample of the cabinet's scale. */
  onWeight(grams: number): void {
    const idle = this.current === undefined && !this.doorOpen;
    this.deps.evidence.onWeight(this.deps.clock.now(), grams, idle);
  }

  /** The scale's device changed state (offline, stalled, back). */
  onScaleStatus(state: string, reason: string | undefined): void {
    this.deps.evidence.onScaleStatus(state, reason);
  }

  onCard(card: string): void {
    const customer = this.deps.customers.find(card);
    if (!customer) {
      this.refuse(isRandomCardId(card) ? 'random_card_id' : 'unknown_card', { card });
      return;
    }
    try {
      this.start(customer.reference, 'card', card);
    } catch {
      // Refused (and reported) by start(): a card is not a request that waits for an answer.
    }
  }

  /** Opens a session for `customer`; returns it, or throws with why not (for requests). */
  start(customer: string, via: 'card' | 'request', card?: string): SessionRecord {
    if (this.current) {
      this.refuse('session_in_progress', { customer, ...(card === undefined ? {} : { card }) });
      throw new Error(`cabinet ${this.id} has a session in progress (${this.current.id})`);
    }
    const reason = this.health.blocking;
    if (reason !== undefined) {
      this.refuse(reason, { customer });
      throw new Error(`cabinet ${this.id} cannot sell now (${reason})`);
    }
    const { clock, config } = this.deps;
    const now = clock.now();
    const record = this.inProgress.open({ id: this.deps.newId(now), customer, via }, now);
    this.deps.logger.info({ session: record.id, cabinet: this.id, via }, 'session started');
    this.deps.screen.show('welcome', record, this.deps.welcomeFor(customer));
    this.setLock(config.unlockValue, config.unlockMs, `session ${record.id}`);
    this.timer.set(config.openTimeoutMs, () => {
      if (this.current?.state === 'authorised') this.finishCancelled('door_not_opened');
    });
    return record;
  }

  /** Cancels an authorised session (the door has not opened); an opened one settles by itself. */
  cancel(reason: string): SessionRecord {
    const current = this.current;
    if (!current) throw new Error(`cabinet ${this.id} has no session`);
    if (current.state !== 'authorised') {
      throw new Error(`session ${current.id} is ${current.state}: it settles when the door closes`);
    }
    const cancelled = this.finishCancelled(reason);
    if (!cancelled)
      throw new Error(
        `session ${current.id} could not be cancelled now (the store refused); retried shortly`,
      );
    return cancelled;
  }

  onDoor(value: string): void {
    const { config, clock } = this.deps;
    const now = clock.now();
    const current = this.current;
    // Every door report, with a session or without (staff restocking, a forced door), changes what
    // the history may count as a trial and what is known to be inside (see ReadHistory.door).
    if (value === config.door.openValue || value === config.door.closedValue) {
      this.deps.history.door(value === config.door.openValue, now);
      this.doorOpen = value === config.door.openValue;
    }
    if (value === config.door.openValue) {
      if (!current) {
        this.alarm('door_opened_without_session');
        return;
      }
      if (current.state === 'authorised') {
        const before = beforeOpening(this.deps.history, now, config.settle);
        if (!this.inProgress.transition({ state: 'open', openedAt: now, before })) return;
        this.deps.evidence.opened(now);
      } else if (current.state === 'settling') {
        // Opened again before the relock took (the customer forgot something): the same session
        // goes on, with the settled set from before the first opening.
        if (!this.inProgress.transition({ state: 'open', closedAt: null })) return;
      } else {
        return;
      }
      this.timer.clear();
      this.deps.screen.show('take', this.current);
      this.armDoorAlarm();
      return;
    }
    if (value !== config.door.closedValue || !current) return;
    if (current.state === 'open') {
      this.startSettling(now, true);
    } else if (current.state === 'authorised') {
      // Closed without an open report (a lost line, a sensor glitch): what was taken is unknown.
      this.alarm('door_closed_without_open', current.id);
      this.finishUncertain(['the door reported closed without having reported open'], [], []);
      this.setLock(config.lockValue, undefined, `session ${current.id} door state inconsistent`);
    }
  }

  private startSettling(now: number, relock: boolean): void {
    const current = this.current as SessionRecord;
    if (!this.inProgress.transition({ state: 'settling', closedAt: now })) return;
    this.deps.evidence.closed();
    this.alarmTimer.clear();
    if (relock) this.setLock(this.deps.config.lockValue, undefined, `session ${current.id} door closed`);
    this.deps.screen.show('settling', this.current);
    this.scheduleSettle(now);
  }

  private armDoorAlarm(): void {
    this.alarmTimer.set(this.deps.config.doorOpenAlarmMs, () => {
      if (this.current?.state === 'open') this.alarm('door_left_open', this.current.id);
    });
  }

  onReaderStatus(
    reader: string,
    state: 'online' | 'offline' | 'stalled' | 'error',
    reason: string | undefined,
  ): void {
    const why = this.health.reader(reader, state, reason);
    if (why !== undefined && this.current && this.current.state !== 'authorised')
      this.inProgress.fault(`reader_${state}: ${why}`);
  }

  /** The lock's device failed or recovered: out of order until it answers again. */
  onLockStatus(state: 'fault' | 'ok', reason: string): void {
    const was = this.health.lockFaulty;
    this.health.lock(state, reason);
    if (this.current || was === this.health.lockFaulty) return;
    this.deps.screen.show(this.health.restingScreen, undefined);
  }

  /** The temperature guard's verdict: too warm refuses with `temperature`; a session in progress goes on. */
  onTemperature(exceeded: boolean): void {
    const was = this.health.blocking;
    this.health.temperature(exceeded);
    if (this.current || was === this.health.blocking) return;
    this.deps.screen.show(this.health.restingScreen, undefined);
  }

  stop(): void {
    this.timer.clear();
    this.alarmTimer.clear();
    this.deps.evidence.stop();
  }

  private scheduleSettle(now: number): void {
    this.timer.clear();
    const current = this.current;
    if (current?.state !== 'settling') return;
    const { config, history, evidence, clock } = this.deps;
    const closedAt = current.closedAt ?? now;
    const step = settleStep(
      current,
      this.inProgress.faults,
      history,
      now,
      config.settle,
      evidence.forSettle(closedAt, now),
    );
    if (step.kind === 'wait') {
      this.timer.set(step.delayMs, () => this.scheduleSettle(clock.now()));
    } else if (step.kind === 'search') {
      const id = current.id;
      void evidence
        .searchSession(step.tags, () => clock.now())
        .then(() => {
          if (this.current?.id === id) this.scheduleSettle(clock.now());
        })
        .catch((error: unknown) => {
          // Never an unhandled rejection: the session is asked again a moment later, as after a
          // commit that failed, and ends uncertain at its deadline if it keeps failing.
          this.deps.logger.error(
            { err: error, session: id, cabinet: this.id },
            'settle step after a search failed',
          );
          this.timer.set(COMMIT_RETRY_MS, () => this.scheduleSettle(clock.now()));
        });
    } else if (step.kind === 'completed') {
      this.finishCompleted(step.taken, step.added, step.settleMs, step.evidence);
    } else {
      this.finishUncertain(step.reasons, step.undecided, step.taken, step.evidence);
    }
  }

  private finishCompleted(
    taken: readonly string[],
    added: readonly string[],
    settleMs: number,
    evidence: EvidenceSummary,
  ): void {
    const current = this.current as SessionRecord;
    const { currency } = this.deps.config;
    const body = completedBody(
      this.ids(current),
      { taken, added, settleMs, evidence },
      this.deps.itemFor,
      currency,
    );
    if (!body.ok) {
      this.finishUncertain([body.reason], [], taken, evidence);
      return;
    }
    const { items, total } = body.event;
    if (!this.finish('completed', body.event)) return;
    this.deps.logger.info(
      { session: current.id, cabinet: this.id, items: items.length, total, settleMs },
      'session completed',
    );
    this.deps.screen.show('receipt', current, { items, total, currency });
  }

  private finishUncertain(
    reasons: string[],
    undecided: Array<{ tag: string; pUnread: number }>,
    taken: readonly string[],
    evidence: EvidenceSummary = {},
  ): void {
    const current = this.current as SessionRecord;
    const event = uncertainBody(
      this.ids(current),
      { reasons, undecided, taken, evidence },
      this.deps.itemFor,
    );
    if (!this.finish('cancelled', event)) return;
    this.deps.logger.warn(
      { session: current.id, cabinet: this.id, reasons, undecided: undecided.length },
      'session uncertain: not charged, reported for review',
    );
    this.deps.screen.show('fault', current, { reason: 'uncertain' });
  }

  private finishCancelled(reason: string, relock = true): SessionRecord | undefined {
    const current = this.current as SessionRecord;
    const committed = this.finish('cancelled', { type: 'purchase.cancelled', ...this.ids(current), reason });
    if (relock) this.setLock(this.deps.config.lockValue, undefined, `session ${current.id} cancelled`);
    if (!committed) return undefined;
    this.deps.logger.info({ session: current.id, cabinet: this.id, reason }, 'session cancelled');
    // A lock that failed (or a cabinet that got too warm) during the session keeps it from selling.
    this.deps.screen.show(this.health.restingScreen, undefined);
    return current;
  }

  private ids(session: SessionRecord) {
    return { session: session.id, cabinet: this.id, customer: session.customer };
  }

  /** Ends the session with its outcome; false when that could not be stored yet. */
  private finish(state: 'completed' | 'cancelled', body: PurchaseOutcome): boolean {
    if (!this.inProgress.finish(state, body)) {
      // The session stays as it was and its outcome is decided again a moment later, so it is
      // never lost nor the cabinet stuck.
      this.timer.set(COMMIT_RETRY_MS, () => this.retryFinish());
      return false;
    }
    this.timer.clear();
    this.alarmTimer.clear();
    this.deps.evidence.ended();
    return true;
  }

  private retryFinish(): void {
    const current = this.current;
    if (!current) return;
    if (current.state === 'settling') this.scheduleSettle(this.deps.clock.now());
    else if (current.state === 'authorised') this.finishCancelled('door_not_opened');
    else this.startSettling(this.deps.clock.now(), false);
  }

  private refuse(reason: string, who: { card?: string; customer?: string }): void {
    this.signals.refuse(reason, who, this.current);
  }

  private alarm(kind: string, session?: string): void {
    this.signals.alarm(kind, session);
  }

  private setLock(value: string, pulseMs: number | undefined, reason: string): void {
    this.signals.lock(value, pulseMs, reason, () => this.current);
  }
}
