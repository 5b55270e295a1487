import type { TaggedItem } from '../../shared/commerce.js';
import type { EpcisDocumentJson, EpcisObjectEventJson } from '../../shared/events.js';
import { uuidV5 } from '../../shared/uuid.js';

/**
 * Gateway facts as EPCIS 2.0 ObjectEvents (devices.md §4; GS1 EPCIS 2.0 and CBV 2.0), in the JSON-LD
 * form of GS1's EPCIS 2.0 JSON Schema. Pure functions: no clock, no I/O.
 */

/** The JSON-LD context every EPCIS 2.0 document names (devices.md §4). */
export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld';

/** CBV 2.0 terms, written bare as the EPCIS 2.0 JSON-LD context allows. */
export const CBV = {
  retailSelling: 'retail_selling',
  retailSold: 'retail_sold',
  enteringExiting: 'entering_exiting',
  cycleCounting: 'cycle_counting',
} as const;

/**
 * Made with `uuidV5` from this namespace, every eventID of the gateway, and every default read point,
 * is a name-based UUID URN.
 */
export const EVENT_ID_NAMESPACE = '3b8744e5-6e5c-4a49-b7e0-9109363ca579';

const GTIN_14 = /^[0-9]{14}$/;
/** What the schema's `eventTimeZoneOffset` pattern accepts. */
const OFFSET = /^[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)$/;

export { uuidV5 };

/**
 * The event's `eventID`: a UUID URN (EPCIS 2.0 allows `urn:uuid:` or the `ni:///sha-256` event hash)
 * derived from `name`, so the same gateway fact always gets the same eventID. Not the event hash,
 * which is a canonical hash of the event's content that this gateway does not compute.
 */
export function eventIdFor(name: string): string {
  return `urn:uuid:${uuidV5(EVENT_ID_NAMESPACE, name)}`;
}

/**
 * The default `readPoint` of a door passage when `locations` names no SGLN for the zone it ended in:
 * the door's side in that zone (`urn:uuid:` of `readPoint <gateway> <door> <zone>`, the way eventIDs
 * are made), so that an exit (ending outside) and an entry (ending inside) are told apart, the same
 * on every run and different on every gateway and door.
 */
export function doorReadPointFor(gateway: string, door: string, zone: string): string {
  return eventIdFor(`readPoint ${gateway} ${door} ${zone}`);
}

/**
 * The UTC offset in effect in `timeZone` (IANA) at `atMs`, as EPCIS writes it (`+01:00`, `-05:30`);
 * `+00:00` for UTC or a zone Intl cannot place.
 */
export function timeZoneOffset(atMs: number, timeZone = 'UTC'): string {
  let name: string | undefined;
  try {
    name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(atMs)
      .find((part) => part.type === 'timeZoneName')?.value;
  } catch {
    return '+00:00';
  }
  // "GMT+01:00", "GMT-05:30", or plain "GMT" at offset zero.
  const offset = name?.replace(/^GMT/, '') ?? '';
  if (offset === '') return '+00:00';
  return OFFSET.test(offset) ? offset : '+00:00';
}

/** The GS1 Digital Link URI of a GTIN's class (EPCIS 2.0 `epcClass`), e.g. `https://id.gs1.org/01/80614141123458`. */
export function gtinClass(gtin: string): string {
  return `https://id.gs1.org/01/${gtin}`;
}

export interface EpcisObjects {
  /** EPC pure-identity URIs, each once, in the order of the items. */
  epcList: string[];
  /** One entry per GTIN class, for tags with a GTIN but no EPC URI (a mapped EM4100 tag, say). */
  quantityList: Array<{ epcClass: string; quantity: number }>;
  /** Tags with neither: left out. */
  unidentified: number;
}

/**
 * What EPCIS can name of some tags: a tag with an EPC URI is an instance (`epcList`); one without,
 * whose GTIN the catalog knows, counts towards its class (`quantityList`); any other is left out
 * and counted.
 */
export function objectsOf(items: readonly TaggedItem[]): EpcisObjects {
  const epcs = new Set<string>();
  const classes = new Map<string, number>();
  let unidentified = 0;
  for (const item of items) {
    if (item.uri !== undefined && item.uri.length > 0) epcs.add(item.uri);
    else if (item.gtin !== undefined && GTIN_14.test(item.gtin)) {
      const epcClass = gtinClass(item.gtin);
      classes.set(epcClass, (classes.get(epcClass) ?? 0) + 1);
    } else unidentified += 1;
  }
  return {
    epcList: [...epcs],
    quantityList: [...classes].map(([epcClass, quantity]) => ({ epcClass, quantity })),
    unidentified,
  };
}

/** When and as what an event is recorded. */
export interface EventStamp {
  /** Epoch ms of `eventTime`. */
  atMs: number;
  /** `eventTimeZoneOffset`, e.g. from `timeZoneOffset`. */
  timeZoneOffset: string;
  eventID: string;
}

/** SGLN URIs (config `epcis.locations`) of where it was read and where the objects are after it. */
export interface EventPlace {
  readPoint?: string | undefined;
  bizLocation?: string | undefined;
}

function objectEvent(
  stamp: EventStamp,
  action: EpcisObjectEventJson['action'],
  objects: EpcisObjects,
  vocabulary: { bizStep: string; disposition?: string },
  place: EventPlace,
): EpcisObjectEventJson {
  const event: EpcisObjectEventJson = {
    type: 'ObjectEvent',
    eventTime: new Date(stamp.atMs).toISOString(),
    eventTimeZoneOffset: stamp.timeZoneOffset,
    eventID: stamp.eventID,
    action,
    epcList: objects.epcList,
  };
  if (objects.quantityList.length > 0) event.quantityList = objects.quantityList;
  event.bizStep = vocabulary.bizStep;
  if (vocabulary.disposition !== undefined) event.disposition = vocabulary.disposition;
  if (place.readPoint !== undefined) event.readPoint = { id: place.readPoint };
  if (place.bizLocation !== undefined) event.bizLocation = { id: place.bizLocation };
  return event;
}

/**
 * A purchase: the items are sold (OBSERVE, `retail_selling`, `retail_sold`), read and located at the
 * cabinet. OBSERVE, as CBV 2.0 has it for `retail_selling`: the objects go on existing in the
 * customer's hands; DELETE is for objects that cease to exist (decommissioned, destroyed), and would
 * tell an EPCIS repository that the EPC may never be seen again. No `bizTransactionList`: none of CBV 2.0's business transaction types
 * (bol, cert, desadv, inv, pedigree, po, poc, prodorder, recadv, rma, testprd, testres, upevt) is a
 * retail sale, and an untyped reference to the session would say nothing a consumer could rely on.
 */
export function saleEvent(objects: EpcisObjects, stamp: EventStamp, place: EventPlace): EpcisObjectEventJson {
  return objectEvent(
    stamp,
    'OBSERVE',
    objects,
    { bizStep: CBV.retailSelling, disposition: CBV.retailSold },
    place,
  );
}

/**
 * A tag passed a door (exit or entry): observed at the door (OBSERVE, `entering_exiting`), read
 * where the passage was seen: the outside zone's read point for an exit, the inside one's for an
 * entry. No `bizLocation`: where the object is after a door, the gateway does not know.
 */
export function doorEvent(
  objects: EpcisObjects,
  stamp: EventStamp,
  readPoint?: string,
): EpcisObjectEventJson {
  return objectEvent(stamp, 'OBSERVE', objects, { bizStep: CBV.enteringExiting }, { readPoint });
}

/** A periodic count of a zone (OBSERVE, `cycle_counting`): every object seen there, read and located at the zone. */
export function cycleCountEvent(
  objects: EpcisObjects,
  stamp: EventStamp,
  place: EventPlace,
): EpcisObjectEventJson {
  return objectEvent(stamp, 'OBSERVE', objects, { bizStep: CBV.cycleCounting }, place);
}

/** An EPCISDocument (schemaVersion 2.0) of `events`, created at `creationMs`. */
export function epcisDocument(
  events: readonly EpcisObjectEventJson[],
  creationMs: number,
): EpcisDocumentJson {
  return {
    '@context': [EPCIS_CONTEXT],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date(creationMs).toISOString(),
    epcisBody: { eventList: [...events] },
  };
}
