import type { EpcCache } from '../core/epc.js';
import type { CoreEvent } from '../core/index.js';
import type { EventBody } from '../shared/events.js';

function rssiOrNull(rssi: number): number | null {
  return Number.isNaN(rssi) ? null : rssi;
}

/** Turns the core's events into envelope bodies, adding the EPC decoding where the tag has one. */
/** Without a cache (the fallback when decoding failed), the body carries no `epc`. */
export function coreEventBody(event: CoreEvent, epcCache: EpcCache | undefined): EventBody {
  if (event.type === 'core.overflow') {
    return { type: 'core.overflow', dropped: event.dropped, capacity: event.capacity };
  }
  const epc = epcCache?.get(event.tag);
  const common = {
    reader: event.reader,
    antenna: event.antenna,
    rssi: rssiOrNull(event.rssi),
    tag: event.tag,
    reads: event.reads,
    ...(epc === undefined ? {} : { epc }),
  };
  switch (event.type) {
    case 'tag.arrived':
      return { type: 'tag.arrived', zone: event.zone, ...common };
    case 'tag.departed':
      return {
        type: 'tag.departed',
        zone: event.zone,
        ...common,
        dwellMs: event.dwellMs,
        ...(event.held ? { held: true } : {}),
      };
    case 'tag.present':
      return { type: 'tag.present', zone: event.zone, ...common, dwellMs: event.dwellMs };
    case 'tag.moved':
      return {
        type: 'tag.moved',
        zone: event.to,
        from: event.from,
        to: event.to,
        direction: event.direction,
        ...common,
      };
  }
}
