import { eventItem, type TaggedItem } from '../../shared/commerce.js';

export type Receipt =
  | { ok: true; items: TaggedItem[]; total: number; returned: TaggedItem[]; foreign: TaggedItem[] }
  | { ok: false; reason: string; items: TaggedItem[] };

/**
 * What a session charges: every taken item at its unit price in the cabinet's currency (integer
 * minor units, summed exactly). An item without such a price makes the receipt impossible rather
 * than cheaper: charging less than was taken would be silent.
 */
export function receiptFor(
  taken: readonly string[],
  added: readonly string[],
  itemFor: (tag: string) => TaggedItem,
  currency: string,
): Receipt {
  // Field by field: the receipt is the purchase event's, and weights are not part of it.
  const items = taken.map((tag) => eventItem(itemFor(tag)));
  const unpriced = items.filter((item) => item.unitPrice === undefined || item.currency !== currency);
  if (unpriced.length > 0) {
    return {
      ok: false,
      reason: `no ${currency} price for ${unpriced.map((item) => item.tag).join(', ')}`,
      items,
    };
  }
  const total = items.reduce((sum, item) => sum + (item.unitPrice ?? 0), 0);
  const addedItems = added.map((tag) => eventItem(itemFor(tag)));
  return {
    ok: true,
    items,
    total,
    returned: addedItems.filter((item) => item.sku !== undefined),
    foreign: addedItems.filter((item) => item.sku === undefined),
  };
}
