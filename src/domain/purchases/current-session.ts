import type { Logger } from '../../observability/logger.js';
import type { Clock } from '../../shared/clock.js';
import type { EventBody } from '../../shared/events.js';
import type { Bus } from '../../shared/extension.js';
import type { SessionRecord, SessionStore } from './session-store.js';

export type PurchaseOutcome = Extract<EventBody, { type: 'purchase.completed' | 'purchase.cancelled' }>;

export interface CurrentSessionDeps {
  bus: Bus;
  clock: Clock;
  logger: Logger;
  sessions: SessionStore;
}

/**
 * A cabinet's session in progress as the store has it, and what went wrong with it on the way (which
 * makes it uncertain when it settles). Every change is committed in one transaction with the event
 * it causes, or not at all: a change the store refuses leaves the session where it was, and says so;
 * what to do then is the cabinet's.
 */
export class CurrentSession {
  private current: SessionRecord | undefined;
  private readonly faultsSeen = new Set<string>();

  constructor(
    private readonly cabinet: string,
    private readonly deps: CurrentSessionDeps,
  ) {}

  get record(): SessionRecord | undefined {
    return this.current;
  }

  /** What went wrong during the session: a reader's fault, a state that could not be stored. */
  get faults(): ReadonlySet<string> {
    return this.faultsSeen;
  }

  fault(why: string): void {
    this.faultsSeen.add(why);
  }

  /** A session the store had in progress when the gateway restarted. */
  recovered(record: SessionRecord): void {
    this.current = record;
  }

  /** Opens a session with its `purchase.started`; throws, with nothing changed, when the store refuses. */
  open(session: { id: string; customer: string; via: 'card' | 'request' }, now: number): SessionRecord {
    const { bus, sessions } = this.deps;
    const { id, customer, via } = session;
    const record: SessionRecord = {
      id,
      cabinet: this.cabinet,
      customer,
      via,
      state: 'authorised',
      startedAt: now,
      openedAt: null,
      closedAt: null,
      before: null,
      outcome: null,
      updatedAt: now,
    };
    bus.transaction(() => {
      sessions.insert(record);
      bus.emit({ type: 'purchase.started', session: id, cabinet: this.cabinet, customer, via });
    });
    this.current = record;
    this.faultsSeen.clear();
    return record;
  }

  /** Commits a state change; false when the store refused: a fault of the session, which stays as it was. */
  transition(change: Partial<SessionRecord>): boolean {
    const current = this.current as SessionRecord;
    const next: SessionRecord = { ...current, ...change, updatedAt: this.deps.clock.now() };
    try {
      this.deps.bus.transaction(() => this.deps.sessions.update(next));
    } catch (error) {
      this.deps.logger.error(
        { err: error, session: current.id, cabinet: this.cabinet },
        'session state not committed',
      );
      this.faultsSeen.add('a session state could not be stored');
      return false;
    }
    this.current = next;
    return true;
  }

  /**
   * Commits the final state with its event (which is also the outcome `sessions/get` shows): the
   * session is over. False when the store refused: nothing changed (state and event rolled back
   * together), so its outcome can be decided again.
   */
  finish(state: 'completed' | 'cancelled', body: PurchaseOutcome): boolean {
    const current = this.current as SessionRecord;
    const done: SessionRecord = { ...current, state, outcome: body, updatedAt: this.deps.clock.now() };
    try {
      this.deps.bus.transaction(() => {
        this.deps.sessions.update(done);
        this.deps.bus.emit(body);
      });
    } catch (error) {
      this.deps.logger.error(
        { err: error, session: current.id, cabinet: this.cabinet },
        'session outcome not committed; retrying',
      );
      return false;
    }
    this.current = undefined;
    this.faultsSeen.clear();
    return true;
  }
}
