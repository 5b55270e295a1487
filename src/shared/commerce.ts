/** What the store sells and what a purchase carries: shared by the catalog, inventory and purchases. */
// No imports: the console's browser bundle takes types from here (a type import, erased by esbuild)
// without pulling in the server's modules or their Node types.

/** An amount in the minor units of an ISO 4217 currency (450 EUR = €4.50; 450 JPY = ¥450). */
export interface Money {
  amount: number;
  currency: string;
}

export interface Product {
  sku: string;
  /** 14 digits (GTIN-8/12/13 left-padded with zeros), check digit verified; absent for unbarcoded goods. */
  gtin?: string;
  name: string;
  /** Integer minor units of `currency`. */
  unitPrice: number;
  /** ISO 4217 code, e.g. "EUR". */
  currency: string;
  category?: string;
  /** Nominal weight of one unit in grams (> 0, at most 100000, to 0.1 g), for weighing shelves. */
  unitWeightG?: number;
  /**
   * Largest deviation of one unit from `unitWeightG`, in grams (0 to 10000, to 0.1 g): a 330 ml can
   * is 350 ± 6 g. Only with `unitWeightG`.
   */
  weightToleranceG?: number;
  /**
   * Low stock below this many units on hand in the store (all its zones together): the console's
   * Inventory page lists the products under it, an empty shelf first. 0 to 100000; absent: not watched.
   */
  minStock?: number;
}

/**
 * A product as `catalog/get` answers it: the tags mapped to it, and `catalogFile`, the file that owns
 * the product (which refuses remote changes to it).
 */
export type CatalogProduct = Product & { tags: string[]; catalogFile?: string };

/** A tag and what it is, as purchases and inventory report it. */
export interface TaggedItem {
  tag: string;
  /** The EPC pure-identity URI when the tag decodes under the TDS. */
  uri?: string;
  gtin?: string;
  sku?: string;
  name?: string;
  unitPrice?: number;
  currency?: string;
  /** The product's, for the settle logic; never in events (see `eventItem`). */
  unitWeightG?: number;
  weightToleranceG?: number;
}

/**
 * What decided a purchase besides the passive reads (on `purchase.completed`, and on an uncertain
 * `purchase.cancelled`): the targeted searches for undecided tags, and the scale's weight difference.
 */
export interface PurchaseEvidence {
  search?: { searches: number; found: string[] };
  weight?: {
    /** agreed: the tags' basket weighs what left; decided: weight chose among undecided tags. */
    status: 'agreed' | 'decided' | 'disagreed' | 'ambiguous' | 'unused';
    reason?: string;
    removedG?: number;
    expectedG?: number;
    windowG?: number;
    unexplainedG?: number;
  };
}

/**
 * A TaggedItem as events carry it (DESIGN.md): what it is and what it costs, picked field by field
 * so that what the catalog adds for the gateway's own use (weights) stays out of the contract.
 */
export function eventItem(item: TaggedItem): TaggedItem {
  const picked: TaggedItem = { tag: item.tag };
  if (item.uri !== undefined) picked.uri = item.uri;
  if (item.gtin !== undefined) picked.gtin = item.gtin;
  if (item.sku !== undefined) picked.sku = item.sku;
  if (item.name !== undefined) picked.name = item.name;
  if (item.unitPrice !== undefined) picked.unitPrice = item.unitPrice;
  if (item.currency !== undefined) picked.currency = item.currency;
  return picked;
}
