import type { Statement } from 'better-sqlite3';
import type { Store } from '../../store/index.js';

export type SessionState = 'authorised' | 'open' | 'settling' | 'completed' | 'cancelled';

/** What a cabinet knew of a tag just before the door opened (see settle.ts). */
export interface BeforeTag {
  tag: string;
  rounds: number;
  hits: number;
  pLower: number;
}

export interface SessionRecord {
  id: string;
  cabinet: string;
  customer: string;
  via: 'card' | 'request';
  state: SessionState;
  startedAt: number;
  openedAt: number | null;
  closedAt: number | null;
  before: BeforeTag[] | null;
  /** The final event's summary (items, total or reason), for `sessions/get`. */
  outcome: unknown;
  updatedAt: number;
}

interface Row {
  id: string;
  cabinet: string;
  customer: string;
  via: 'card' | 'request';
  state: SessionState;
  started_at: number;
  opened_at: number | null;
  closed_at: number | null;
  before_tags: string | null;
  outcome: string | null;
  updated_at: number;
}

const MIGRATIONS = [
  `CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     cabinet TEXT NOT NULL,
     customer TEXT NOT NULL,
     via TEXT NOT NULL,
     state TEXT NOT NULL,
     started_at REAL NOT NULL,
     opened_at REAL,
     closed_at REAL,
     -- The settled set before the door opened: after a crash the basket is still computed from it.
     before_tags TEXT,
     outcome TEXT,
     updated_at REAL NOT NULL
   );
   CREATE INDEX sessions_active ON sessions (cabinet, state);
   CREATE INDEX sessions_recent ON sessions (started_at)`,
  // The uncertain ends only (a few among many sales): the Review page's list stays quick however
  // long the history is. Its WHERE is UNCERTAIN below, word for word, or SQLite will not use it.
  `CREATE INDEX sessions_uncertain ON sessions (started_at)
     WHERE json_extract(outcome, '$.confidence') = 'uncertain'`,
  // A cabinet's latest sales (the console's last sale), however long the history is.
  'CREATE INDEX sessions_by_cabinet ON sessions (cabinet, updated_at)',
];

/** The outcome column holds the final event as JSON: an uncertain end says `confidence: "uncertain"`. */
const UNCERTAIN = `json_extract(outcome, '$.confidence') = 'uncertain'`;

const FILTER = `(@fromMs IS NULL OR started_at >= @fromMs) AND (@toMs IS NULL OR started_at < @toMs)
  AND (@cabinet IS NULL OR cabinet = @cabinet) AND (@customer IS NULL OR customer = @customer)`;

/**
 * Uncertain ends nobody has decided (`purchases/resolve` books a decision in session_resolutions,
 * resolutions.ts); only a cancelled purchase can be decided, so only those.
 */
const UNRESOLVED = `${UNCERTAIN} AND json_extract(outcome, '$.type') = 'purchase.cancelled'
  AND NOT EXISTS (SELECT 1 FROM session_resolutions AS decided WHERE decided.session = sessions.id)`;

export interface SessionFilter {
  fromMs?: number | undefined;
  toMs?: number | undefined;
  cabinet?: string | undefined;
  customer?: string | undefined;
}

interface FilterQuery {
  fromMs: number | null;
  toMs: number | null;
  cabinet: string | null;
  customer: string | null;
}

interface RecentQuery extends FilterQuery {
  limit: number;
  offset: number;
}

const COLUMNS =
  'id, cabinet, customer, via, state, started_at, opened_at, closed_at, before_tags, outcome, updated_at';

/** Purchase sessions, persisted: every transition is written in the transaction of its event. */
export class SessionStore {
  private readonly insertRow: Statement<[string, string, string, string, string, number, number]>;
  private readonly updateRow: Statement<
    [string, number | null, number | null, string | null, string | null, number, string]
  >;
  private readonly activeRows: Statement<[], Row>;
  private readonly recentRows: Statement<[RecentQuery], Row>;
  private readonly db: Store['db'];
  private unresolvedQueries:
    | { rows: Statement<[RecentQuery], Row>; count: Statement<[FilterQuery], { n: number }> }
    | undefined;
  private readonly byId: Statement<[string], Row>;
  private readonly lastEndedRow: Statement<[string], Row>;
  private readonly anonymiseRows: Statement<[{ replacement: string; reference: string }]>;

  constructor(store: Store) {
    store.migrate('sessions', MIGRATIONS);
    const db = store.db;
    this.db = db;
    this.insertRow = db.prepare(
      'INSERT INTO sessions (id, cabinet, customer, via, state, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.updateRow = db.prepare(
      'UPDATE sessions SET state = ?, opened_at = ?, closed_at = ?, before_tags = ?, outcome = ?, updated_at = ? WHERE id = ?',
    );
    this.activeRows = db.prepare(
      `SELECT ${COLUMNS} FROM sessions WHERE state IN ('authorised', 'open', 'settling') ORDER BY started_at`,
    );
    this.recentRows = db.prepare(
      `SELECT ${COLUMNS} FROM sessions WHERE ${FILTER} ORDER BY started_at DESC LIMIT @limit OFFSET @offset`,
    );
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM sessions WHERE id = ?`);
    this.lastEndedRow = db.prepare(
      `SELECT ${COLUMNS} FROM sessions WHERE cabinet = ? AND state IN ('completed', 'cancelled')
       ORDER BY updated_at DESC LIMIT 1`,
    );
    // The outcome is the purchase event as JSON, and it names the customer too.
    this.anonymiseRows = db.prepare(
      `UPDATE sessions SET customer = @replacement,
         outcome = CASE WHEN outcome IS NULL THEN NULL ELSE json_set(outcome, '$.customer', @replacement) END
       WHERE customer = @reference`,
    );
  }

  /**
   * Keeps a forgotten customer's sessions (what was sold stays in the books) under `replacement`
   * instead of their reference; returns how many. The caller runs it inside `store.erase`.
   */
  anonymise(reference: string, replacement: string): number {
    return this.anonymiseRows.run({ replacement, reference }).changes;
  }

  insert(session: SessionRecord): void {
    this.insertRow.run(
      session.id,
      session.cabinet,
      session.customer,
      session.via,
      session.state,
      session.startedAt,
      session.updatedAt,
    );
  }

  update(session: SessionRecord): void {
    this.updateRow.run(
      session.state,
      session.openedAt,
      session.closedAt,
      session.before === null ? null : JSON.stringify(session.before),
      session.outcome === undefined || session.outcome === null ? null : JSON.stringify(session.outcome),
      session.updatedAt,
      session.id,
    );
  }

  /** Sessions a crash may have interrupted. */
  active(): SessionRecord[] {
    return this.activeRows.all().map(fromRow);
  }

  /** The latest sessions first; with a filter, those started in [fromMs, toMs) of a cabinet or customer. */
  recent(limit: number, filter: SessionFilter = {}, offset = 0): SessionRecord[] {
    return this.recentRows.all({ limit, offset, ...filterQuery(filter) }).map(fromRow);
  }

  /**
   * Sessions that ended uncertain and that nobody has decided, the latest first, however many sales
   * came after them (the Review page's list); `total` counts them all (with the filter).
   */
  unresolved(
    limit: number,
    filter: SessionFilter = {},
    offset = 0,
  ): { total: number; sessions: SessionRecord[] } {
    const queries = this.unresolvedStatements();
    const where = filterQuery(filter);
    return {
      total: queries.count.get(where)?.n ?? 0,
      sessions: queries.rows.all({ limit, offset, ...where }).map(fromRow),
    };
  }

  /** A cabinet's latest ended session (the Now page's last sale, after a restart too). */
  lastEnded(cabinet: string): SessionRecord | undefined {
    const row = this.lastEndedRow.get(cabinet);
    return row && fromRow(row);
  }

  get(id: string): SessionRecord | undefined {
    const row = this.byId.get(id);
    return row ? fromRow(row) : undefined;
  }

  /** Prepared at first use: session_resolutions is resolutions.ts's table, migrated after this one. */
  private unresolvedStatements() {
    this.unresolvedQueries ??= {
      rows: this.db.prepare(
        `SELECT ${COLUMNS} FROM sessions WHERE ${UNRESOLVED} AND ${FILTER}
         ORDER BY started_at DESC LIMIT @limit OFFSET @offset`,
      ),
      count: this.db.prepare(`SELECT count(*) AS n FROM sessions WHERE ${UNRESOLVED} AND ${FILTER}`),
    };
    return this.unresolvedQueries;
  }
}

function filterQuery(filter: SessionFilter): FilterQuery {
  return {
    fromMs: filter.fromMs ?? null,
    toMs: filter.toMs ?? null,
    cabinet: filter.cabinet ?? null,
    customer: filter.customer ?? null,
  };
}

function fromRow(row: Row): SessionRecord {
  return {
    id: row.id,
    cabinet: row.cabinet,
    customer: row.customer,
    via: row.via,
    state: row.state,
    startedAt: row.started_at,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    before: row.before_tags === null ? null : (JSON.parse(row.before_tags) as BeforeTag[]),
    outcome: row.outcome === null ? null : (JSON.parse(row.outcome) as unknown),
    updatedAt: row.updated_at,
  };
}
