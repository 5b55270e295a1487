import type { InventorySnapshot, ProductCount } from '../../shared/payloads.js';
import type { InventoryEntry } from './inventory-store.js';

export type { InventorySnapshot, ProductCount };

/**
 * A snapshot lists at most this many tags by default (`truncated` says when there were more; `count`
 * and the product counts are always exact): a zone flooded by a pallet must not turn every retained
 * message into megabytes.
 */
export const SNAPSHOT_MAX_TAGS = 2000;

export function buildSnapshot(
  zone: string,
  entries: readonly InventoryEntry[],
  options: { nowMs: number; stale: string | undefined; maxTags: number },
): InventorySnapshot {
  const products = new Map<string, ProductCount>();
  for (const { item } of entries) {
    const key =
      item.sku !== undefined ? `sku:${item.sku}` : item.gtin !== undefined ? `gtin:${item.gtin}` : '';
    let product = products.get(key);
    if (!product) {
      product = { count: 0 };
      if (item.sku !== undefined) product.sku = item.sku;
      if (item.gtin !== undefined) product.gtin = item.gtin;
      if (item.name !== undefined) product.name = item.name;
      products.set(key, product);
    }
    product.count += 1;
  }
  const byProduct = [...products.entries()]
    .sort(([keyA, a], [keyB, b]) => b.count - a.count || (keyA < keyB ? -1 : keyA > keyB ? 1 : 0))
    .map(([, product]) => product);
  const sorted = [...entries].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  const tags = sorted.slice(0, options.maxTags).map(({ tag, item, sinceMs, lastSeenMs }) => ({
    tag,
    ...(item.sku === undefined ? {} : { sku: item.sku }),
    ...(item.gtin === undefined ? {} : { gtin: item.gtin }),
    since: new Date(sinceMs).toISOString(),
    lastSeen: new Date(lastSeenMs).toISOString(),
  }));
  return {
    zone,
    ts: new Date(options.nowMs).toISOString(),
    count: entries.length,
    ...(options.stale === undefined ? {} : { stale: options.stale }),
    products: byProduct,
    tags,
    ...(entries.length > tags.length ? { truncated: true as const } : {}),
  };
}
