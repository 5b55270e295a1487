import type { Product } from '../../shared/commerce.js';

/** A product under its low-stock threshold (`minStock` in the catalog). */
export interface LowStockProduct {
  sku: string;
  name: string;
  gtin?: string;
  minStock: number;
  /** Units on hand in the store: every zone together. */
  count: number;
  /** Where they are, zone by zone (zones without any left out). */
  zones: Record<string, number>;
}

export interface LowStockReport {
  /** How many products have a threshold (`minStock` above 0): 0 says nobody set one. */
  watched: number;
  products: LowStockProduct[];
  /**
   * Zones whose counts may be out of date (a reader offline or in error): a product may be there
   * unseen, so "low" may be wrong until they read again.
   */
  stale: string[];
}

/**
 * The products whose units on hand are fewer than their `minStock`, the emptiest first (the largest
 * shortfall, then the SKU). A product with no units anywhere is there too: an empty shelf is what
 * the store manager most needs to see. Counted from the committed inventory, each tag's product
 * looked up now (`skuOf`): one the catalog learnt of after the tag arrived counts too.
 */
export function lowStock(
  products: readonly Product[],
  // Each zone's tags, and why it may be out of date.
  zones: ReadonlyArray<{ zone: string; entries: ReadonlyArray<{ tag: string }>; stale: string | undefined }>,
  skuOf: (tag: string) => string | undefined,
): LowStockReport {
  const watched = new Map<string, LowStockProduct>();
  for (const product of products) {
    if (product.minStock === undefined || product.minStock === 0) continue;
    watched.set(product.sku, {
      sku: product.sku,
      name: product.name,
      ...(product.gtin === undefined ? {} : { gtin: product.gtin }),
      minStock: product.minStock,
      count: 0,
      zones: {},
    });
  }
  for (const { zone, entries } of zones) {
    for (const { tag } of entries) {
      const sku = skuOf(tag);
      const product = sku === undefined ? undefined : watched.get(sku);
      if (!product) continue;
      product.count += 1;
      product.zones[zone] = (product.zones[zone] ?? 0) + 1;
    }
  }
  const low = [...watched.values()].filter((product) => product.count < product.minStock);
  low.sort(
    (a, b) => b.minStock - b.count - (a.minStock - a.count) || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0),
  );
  return {
    watched: watched.size,
    products: low,
    stale: zones.flatMap(({ zone, stale }) => (stale === undefined ? [] : [zone])),
  };
}
