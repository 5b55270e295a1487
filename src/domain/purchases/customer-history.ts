import type { Statement } from 'better-sqlite3';
import type { TaggedItem } from '../../shared/commerce.js';
import type { Store } from '../../store/index.js';

const MIGRATIONS = [
  `CREATE TABLE customer_history (
     reference TEXT NOT NULL,
     sku TEXT NOT NULL,
     name TEXT NOT NULL,
     bought_at REAL NOT NULL
   );
   CREATE INDEX customer_history_by_customer ON customer_history (reference, bought_at);
   CREATE INDEX customer_history_by_age ON customer_history (bought_at)`,
];

const DAY_MS = 86_400_000;

/**
 * What each consenting customer bought, for the welcome screen's "your usual". Only the caller
 * knows about consent: it records only for customers who gave it, and forgets when it is withdrawn.
 * Rows older than the retention are purged; nothing here is logged.
 */
export class CustomerHistory {
  private readonly insert: Statement<[string, string, string, number]>;
  private readonly top: Statement<[string, number, number], { name: string }>;
  private readonly removeCustomer: Statement<[string]>;
  private readonly removeOlder: Statement<[number]>;
  private readonly countOf: Statement<[string], { count: number }>;

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    readonly retentionDays: number,
  ) {
    store.migrate('customer-history', MIGRATIONS);
    const db = store.db;
    this.insert = db.prepare(
      'INSERT INTO customer_history (reference, sku, name, bought_at) VALUES (?, ?, ?, ?)',
    );
    // The most bought products in the retention window; ties go to the one bought last.
    this.top = db.prepare(
      `SELECT name FROM customer_history WHERE reference = ? AND bought_at >= ?
       GROUP BY sku ORDER BY COUNT(*) DESC, MAX(bought_at) DESC LIMIT ?`,
    );
    this.removeCustomer = db.prepare('DELETE FROM customer_history WHERE reference = ?');
    this.removeOlder = db.prepare('DELETE FROM customer_history WHERE bought_at < ?');
    this.countOf = db.prepare('SELECT COUNT(*) AS count FROM customer_history WHERE reference = ?');
  }

  /** Items without a product (no SKU) are not kept: they could not be shown as "your usual". */
  record(reference: string, items: readonly TaggedItem[], atMs: number): number {
    let kept = 0;
    this.store.transaction(() => {
      for (const item of items) {
        if (item.sku === undefined) continue;
        this.insert.run(reference, item.sku, item.name ?? item.sku, atMs);
        kept += 1;
      }
    });
    return kept;
  }

  usual(reference: string, limit: number): string[] {
    if (limit <= 0) return [];
    return this.top.all(reference, this.cutoff(), limit).map((row) => row.name);
  }

  count(reference: string): number {
    return this.countOf.get(reference)?.count ?? 0;
  }

  /** Deletes one customer's history; the caller runs it inside `store.erase` when it must not linger. */
  forget(reference: string): number {
    return this.removeCustomer.run(reference).changes;
  }

  purge(): number {
    return this.store.transaction(() => this.removeOlder.run(this.cutoff()).changes);
  }

  private cutoff(): number {
    return this.now() - this.retentionDays * DAY_MS;
  }
}
