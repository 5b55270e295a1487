import type { Statement } from 'better-sqlite3';
import type { Logger } from '../../observability/logger.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { EventOf } from '../../shared/extension.js';
import type { Store } from '../../store/index.js';
import type { AlarmEntry, AlarmState } from './alarm-entry.js';

export type { AlarmEntry, AlarmState } from './alarm-entry.js';

/** Component `alarms` of the store. A released step is never edited; a change is a new step. */
export const ALARM_MIGRATIONS: readonly string[] = [
  `
  -- One row per security.alarm event: id and seq are the event's, ts its time (ISO 8601 UTC).
  -- what = JSON of the alarm's door, zone, tag, product (its name), session and detail when it had
  -- them. acknowledged_at = epoch ms (the gateway's clock), by = who the request named, note as given.
  CREATE TABLE alarm_book (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    kind TEXT NOT NULL,
    cabinet TEXT,
    what TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged')),
    acknowledged_at REAL,
    acknowledged_by TEXT,
    note TEXT
  );
  CREATE INDEX alarm_book_by_state ON alarm_book (state, seq);
  `,
  `
  -- by_verified = 1 when a signature vouches for acknowledged_by (the signed request's client), 0
  -- when it is the name an unsigned request claimed; NULL for rows acknowledged before this step.
  ALTER TABLE alarm_book ADD COLUMN by_verified INTEGER;
  `,
];

export const DEFAULT_MAX_ALARMS = 10_000;
export const DEFAULT_ACKNOWLEDGED_RETENTION_DAYS = 30;
export const ALARM_PURGE_INTERVAL_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** What the book keeps of an alarm besides its kind and cabinet. */
type What = Pick<AlarmEntry, 'door' | 'zone' | 'tag' | 'product' | 'session' | 'detail'>;

interface Row {
  id: string;
  seq: number;
  ts: string;
  kind: string;
  cabinet: string | null;
  what: string;
  state: AlarmState;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  by_verified: number | null;
  note: string | null;
}

export interface AlarmBookOptions {
  clock: Clock;
  logger: Logger;
  /** Rows kept at most; past it the oldest acknowledged go first, then the oldest open ones. */
  maxRows?: number;
  /** Acknowledged alarms are deleted this long after their acknowledgement. */
  retentionDays?: number;
}

export interface AlarmQuery {
  state?: AlarmState;
  limit: number;
  offset: number;
}

/** The outcome of acknowledging alarms that all exist (see `acknowledge`). */
export interface Acknowledgement {
  /** Open until now, acknowledged by this call (in the order asked). */
  acknowledged: AlarmEntry[];
  /** Acknowledged before: left as they were. */
  already: AlarmEntry[];
}

/**
 * Every `security.alarm` the gateway raised, in the store, open until a person acknowledges it:
 * what the console's Alarms and Now pages show, across restarts. Bounded: acknowledged alarms go
 * after the retention, and past `maxRows` the oldest rows go (acknowledged first), so a door that
 * flaps for a week cannot fill the disk; the alarms stay in the event history and on MQTT.
 */
export class AlarmBook {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxRows: number;
  private readonly retentionMs: number;
  private readonly insert: Statement;
  private readonly byId: Statement<[string], Row>;
  private readonly markAcknowledged: Statement;
  private readonly countOpen: Statement<[], { n: number }>;
  private readonly countAll: Statement<[], { n: number }>;
  private readonly purgeBefore: Statement;
  private readonly dropOldest: Statement;
  private rows: number;
  private timer: TimerHandle | undefined;

  constructor(store: Store, options: AlarmBookOptions) {
    store.migrate('alarms', ALARM_MIGRATIONS);
    this.store = store;
    this.clock = options.clock;
    this.logger = options.logger;
    this.maxRows = options.maxRows ?? DEFAULT_MAX_ALARMS;
    const days = options.retentionDays ?? DEFAULT_ACKNOWLEDGED_RETENTION_DAYS;
    if (!Number.isInteger(this.maxRows) || this.maxRows < 10)
      throw new RangeError(`maxRows must be an integer of 10 or more, got ${this.maxRows}`);
    if (!(days > 0)) throw new RangeError(`retentionDays must be positive, got ${days}`);
    this.retentionMs = days * DAY_MS;
    const { db } = store;
    this.insert = db.prepare(`
      INSERT OR IGNORE INTO alarm_book (id, seq, ts, kind, cabinet, what, state)
      VALUES (@id, @seq, @ts, @kind, @cabinet, @what, 'open')`);
    this.byId = db.prepare('SELECT * FROM alarm_book WHERE id = ?');
    this.markAcknowledged = db.prepare(`
      UPDATE alarm_book SET state = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?,
        by_verified = ?, note = ?
      WHERE id = ? AND state = 'open'`);
    this.countOpen = db.prepare("SELECT count(*) AS n FROM alarm_book WHERE state = 'open'");
    this.countAll = db.prepare('SELECT count(*) AS n FROM alarm_book');
    this.purgeBefore = db.prepare(
      "DELETE FROM alarm_book WHERE state = 'acknowledged' AND acknowledged_at < ?",
    );
    // Acknowledged ones first (state = 'open' is 0 for them), the longest acknowledged first; then
    // the oldest open ones.
    this.dropOldest = db.prepare(`
      DELETE FROM alarm_book WHERE id IN (
        SELECT id FROM alarm_book ORDER BY state = 'open', acknowledged_at, seq LIMIT ?)`);
    this.rows = this.countAll.get()?.n ?? 0;
  }

  /** Purges now and every hour after. */
  start(): void {
    this.purge();
    this.schedule();
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Books a raised alarm as open; the same event twice is booked once. Never throws. */
  record(event: EventOf<'security.alarm'>): void {
    const what: What = {};
    if (event.door !== undefined) what.door = event.door;
    if (event.zone !== undefined) what.zone = event.zone;
    if (event.tag !== undefined) what.tag = event.tag;
    const product = event.product?.name ?? event.product?.sku;
    if (product !== undefined) what.product = product;
    if (event.session !== undefined) what.session = event.session;
    if (event.detail !== undefined) what.detail = event.detail;
    try {
      this.store.transaction(() => {
        const added = this.insert.run({
          id: event.id,
          seq: event.seq,
          ts: event.ts,
          kind: event.kind,
          cabinet: event.cabinet ?? null,
          what: JSON.stringify(what),
        }).changes;
        this.rows += added;
        if (this.rows > this.maxRows) this.trim();
      });
    } catch (error) {
      // The alarm itself is in the outbox already: only the console's list misses it.
      this.logger.error({ seq: event.seq, kind: event.kind, err: String(error) }, 'alarm not booked');
    }
  }

  get(id: string): AlarmEntry | undefined {
    const row = this.byId.get(id);
    return row === undefined ? undefined : toEntry(row);
  }

  /** Open alarms, newest first (for the Now page). */
  open(limit: number): AlarmEntry[] {
    return this.query({ state: 'open', limit, offset: 0 }).alarms;
  }

  openCount(): number {
    return this.countOpen.get()?.n ?? 0;
  }

  /** Open ones newest first, then acknowledged ones latest acknowledged first (or one state only). */
  query(query: AlarmQuery): { alarms: AlarmEntry[]; more: boolean } {
    const where = query.state === undefined ? '' : 'WHERE state = ?';
    const rows = this.store.db
      .prepare<unknown[], Row>(
        `SELECT * FROM alarm_book ${where}
         ORDER BY state = 'open' DESC, acknowledged_at DESC, seq DESC LIMIT ? OFFSET ?`,
      )
      .all(...(query.state === undefined ? [] : [query.state]), query.limit + 1, query.offset);
    return { alarms: rows.slice(0, query.limit).map(toEntry), more: rows.length > query.limit };
  }

  counts(): { open: number; acknowledged: number } {
    const open = this.openCount();
    return { open, acknowledged: (this.countAll.get()?.n ?? 0) - open };
  }

  /**
   * Acknowledges the named alarms, in the caller's transaction (with the events it emits). All or
   * nothing on an unknown id: it throws naming every one, and nothing changes. An alarm already
   * acknowledged is left as it was and reported in `already` (an MQTT redelivery, two people at
   * once): the others are still acknowledged. `byVerified`: a signature vouches for `by`.
   */
  acknowledge(
    ids: readonly string[],
    by: string,
    note: string | undefined,
    byVerified = false,
  ): Acknowledgement {
    const wanted = [...new Set(ids)];
    const found = wanted.map((id) => [id, this.byId.get(id)] as const);
    const unknown = found.filter(([, row]) => row === undefined).map(([id]) => JSON.stringify(id));
    if (unknown.length > 0)
      throw new Error(
        `unknown alarm${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: nothing acknowledged`,
      );
    const at = this.clock.now();
    const result: Acknowledgement = { acknowledged: [], already: [] };
    this.store.transaction(() => {
      for (const [id, row] of found) {
        const verified = byVerified ? 1 : 0;
        if (
          row?.state === 'open' &&
          this.markAcknowledged.run(at, by, verified, note ?? null, id).changes === 1
        ) {
          result.acknowledged.push(
            toEntry({
              ...row,
              state: 'acknowledged',
              acknowledged_at: at,
              acknowledged_by: by,
              by_verified: verified,
              note: note ?? null,
            }),
          );
        } else if (row) {
          result.already.push(toEntry(row));
        }
      }
    });
    return result;
  }

  /** Deletes acknowledged alarms past the retention; returns how many. Never throws. */
  purge(): number {
    try {
      let deleted = 0;
      this.store.transaction(() => {
        deleted = this.purgeBefore.run(this.clock.now() - this.retentionMs).changes;
        this.rows -= deleted;
      });
      if (deleted > 0)
        this.logger.info({ rows: deleted }, 'alarms: acknowledged alarms past the retention deleted');
      return deleted;
    } catch (error) {
      this.rows = this.countAll.get()?.n ?? this.rows;
      this.logger.warn({ err: String(error) }, 'alarms: purge failed; retried at the next one');
      return 0;
    }
  }

  /**
   * Back to nine tenths of the bound, so that a flapping door costs one trim per many alarms rather
   * than a delete per alarm.
   */
  private trim(): void {
    const excess = this.rows - Math.floor(this.maxRows * 0.9);
    const open = this.openCount();
    const deleted = this.dropOldest.run(excess).changes;
    this.rows -= deleted;
    const droppedOpen = Math.max(0, open - this.openCount());
    const log = { deleted, droppedOpen, maxRows: this.maxRows };
    if (droppedOpen > 0)
      this.logger.warn(log, 'alarms: the book is full of open alarms; the oldest open ones were dropped');
    else this.logger.info(log, 'alarms: the book is full; the oldest acknowledged alarms were deleted');
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(
      () => {
        this.purge();
        this.schedule();
      },
      ALARM_PURGE_INTERVAL_MS,
      { background: true },
    );
  }
}

function toEntry(row: Row): AlarmEntry {
  const what = JSON.parse(row.what) as What;
  const entry: AlarmEntry = {
    id: row.id,
    seq: row.seq,
    ts: row.ts,
    kind: row.kind,
    ...(row.cabinet === null ? {} : { cabinet: row.cabinet }),
    ...what,
    state: row.state,
  };
  if (row.state === 'acknowledged' && row.acknowledged_at !== null) {
    entry.acknowledged = {
      at: new Date(row.acknowledged_at).toISOString(),
      by: row.acknowledged_by ?? '',
      ...(row.by_verified === null ? {} : { byVerified: row.by_verified === 1 }),
      ...(row.note === null ? {} : { note: row.note }),
    };
  }
  return entry;
}
