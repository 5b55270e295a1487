import { eventItem, type PurchaseEvidence, type TaggedItem } from '../../shared/commerce.js';
import type { EventBody } from '../../shared/events.js';

type Completed = Extract<EventBody, { type: 'purchase.completed' }>;
type Cancelled = Extract<EventBody, { type: 'purchase.cancelled' }>;
type SessionIds = { session: string; cabinet: string; customer: string };

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

/** The `purchase.completed` of a decided session, or why it cannot be charged (no price). */
export function completedBody(
  ids: SessionIds,
  decided: {
    taken: readonly string[];
    added: readonly string[];
    settleMs: number;
    evidence: PurchaseEvidence;
  },
  itemFor: (tag: string) => TaggedItem,
  currency: string,
): { ok: true; event: Completed } | { ok: false; reason: string } {
  const receipt = receiptFor(decided.taken, decided.added, itemFor, currency);
  if (!receipt.ok) return { ok: false, reason: receipt.reason };
  const { items, total, returned, foreign } = receipt;
  return {
    ok: true,
    event: {
      ...{ type: 'purchase.completed', ...ids, items, total, currency, returned, foreign },
      ...{ confidence: 'certain', settleMs: decided.settleMs, ...withEvidence(decided.evidence) },
    },
  };
}

/** The `purchase.cancelled` of a session that could not be decided: reported, never charged. */
export function uncertainBody(
  ids: SessionIds,
  review: {
    reasons: string[];
    undecided: Array<{ tag: string; pUnread: number }>;
    taken: readonly string[];
    evidence: PurchaseEvidence;
  },
  itemFor: (tag: string) => TaggedItem,
): Cancelled {
  const items = review.taken.map((tag) => eventItem(itemFor(tag)));
  const { reasons, undecided } = review;
  return {
    ...{ type: 'purchase.cancelled', ...ids, reason: 'uncertain', confidence: 'uncertain' },
    ...{ reasons, undecided, items, ...withEvidence(review.evidence) },
  };
}

/** The evidence besides passive reads, on the outcome event only when there was any. */
function withEvidence(evidence: PurchaseEvidence): { evidence?: PurchaseEvidence } {
  return evidence.search || evidence.weight ? { evidence } : {};
}
