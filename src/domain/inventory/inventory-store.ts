import type { Statement } from 'better-sqlite3';
import type { TaggedItem } from '../../shared/commerce.js';
import type { Store } from '../../store/index.js';

/** Component `inventory` of the store. A released step is never edited; a change is a new step. */
export const INVENTORY_MIGRATIONS: readonly string[] = [
  `
  -- One row per present tag. The core keeps a tag in one zone at a time; (zone, tag) is the key so that
  -- a zone's set is a range of the table. Product columns are what the catalog said when the row was
  -- written, for an operator's SQL and as a fallback; the catalog is asked again at start-up.
  -- Times are epoch milliseconds: since = arrival, last_seen = the last arrival, move or re-report
  -- reported (not every read: reads never reach the store).
  CREATE TABLE inventory_tags (
    zone TEXT NOT NULL,
    tag TEXT NOT NULL,
    reader TEXT NOT NULL,
    sku TEXT,
    gtin TEXT,
    name TEXT,
    since REAL NOT NULL,
    last_seen REAL NOT NULL,
    PRIMARY KEY (zone, tag)
  ) WITHOUT ROWID;
  `,
];

/** A present tag as the inventory keeps it, in memory and in a row. */
export interface InventoryEntry {
  tag: string;
  zone: string;
  /** Reader of the read that put it here: the one whose outage holds it. */
  reader: string;
  item: TaggedItem;
  sinceMs: number;
  lastSeenMs: number;
  /** Seeded from the store at start-up and not reported by the core since. */
  restored: boolean;
}

interface Row {
  zone: string;
  tag: string;
  reader: string;
  sku: string | null;
  gtin: string | null;
  name: string | null;
  since: number;
  last_seen: number;
}

/** The inventory's table: prepared once after the migration; the caller owns the transactions. */
export class InventoryStore {
  private readonly upsert: Statement;
  private readonly remove: Statement;

  constructor(private readonly store: Store) {
    store.migrate('inventory', INVENTORY_MIGRATIONS);
    this.upsert = store.db.prepare(`
      INSERT INTO inventory_tags (zone, tag, reader, sku, gtin, name, since, last_seen)
      VALUES (@zone, @tag, @reader, @sku, @gtin, @name, @since, @last_seen)
      ON CONFLICT (zone, tag) DO UPDATE SET
        reader = excluded.reader, sku = excluded.sku, gtin = excluded.gtin, name = excluded.name,
        since = excluded.since, last_seen = excluded.last_seen`);
    this.remove = store.db.prepare('DELETE FROM inventory_tags WHERE zone = ? AND tag = ?');
  }

  /**
   * Every stored tag, one row per tag (the most recently seen if an older gateway left two), with the
   * stale duplicates deleted (counted in `duplicates`). The item is rebuilt by `itemFor`, from the
   * stored product columns.
   */
  load(itemFor: (tag: string, stored: TaggedItem) => TaggedItem): {
    entries: InventoryEntry[];
    duplicates: number;
  } {
    const rows = this.store.db
      .prepare('SELECT * FROM inventory_tags ORDER BY last_seen DESC, zone, tag')
      .all() as Row[];
    const seen = new Set<string>();
    const duplicates: Row[] = [];
    const entries: InventoryEntry[] = [];
    for (const row of rows) {
      if (seen.has(row.tag)) {
        duplicates.push(row);
        continue;
      }
      seen.add(row.tag);
      const stored: TaggedItem = { tag: row.tag };
      if (row.sku !== null) stored.sku = row.sku;
      if (row.gtin !== null) stored.gtin = row.gtin;
      if (row.name !== null) stored.name = row.name;
      entries.push({
        ...{ tag: row.tag, zone: row.zone, reader: row.reader, item: itemFor(row.tag, stored) },
        ...{ sinceMs: row.since, lastSeenMs: row.last_seen, restored: true },
      });
    }
    if (duplicates.length > 0) {
      this.store.transaction(() => {
        for (const row of duplicates) this.remove.run(row.zone, row.tag);
      });
    }
    entries.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
    return { entries, duplicates: duplicates.length };
  }

  /** Inside the caller's transaction. */
  put(entry: InventoryEntry): void {
    this.upsert.run({
      zone: entry.zone,
      tag: entry.tag,
      reader: entry.reader,
      sku: entry.item.sku ?? null,
      gtin: entry.item.gtin ?? null,
      name: entry.item.name ?? null,
      since: entry.sinceMs,
      last_seen: entry.lastSeenMs,
    });
  }

  /** Inside the caller's transaction. */
  delete(zone: string, tag: string): void {
    this.remove.run(zone, tag);
  }
}
