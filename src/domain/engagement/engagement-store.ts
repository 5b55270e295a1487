import type { Statement } from 'better-sqlite3';
import type { ProductRef } from '../../shared/events.js';
import type { Store } from '../../store/index.js';
import { type Counts, type DailyFigure, withConversion } from './figures.js';

/** Component `engagement` of the store. A released step is never edited; a change is a new step. */
export const ENGAGEMENT_MIGRATIONS: readonly string[] = [
  `
  -- One row per store day (YYYY-MM-DD in the configured time zone) and product. Put-backs and sales are
  -- counted on the day of the pick-up they close, so bought <= picked_up holds on every row. gtin and
  -- name are the catalog's at the last count, for an operator's SQL.
  CREATE TABLE engagement_daily (
    day TEXT NOT NULL,
    sku TEXT NOT NULL,
    gtin TEXT,
    name TEXT,
    picked_up INTEGER NOT NULL DEFAULT 0,
    put_back INTEGER NOT NULL DEFAULT 0,
    bought INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, sku)
  ) WITHOUT ROWID;
  -- Pick-ups whose funnel is still open (neither back nor sold, window not over), so that a restart
  -- inside the window still closes them. left_at: epoch ms of the last sighting in the zone.
  CREATE TABLE engagement_pending (
    tag TEXT PRIMARY KEY,
    zone TEXT NOT NULL,
    sku TEXT NOT NULL,
    gtin TEXT,
    name TEXT,
    left_at REAL NOT NULL,
    day TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
];

/** A pick-up whose funnel is open. */
export interface PendingPickUp {
  tag: string;
  zone: string;
  product: ProductRef;
  /** Epoch ms of the tag's last sighting in the zone: where the put-back window starts. */
  leftAtMs: number;
  /** Store day of `leftAtMs`: the day its put-back or sale is counted on. */
  day: string;
}

interface DailyRow {
  day: string;
  sku: string;
  gtin: string | null;
  name: string | null;
  picked_up: number;
  put_back: number;
  bought: number;
}

interface PendingRow {
  tag: string;
  zone: string;
  sku: string;
  gtin: string | null;
  name: string | null;
  left_at: number;
  day: string;
}

/** The engagement tables: prepared once after the migration; the caller owns the transactions. */
export class EngagementStore {
  private readonly bump: Statement;
  private readonly putPending: Statement;
  private readonly dropPending: Statement;
  private readonly range: Statement;
  private readonly rangeOfSku: Statement;
  private readonly countRange: Statement;
  private readonly countRangeOfSku: Statement;
  private readonly purgeBefore: Statement;

  constructor(private readonly store: Store) {
    store.migrate('engagement', ENGAGEMENT_MIGRATIONS);
    const db = store.db;
    this.bump = db.prepare(`
      INSERT INTO engagement_daily (day, sku, gtin, name, picked_up, put_back, bought)
      VALUES (@day, @sku, @gtin, @name, @pickedUp, @putBack, @bought)
      ON CONFLICT (day, sku) DO UPDATE SET
        gtin = coalesce(excluded.gtin, gtin), name = coalesce(excluded.name, name),
        picked_up = picked_up + excluded.picked_up, put_back = put_back + excluded.put_back,
        bought = bought + excluded.bought`);
    this.putPending = db.prepare(`
      INSERT OR REPLACE INTO engagement_pending (tag, zone, sku, gtin, name, left_at, day)
      VALUES (@tag, @zone, @sku, @gtin, @name, @left_at, @day)`);
    this.dropPending = db.prepare('DELETE FROM engagement_pending WHERE tag = ?');
    const select = 'SELECT * FROM engagement_daily WHERE day >= @from AND day <= @to';
    this.range = db.prepare(`${select} ORDER BY day, sku`);
    this.rangeOfSku = db.prepare(`${select} AND sku = @sku ORDER BY day`);
    const count = 'SELECT count(*) FROM engagement_daily WHERE day >= @from AND day <= @to';
    this.countRange = db.prepare(count).pluck();
    this.countRangeOfSku = db.prepare(`${count} AND sku = @sku`).pluck();
    this.purgeBefore = db.prepare('DELETE FROM engagement_daily WHERE day < ?');
  }

  /** Adds to a product's day. Inside the caller's transaction. */
  add(day: string, product: ProductRef, counts: Partial<Counts>): void {
    this.bump.run({
      day,
      sku: product.sku,
      gtin: product.gtin ?? null,
      name: product.name ?? null,
      pickedUp: counts.pickedUp ?? 0,
      putBack: counts.putBack ?? 0,
      bought: counts.bought ?? 0,
    });
  }

  /** Inside the caller's transaction. */
  savePending(pending: PendingPickUp): void {
    this.putPending.run({
      tag: pending.tag,
      zone: pending.zone,
      sku: pending.product.sku,
      gtin: pending.product.gtin ?? null,
      name: pending.product.name ?? null,
      left_at: pending.leftAtMs,
      day: pending.day,
    });
  }

  /** Inside the caller's transaction. */
  deletePending(tag: string): void {
    this.dropPending.run(tag);
  }

  /** Every open pick-up, oldest first. */
  loadPending(): PendingPickUp[] {
    const rows = this.store.db
      .prepare('SELECT * FROM engagement_pending ORDER BY left_at, tag')
      .all() as PendingRow[];
    return rows.map((row) => ({
      tag: row.tag,
      zone: row.zone,
      product: productOf(row),
      leftAtMs: row.left_at,
      day: row.day,
    }));
  }

  /** Rows of the days `from`..`to` (inclusive), by day then SKU. */
  days(from: string, to: string, sku?: string): DailyFigure[] {
    const rows = (
      sku === undefined ? this.range.all({ from, to }) : this.rangeOfSku.all({ from, to, sku })
    ) as DailyRow[];
    return rows.map((row) => ({
      day: row.day,
      ...productOf(row),
      ...withConversion({ pickedUp: row.picked_up, putBack: row.put_back, bought: row.bought }),
    }));
  }

  /** How many rows `days` would return, to refuse an answer too big for one message. */
  countDays(from: string, to: string, sku?: string): number {
    return (
      sku === undefined ? this.countRange.get({ from, to }) : this.countRangeOfSku.get({ from, to, sku })
    ) as number;
  }

  /** Deletes the days before `day`; returns how many rows went. */
  purge(day: string): number {
    return this.store.transaction(() => this.purgeBefore.run(day).changes);
  }
}

function productOf(row: { sku: string; gtin: string | null; name: string | null }): ProductRef {
  const product: ProductRef = { sku: row.sku };
  if (row.gtin !== null) product.gtin = row.gtin;
  if (row.name !== null) product.name = row.name;
  return product;
}
