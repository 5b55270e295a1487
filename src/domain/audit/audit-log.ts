import type { Statement } from 'better-sqlite3';
import type { Logger } from '../../observability/logger.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { Store } from '../../store/index.js';
import { redactOutcome, type Summary, summarise } from './summary.js';

/** Component `audit` of the store. A released step is never edited; a change is a new step. */
export const AUDIT_MIGRATIONS: readonly string[] = [
  `
  -- One row per request to a state-changing command (MQTT <base>/request/<command>), accepted or
  -- refused. at = epoch ms (the gateway's clock) when it was answered. client = the client id the
  -- request claimed, or 'unsigned'; verified = 1 when that client's HMAC signature was checked and good.
  -- transaction_id = the request's transaction as sent (text or number), NULL without one.
  -- outcome = 'ok', 'refused: <why>' (the handler did not run) or 'error: <message>' (it ran and
  -- failed), with the request's personal data replaced by [redacted]. what = a JSON summary of the
  -- payload: its fields, with values only for device ids and settings (see summary.ts), NULL when
  -- it could not be decoded. Rows older than security.auditRetentionDays are deleted.
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    command TEXT NOT NULL,
    client TEXT NOT NULL,
    verified INTEGER NOT NULL CHECK (verified IN (0, 1)),
    transaction_id,
    outcome TEXT NOT NULL,
    what TEXT
  );
  CREATE INDEX audit_by_at ON audit (at);

  -- Signatures accepted within the replay window, so that a restart does not open a window for
  -- replays; a row is deleted once until (epoch ms) has passed.
  CREATE TABLE audit_signatures (signature TEXT PRIMARY KEY, until REAL NOT NULL) WITHOUT ROWID;
  `,
  `
  -- group_name = the group a request was addressed to (<baseTopic>/groups/<group>/request/...), NULL
  -- for a request to this gateway alone (and for every row written before groups existed).
  ALTER TABLE audit ADD COLUMN group_name TEXT;
  `,
];

export const UNSIGNED = 'unsigned';
export const PURGE_INTERVAL_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A request as the router reports it (structurally the router's RequestAuditEntry). */
export interface AuditInput {
  at: number;
  command: string;
  /** The command's own field names. */
  fields: readonly string[];
  client: string | null;
  verified: boolean;
  transaction: string | number | null;
  outcome: string;
  /** The decoded request: summarised here, never stored as it is. */
  payload: unknown;
  /** The group it was addressed to; absent for a request to this gateway alone. */
  group?: string;
}

/** A row of the audit as `audit/get` answers it. */
export interface AuditEntry {
  id: number;
  at: string;
  command: string;
  client: string;
  verified: boolean;
  transaction: string | number | null;
  outcome: string;
  what: Summary | null;
  /** Only for a request addressed to a group of gateways. */
  group?: string;
}

export interface AuditQuery {
  /** Inclusive, epoch ms. */
  fromMs?: number;
  /** Exclusive, epoch ms. */
  toMs?: number;
  command?: string;
  limit: number;
}

interface Row {
  id: number;
  at: number;
  command: string;
  client: string;
  verified: number;
  transaction_id: string | number | null;
  outcome: string;
  what: string | null;
  group_name: string | null;
}

export interface AuditLogOptions {
  clock: Clock;
  logger: Logger;
  retentionDays: number;
}

/**
 * The audit trail of state-changing commands, in the store. A row is written in its own transaction
 * once the request has been answered; a write that fails is logged (with what the row would have
 * said) and never fails the request or the process.
 */
export class AuditLog {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly retentionMs: number;
  private readonly insert: Statement;
  private readonly purgeBefore: Statement;
  private readonly insertSignature: Statement;
  private readonly purgeSignatures: Statement;
  private readonly liveSignatures: Statement;
  private timer: TimerHandle | undefined;

  constructor(store: Store, options: AuditLogOptions) {
    store.migrate('audit', AUDIT_MIGRATIONS);
    this.store = store;
    this.clock = options.clock;
    this.logger = options.logger;
    if (!(options.retentionDays > 0)) throw new RangeError('retentionDays must be positive');
    this.retentionMs = options.retentionDays * DAY_MS;
    const { db } = store;
    this.insert = db.prepare(`
      INSERT INTO audit (at, command, client, verified, transaction_id, outcome, what, group_name)
      VALUES (@at, @command, @client, @verified, @transaction_id, @outcome, @what, @group_name)`);
    this.purgeBefore = db.prepare('DELETE FROM audit WHERE at < ?');
    this.insertSignature = db.prepare(
      'INSERT INTO audit_signatures (signature, until) VALUES (?, ?) ON CONFLICT (signature) DO UPDATE SET until = max(until, excluded.until)',
    );
    this.purgeSignatures = db.prepare('DELETE FROM audit_signatures WHERE until < ?');
    this.liveSignatures = db.prepare('SELECT signature, until FROM audit_signatures WHERE until >= ?');
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

  /** Appends one request; never throws. */
  record(input: AuditInput): void {
    const what = summarise(input.command, input.fields, input.payload);
    const row = {
      at: input.at,
      command: input.command,
      client: input.client ?? UNSIGNED,
      verified: input.verified ? 1 : 0,
      transaction_id: input.transaction,
      outcome: redactOutcome(input.outcome, input.command, input.fields, input.payload),
      what: what === null ? null : JSON.stringify(what),
      group_name: input.group ?? null,
    };
    try {
      this.store.transaction(() => this.insert.run(row));
    } catch (error) {
      this.logger.error({ audit: row, err: String(error) }, 'audit entry not written');
    }
  }

  /** Newest first; `more` when the limit cut the answer short. */
  query(query: AuditQuery): { entries: AuditEntry[]; more: boolean } {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (query.fromMs !== undefined) {
      where.push('at >= ?');
      params.push(query.fromMs);
    }
    if (query.toMs !== undefined) {
      where.push('at < ?');
      params.push(query.toMs);
    }
    if (query.command !== undefined) {
      where.push('command = ?');
      params.push(query.command);
    }
    const rows = this.store.db
      .prepare(
        `SELECT * FROM audit ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`,
      )
      .all(...params, query.limit + 1) as Row[];
    const more = rows.length > query.limit;
    return { entries: rows.slice(0, query.limit).map(toEntry), more };
  }

  /** Deletes rows past the retention and signatures past their window; returns the audit rows deleted. */
  purge(): number {
    const now = this.clock.now();
    try {
      let deleted = 0;
      this.store.transaction(() => {
        deleted = this.purgeBefore.run(now - this.retentionMs).changes;
        this.purgeSignatures.run(now);
      });
      if (deleted > 0) this.logger.info({ rows: deleted }, 'audit: rows past the retention deleted');
      return deleted;
    } catch (error) {
      this.logger.warn({ err: String(error) }, 'audit: purge failed; retried at the next one');
      return 0;
    }
  }

  /** Keeps an accepted signature until its window ends, across a restart; never throws. */
  rememberSignature(signature: string, untilMs: number): void {
    try {
      this.store.transaction(() => this.insertSignature.run(signature, untilMs));
    } catch (error) {
      this.logger.warn({ err: String(error) }, 'audit: accepted signature not kept across a restart');
    }
  }

  /** Signatures accepted before (a restart) whose window has not ended. */
  liveSignaturesAt(nowMs: number): Array<{ signature: string; untilMs: number }> {
    const rows = this.liveSignatures.all(nowMs) as Array<{ signature: string; until: number }>;
    return rows.map((row) => ({ signature: row.signature, untilMs: row.until }));
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(
      () => {
        this.purge();
        this.schedule();
      },
      PURGE_INTERVAL_MS,
      { background: true },
    );
  }
}

function toEntry(row: Row): AuditEntry {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    command: row.command,
    client: row.client,
    verified: row.verified === 1,
    transaction: row.transaction_id,
    outcome: row.outcome,
    what: row.what === null ? null : (JSON.parse(row.what) as Summary),
    ...(row.group_name === null ? {} : { group: row.group_name }),
  };
}
