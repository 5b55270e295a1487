import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Logger } from '../../observability/logger.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { Store } from '../../store/index.js';
import type { CustomerHistory } from './customer-history.js';
import type { Customers } from './customers.js';
import type { SessionStore } from './session-store.js';

/** A pending forget that could not be carried out (the store refused) is tried again this much later. */
const RETRY_MS = 60_000;

const MIGRATIONS = [
  `-- Customers to forget once their session in progress has ended; a row goes with the forget itself.
   CREATE TABLE forget_pending (
     reference TEXT PRIMARY KEY,
     requested_at REAL NOT NULL,
     -- JSON array: the sessions in progress when it was asked, whose charge still goes out under the
     -- customer's reference (their events waiting for the broker keep it).
     sessions TEXT NOT NULL DEFAULT '[]'
   ) WITHOUT ROWID`,
];

/** What a forget removed or rewrote. */
export interface ForgetOutcome {
  cards: number;
  history: number;
  sessions: number;
}

/** A forget of a customer with a session in progress: done when the last of those sessions ends. */
export interface PendingForget {
  pending: true;
  /** The sessions it waits for. */
  inProgress: string[];
}

export interface ForgettingDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  customers: Customers;
  history: CustomerHistory;
  sessions: SessionStore;
}

/**
 * `customers/forget`: every card, the history, and the reference in past sessions and in the events
 * still waiting for the broker, with secure_delete so that nothing readable is left in the file.
 *
 * A customer with a session in progress is forgotten when it ends (completed, cancelled or
 * uncertain), since its outcome writes the reference into the session and the history: until then
 * the request is kept in the store, so a restart in between carries it out as well. Logs say how
 * many, never who.
 */
export class Forgetting {
  private readonly insertPending: Statement<[string, number, string]>;
  private readonly deletePending: Statement<[string]>;
  private readonly allPending: Statement<[], { reference: string; sessions: string }>;
  private retryTimer: TimerHandle | undefined;

  constructor(private readonly deps: ForgettingDeps) {
    deps.store.migrate('forget-pending', MIGRATIONS);
    const db = deps.store.db;
    this.insertPending = db.prepare(
      `INSERT INTO forget_pending (reference, requested_at, sessions) VALUES (?, ?, ?)
       ON CONFLICT (reference) DO UPDATE SET sessions = (
         SELECT json_group_array(DISTINCT value) FROM (
           SELECT value FROM json_each(forget_pending.sessions) UNION SELECT value FROM json_each(excluded.sessions)))`,
    );
    this.deletePending = db.prepare('DELETE FROM forget_pending WHERE reference = ?');
    this.allPending = db.prepare('SELECT reference, sessions FROM forget_pending ORDER BY requested_at');
  }

  /** Forgets `reference` now, or (a session of theirs in progress) records it for when that ends. */
  request(reference: string): ForgetOutcome | PendingForget {
    const inProgress = this.sessionsOf(reference);
    if (inProgress.length === 0) return this.forget(reference);
    this.deps.store.transaction(() =>
      this.insertPending.run(reference, this.deps.clock.now(), JSON.stringify(inProgress)),
    );
    this.deps.logger.info({ sessions: inProgress }, 'customer to forget once their session has ended');
    return { pending: true, inProgress };
  }

  /**
   * Carries out every pending forget whose customer has no session in progress any more: call it
   * when a session ends and at start (after the interrupted sessions were recovered). A forget the
   * store refuses stays pending and is tried again.
   */
  runPending(): void {
    let pending: Array<{ reference: string; sessions: string[] }>;
    try {
      pending = this.allPending
        .all()
        .map((row) => ({ reference: row.reference, sessions: JSON.parse(row.sessions) as string[] }));
    } catch (error) {
      this.failed(error);
      return;
    }
    for (const { reference, sessions } of pending) {
      if (this.sessionsOf(reference).length > 0) continue;
      try {
        this.forget(reference, sessions);
      } catch (error) {
        this.failed(error);
        return;
      }
    }
  }

  stop(): void {
    if (this.retryTimer !== undefined) this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** `keepSessions`: the sessions it waited for, whose waiting events keep the reference (the charge). */
  private forget(reference: string, keepSessions: readonly string[] = []): ForgetOutcome {
    const { store, customers, history, sessions, logger } = this.deps;
    // Past sessions keep what was sold, under a name that cannot be traced back to the customer;
    // events still waiting for the broker are rewritten the same way.
    const replacement = `forgotten-${randomUUID()}`;
    const cards = customers.ofReference(reference).map((entry) => entry.card);
    const outcome = store.erase(() => {
      this.deletePending.run(reference);
      return {
        cards: customers.removeReference(reference),
        history: history.forget(reference),
        sessions: sessions.anonymise(reference, replacement),
      };
    }, [
      { field: 'customer', value: reference, replacement, keepSessions },
      ...cards.flatMap((value) => [
        { field: 'card' as const, value, replacement: 'forgotten' },
        { field: 'tag' as const, value, replacement: 'forgotten' },
      ]),
    ]);
    logger.info(outcome, 'customer forgotten');
    return outcome;
  }

  private sessionsOf(reference: string): string[] {
    return this.deps.sessions
      .active()
      .filter((session) => session.customer === reference)
      .map((session) => session.id);
  }

  private failed(error: unknown): void {
    this.deps.logger.error({ err: error }, 'pending customer forget not carried out; tried again later');
    if (this.retryTimer !== undefined) return;
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.runPending();
    }, RETRY_MS);
  }
}
