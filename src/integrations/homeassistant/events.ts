import type { EventOf } from '../../shared/extension.js';
import { ALARM_EVENT_TYPES } from './discovery.js';

type PurchaseEvent = EventOf<
  'purchase.started' | 'purchase.completed' | 'purchase.cancelled' | 'purchase.refused'
>;
type AlarmEvent = EventOf<'security.alarm'>;

/**
 * What a Home Assistant `event` entity receives: `event_type` and a few attributes. Customer
 * references, names and card ids are left out: Home Assistant keeps every attribute in its history,
 * and the payment side has the full event on `<base>/events/...`.
 */
export type HaEventPayload = { event_type: string } & Record<string, string | number>;

export function purchasePayload(event: PurchaseEvent): HaEventPayload {
  switch (event.type) {
    case 'purchase.started':
      return { event_type: 'started', session: event.session, via: event.via };
    case 'purchase.completed':
      return {
        event_type: 'completed',
        session: event.session,
        items: event.items.length,
        total: event.total,
        currency: event.currency,
      };
    case 'purchase.cancelled':
      return {
        event_type: event.confidence === 'uncertain' ? 'uncertain' : 'cancelled',
        session: event.session,
        reason: event.reason,
        ...(event.reasons === undefined ? {} : { reasons: event.reasons.join('; ') }),
      };
    case 'purchase.refused':
      return { event_type: 'refused', reason: event.reason };
  }
}

const KNOWN_ALARMS: ReadonlySet<string> = new Set(ALARM_EVENT_TYPES);

/** An alarm of a kind the entity does not list is `other` (with its `kind`): never dropped by Home Assistant. */
export function alarmPayload(event: AlarmEvent): HaEventPayload {
  const payload: HaEventPayload = {
    event_type: KNOWN_ALARMS.has(event.kind) ? event.kind : 'other',
    kind: event.kind,
  };
  if (event.cabinet !== undefined) payload.cabinet = event.cabinet;
  if (event.zone !== undefined) payload.zone = event.zone;
  if (event.door !== undefined) payload.door = event.door;
  if (event.session !== undefined) payload.session = event.session;
  if (event.tag !== undefined) payload.tag = event.tag;
  if (event.product?.sku !== undefined) payload.sku = event.product.sku;
  if (event.product?.name !== undefined) payload.product = event.product.name;
  if (event.detail !== undefined) payload.detail = event.detail;
  return payload;
}
