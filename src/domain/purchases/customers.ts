import type { Statement } from 'better-sqlite3';
import type { CustomerConfig } from '../../config/cabinets.js';
import type { Store } from '../../store/index.js';

export interface Customer {
  card: string;
  reference: string;
  name?: string;
  consent: boolean;
}

interface Row {
  card: string;
  reference: string;
  name: string | null;
  consent: number;
}

const MIGRATIONS = [
  `CREATE TABLE customers (
     card TEXT PRIMARY KEY,
     reference TEXT NOT NULL,
     -- Shown on the welcome screen; kept only while consent is given.
     name TEXT,
     consent INTEGER NOT NULL,
     updated_at REAL NOT NULL
   ) WITHOUT ROWID`,
];

/**
 * The allow-list of cards that may open a cabinet: card id → the store's customer reference (what
 * the payment side knows), a display name and a consent flag. Nothing here is ever logged.
 */
export class Customers {
  private readonly byCard: Statement<[string], Row>;
  private readonly upsertRow: Statement<[string, string, string | null, number, number]>;
  private readonly deleteRow: Statement<[string]>;
  private readonly all: Statement<[], Row>;
  private readonly byReference: Statement<[string], Row>;
  private readonly deleteReference: Statement<[string]>;

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {
    store.migrate('customers', MIGRATIONS);
    const db = store.db;
    this.byCard = db.prepare('SELECT card, reference, name, consent FROM customers WHERE card = ?');
    this.upsertRow = db.prepare(
      `INSERT INTO customers (card, reference, name, consent, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (card) DO UPDATE SET reference = excluded.reference, name = excluded.name,
         consent = excluded.consent, updated_at = excluded.updated_at`,
    );
    this.deleteRow = db.prepare('DELETE FROM customers WHERE card = ?');
    this.all = db.prepare('SELECT card, reference, name, consent FROM customers ORDER BY reference');
    this.byReference = db.prepare('SELECT card, reference, name, consent FROM customers WHERE reference = ?');
    this.deleteReference = db.prepare('DELETE FROM customers WHERE reference = ?');
  }

  find(card: string): Customer | undefined {
    const row = this.byCard.get(card.toUpperCase());
    return row ? fromRow(row) : undefined;
  }

  list(): Customer[] {
    return this.all.all().map(fromRow);
  }

  /** Adds or replaces; a customer without consent keeps no name. */
  set(customers: readonly CustomerConfig[]): number {
    return this.store.transaction(() => {
      for (const customer of customers) {
        const name = customer.consent ? (customer.name ?? null) : null;
        this.upsertRow.run(
          customer.card.toUpperCase(),
          customer.reference,
          name,
          customer.consent ? 1 : 0,
          this.now(),
        );
      }
      return customers.length;
    });
  }

  /** Every card of one customer (a customer may carry several). */
  ofReference(reference: string): Customer[] {
    return this.byReference.all(reference).map(fromRow);
  }

  /**
   * A customer consents when every card of theirs says so: withdrawing it on one card withdraws it
   * (a stricter reading than "any card", on purpose).
   */
  consents(reference: string): boolean {
    const cards = this.byReference.all(reference);
    return cards.length > 0 && cards.every((row) => row.consent === 1);
  }

  /** Deletes every card of a customer; the caller runs it inside `store.erase`. */
  removeReference(reference: string): number {
    return this.deleteReference.run(reference).changes;
  }

  remove(cards: readonly string[]): number {
    return this.store.transaction(() => {
      let removed = 0;
      for (const card of cards) removed += this.deleteRow.run(card.toUpperCase()).changes;
      return removed;
    });
  }
}

function fromRow(row: Row): Customer {
  return {
    card: row.card,
    reference: row.reference,
    ...(row.name === null ? {} : { name: row.name }),
    consent: row.consent === 1,
  };
}
