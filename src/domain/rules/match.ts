import type { RuleConfig } from '../../config/rules.js';
import { fromHex } from '../../core/hex.js';
import { TagFilter } from '../../core/tag-filter.js';
import type { GatewayEvent, ProductRef } from '../../shared/events.js';

/** What a rule may ask about an event's products: the catalog's view of a tag. */
export interface ProductLookup {
  (tag: string): (ProductRef & { category?: string }) | undefined;
  bySku?: (sku: string) => { category?: string } | undefined;
}

export type EventMatcher = (event: GatewayEvent) => boolean;

/**
 * The `when` of a rule as a predicate; every field given must match, a field the event lacks does not.
 * `above`/`below` are not in it: they depend on the values before (threshold.ts).
 */
export function compileFilter(when: RuleConfig['when'], products: ProductLookup): EventMatcher {
  const checks: EventMatcher[] = [];
  const among = <T>(allowed: readonly T[] | undefined, read: (event: GatewayEvent) => T | undefined) => {
    if (allowed === undefined) return;
    const set = new Set<T>(allowed);
    checks.push((event) => {
      const value = read(event);
      return value !== undefined && set.has(value);
    });
  };
  among(when.zone, (event) => field(event, 'zone'));
  among(when.reader, (event) => field(event, 'reader'));
  among(when.kind, (event) => (event.type === 'security.alarm' ? event.kind : undefined));
  among(when.cabinet, (event) => field(event, 'cabinet'));
  among(when.sensor, (event) => (event.type === 'sensor.changed' ? event.sensor : undefined));
  among(when.value, (event) => (event.type === 'sensor.changed' ? event.value : undefined));
  among(when.channel, (event) => (event.type === 'sensor.changed' ? event.channel : undefined));
  if (when.tag !== undefined) {
    const filter = new TagFilter([when.tag], []);
    checks.push((event) => tagsOf(event).some((tag) => accepts(filter, tag)));
  }
  const productChecks: Array<(product: ProductRef & { category?: string }) => boolean> = [];
  if (when.sku) {
    const skus = new Set(when.sku);
    productChecks.push((product) => skus.has(product.sku));
  }
  if (when.gtin) {
    const gtins = new Set(when.gtin);
    productChecks.push((product) => product.gtin !== undefined && gtins.has(product.gtin));
  }
  if (when.category) {
    const categories = new Set(when.category);
    productChecks.push((product) => {
      const category = product.category ?? products.bySku?.(product.sku)?.category;
      return category !== undefined && categories.has(category);
    });
  }
  if (productChecks.length > 0) {
    checks.push((event) =>
      productsOf(event, products).some((product) => productChecks.every((check) => check(product))),
    );
  }
  return (event) => checks.every((check) => check(event));
}

function field(event: GatewayEvent, name: 'zone' | 'reader' | 'cabinet'): string | undefined {
  const value = (event as Partial<Record<typeof name, unknown>>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** The tags an event is about: its own, or a purchase's items. */
export function tagsOf(event: GatewayEvent): string[] {
  if ('tag' in event && typeof event.tag === 'string') return [event.tag];
  if (event.type === 'purchase.completed') return event.items.map((item) => item.tag);
  if (event.type === 'tags.paid') return event.tags;
  return [];
}

/** The products an event is about: named in it, else looked up from its tags. */
export function productsOf(
  event: GatewayEvent,
  lookup: ProductLookup,
): Array<ProductRef & { category?: string }> {
  if ('product' in event && event.product !== undefined && typeof event.product === 'object')
    return [event.product];
  if (event.type === 'purchase.completed') {
    return event.items.flatMap((item) =>
      item.sku === undefined
        ? []
        : [
            {
              sku: item.sku,
              ...(item.gtin ? { gtin: item.gtin } : {}),
              ...(item.name ? { name: item.name } : {}),
            },
          ],
    );
  }
  return tagsOf(event).flatMap((tag) => {
    const product = lookup(tag);
    return product ? [product] : [];
  });
}

function accepts(filter: TagFilter, tag: string): boolean {
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(tag)) return false;
  const bytes = fromHex(tag);
  return filter.accepts(bytes, 0, bytes.length);
}
