/** What the store sells and what a purchase carries: shared by the catalog, inventory and purchases. */

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
  /** Nominal unit weight in grams (for cabinets with a scale). */
  unitWeightG?: number;
  /** Largest deviation of one unit from `unitWeightG`, in grams. */
  weightToleranceG?: number;
}

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
  /** The product's nominal unit weight in grams, when the catalog knows it (weighing cabinets). */
  unitWeightG?: number;
  /** Largest deviation of one unit from `unitWeightG`, in grams. */
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
