import type { Statement } from 'better-sqlite3';
import type { Store } from '../../store/index.js';

/** Component `exit-monitor` of the store. A released step is never edited; a change is a new step. */
export const EXIT_MONITOR_MIGRATIONS: readonly string[] = [
  `
  -- One row per paid tag. until = epoch ms after which the tag is no longer paid; a row past it is
  -- dead weight only (reads compare with the clock), purged on a timer. source: 'request' (MQTT
  -- tags/paid from a point of sale) or 'purchase' (a cabinet's purchase.completed); reference is the
  -- point of sale's reference or the purchase session, for an operator's SQL.
  CREATE TABLE exit_monitor_paid (
    tag TEXT PRIMARY KEY,
    until REAL NOT NULL,
    marked_at REAL NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('request', 'purchase')),
    reference TEXT
  ) WITHOUT ROWID;
  CREATE INDEX exit_monitor_paid_by_until ON exit_monitor_paid (until);
  `,
];

export type PaidSource = 'request' | 'purchase';

export interface PaidMark {
  tag: string;
  untilMs: number;
  markedAtMs: number;
  source: PaidSource;
  reference?: string;
}

interface Row {
  tag: string;
  until: number;
  marked_at: number;
  source: PaidSource;
  reference: string | null;
}

/**
 * The paid marks, in the store so that they survive a restart. Every read goes to SQLite (an exit is
 * rare next to a read), so there is no cache to fall out of step when a transaction rolls back.
 * Writes join the caller's transaction; the caller owns it.
 */
export class PaidMarks {
  private readonly upsert: Statement;
  private readonly select: Statement;
  private readonly purgeBefore: Statement;
  private readonly earliest: Statement;
  private readonly counted: Statement;

  constructor(store: Store) {
    store.migrate('exit-monitor', EXIT_MONITOR_MIGRATIONS);
    const { db } = store;
    // A later mark never shortens an earlier one: a point of sale re-marking a tag bought in a
    // cabinet an hour ago with a short ttl must not make it unpaid sooner.
    this.upsert = db.prepare(`
      INSERT INTO exit_monitor_paid (tag, until, marked_at, source, reference)
      VALUES (@tag, @until, @marked_at, @source, @reference)
      ON CONFLICT (tag) DO UPDATE SET
        until = excluded.until, marked_at = excluded.marked_at, source = excluded.source,
        reference = excluded.reference
      WHERE excluded.until >= exit_monitor_paid.until`);
    this.select = db.prepare('SELECT * FROM exit_monitor_paid WHERE tag = ?');
    this.purgeBefore = db.prepare('DELETE FROM exit_monitor_paid WHERE until <= ?');
    this.earliest = db.prepare('SELECT min(until) FROM exit_monitor_paid').pluck();
    this.counted = db.prepare('SELECT count(*) FROM exit_monitor_paid').pluck();
  }

  /** Inside the caller's transaction. */
  mark(mark: PaidMark): void {
    this.upsert.run({
      tag: mark.tag,
      until: mark.untilMs,
      marked_at: mark.markedAtMs,
      source: mark.source,
      reference: mark.reference ?? null,
    });
  }

  /** The tag's mark, expired or not (an expired one not yet purged says why an alarm went off). */
  get(tag: string): PaidMark | undefined {
    const row = this.select.get(tag) as Row | undefined;
    if (!row) return undefined;
    const mark: PaidMark = {
      tag: row.tag,
      untilMs: row.until,
      markedAtMs: row.marked_at,
      source: row.source,
    };
    if (row.reference !== null) mark.reference = row.reference;
    return mark;
  }

  /** Paid = a mark whose `until` is still ahead of `nowMs`. */
  isPaid(tag: string, nowMs: number): boolean {
    const mark = this.get(tag);
    return mark !== undefined && mark.untilMs > nowMs;
  }

  /** Deletes every mark expired at `nowMs`; returns how many. */
  purge(nowMs: number): number {
    return this.purgeBefore.run(nowMs).changes;
  }

  /** When the next mark expires; undefined when there is none. */
  nextExpiry(): number | undefined {
    const value = this.earliest.get() as number | null;
    return value ?? undefined;
  }

  count(): number {
    return this.counted.get() as number;
  }
}
