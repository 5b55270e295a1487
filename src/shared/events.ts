import type { PurchaseEvidence, TaggedItem } from './commerce.js';

/** EPC Tag Data Standard decoding of a tag identifier, present only when it decodes. */
export interface EpcInfo {
  scheme: string;
  uri: string;
  gtin?: string;
  serial?: string;
}

export type Direction = 'exit' | 'entry' | null;

/** A product as events name it: enough to count and show it, not its price. */
export interface ProductRef {
  sku: string;
  gtin?: string;
  name?: string;
}

/** Fields of an event before the envelope (id, seq, ts, gateway) is put around it. */
export type EventBody =
  | {
      type: 'tag.arrived';
      zone: string;
      reader: string;
      antenna: number;
      rssi: number | null;
      tag: string;
      reads: number;
      epc?: EpcInfo;
    }
  | {
      type: 'tag.departed';
      zone: string;
      reader: string;
      antenna: number;
      rssi: number | null;
      tag: string;
      reads: number;
      dwellMs: number;
      epc?: EpcInfo;
      /**
       * Its reader was offline or faulty (the tag held) and it was not read after the reader came
       * back: it left at an unknown time during or after the outage; `ts` is the reader's return
       * plus the hold-off. Absent otherwise (an added optional field: older consumers ignore it).
       */
      held?: true;
    }
  | {
      type: 'tag.present';
      zone: string;
      reader: string;
      antenna: number;
      rssi: number | null;
      tag: string;
      reads: number;
      dwellMs: number;
      epc?: EpcInfo;
    }
  | {
      type: 'tag.moved';
      zone: string;
      from: string;
      to: string;
      direction: Direction;
      reader: string;
      antenna: number;
      rssi: number | null;
      tag: string;
      reads: number;
      epc?: EpcInfo;
    }
  | { type: 'sensor.changed'; sensor: string; channel: string; value: string | number; zone: string }
  | {
      type: 'reader.status';
      reader: string;
      state: 'online' | 'offline' | 'stalled' | 'error';
      reason?: string;
      detail?: Record<string, string | number | boolean>;
    }
  | { type: 'core.overflow'; dropped: number; capacity: number }
  /** An output was set (or pulsed: it returns to its safe state by itself after `pulseMs`). */
  | {
      type: 'actuator.changed';
      actuator: string;
      value: string;
      pulseMs?: number;
      reason: string;
    }
  /** An output could not be driven (after its retry): the device is unplugged or not answering. */
  | { type: 'actuator.status'; actuator: string; state: 'fault' | 'ok'; reason: string }
  /** A customer was authorised at a cabinet: the door is unlocked for them. */
  | {
      type: 'purchase.started';
      session: string;
      cabinet: string;
      customer: string;
      via: 'card' | 'request';
    }
  /**
   * The door closed and every tag was decided: `items` were taken and are to be charged (`total` in
   * minor units of `currency`); `session` is the idempotency key for the payment side.
   */
  | {
      type: 'purchase.completed';
      session: string;
      cabinet: string;
      customer: string;
      items: TaggedItem[];
      total: number;
      currency: string;
      returned: TaggedItem[];
      foreign: TaggedItem[];
      confidence: 'certain';
      settleMs: number;
      evidence?: PurchaseEvidence;
    }
  /**
   * No charge: the door never opened, the session was cancelled, or what was taken could not be
   * decided (`confidence: "uncertain"`, with the reasons and the undecided tags): never silently charged.
   */
  | {
      type: 'purchase.cancelled';
      session: string;
      cabinet: string;
      customer: string;
      reason: string;
      confidence?: 'uncertain';
      reasons?: string[];
      undecided?: Array<{ tag: string; pUnread: number }>;
      items?: TaggedItem[];
      evidence?: PurchaseEvidence;
    }
  /**
   * A person decided an uncertain purchase (the console's Review page, or MQTT `purchases/resolve`):
   * charge `items` (possibly none). Once per session; `session` stays the idempotency key.
   */
  | {
      type: 'purchase.resolved';
      session: string;
      cabinet: string;
      customer: string;
      items: TaggedItem[];
      total: number;
      currency: string;
      /**
       * Who decided: the verified client of a signed request (the console's `http.console.client`),
       * else the name an unsigned request claimed (`unnamed` without one).
       */
      resolvedBy: string;
      /** Whether a signature vouches for `resolvedBy` (absent from gateways older than this field). */
      byVerified?: boolean;
    }
  /** A card or request that did not open a session, with why. */
  | { type: 'purchase.refused'; cabinet: string; reason: string; card?: string; customer?: string }
  | {
      type: 'security.alarm';
      kind: string;
      cabinet?: string;
      session?: string;
      zone?: string;
      /** The exit door (`unpaid_exit`). */
      door?: string;
      tag?: string;
      /** What the tag is, when the catalog knows (`unpaid_exit`). */
      product?: ProductRef;
      detail?: string;
      /** `temperature`: the sensor and channel, the reading, the limit, and since when it was above it. */
      sensor?: string;
      channel?: string;
      temperatureC?: number;
      limitC?: number;
      since?: string;
    }
  /**
   * A person acknowledged a `security.alarm` (the console's Alarms page, or MQTT `alarms/ack`): it
   * leaves the open alarms. `alarm` is the alarm event's `id`; once per alarm.
   */
  | {
      type: 'alarm.acknowledged';
      alarm: string;
      kind: string;
      cabinet?: string;
      door?: string;
      /** Who acknowledged: the verified client of a signed request, else the name claimed. */
      by: string;
      /** Whether a signature vouches for `by` (absent from gateways older than this field). */
      byVerified?: boolean;
      note?: string;
    }
  /** A point of sale marked tags as paid (MQTT `tags/paid`): they may leave until `until`. */
  | { type: 'tags.paid'; tags: string[]; until: string; reference?: string }
  /** A product left a watched shelf or open fridge (engagement): picked up, maybe to be put back. */
  | { type: 'product.pickedUp'; zone: string; tag: string; product?: ProductRef }
  /** ...and came back to the same zone within the put-back window, after `awayMs`. */
  | { type: 'product.putBack'; zone: string; tag: string; product?: ProductRef; awayMs: number }
  /** The tags of a zone changed (deltas); the retained snapshot carries counts per product. */
  | {
      type: 'inventory.changed';
      zone: string;
      added: TaggedItem[];
      removed: Array<TaggedItem & { reason?: string }>;
      count: number;
      stale?: string;
    }
  /** The full outbox dropped its oldest low-value events (counts by type, this time). */
  | { type: 'outbox.dropped'; dropped: number }
  /**
   * An EPCIS 2.0 ObjectEvent made from a sale, a door passage or a shelf count (config `epcis`):
   * `document` is the EPCISDocument holding it, published alone on `<base>/epcis`.
   */
  | {
      type: 'epcis.event';
      kind: EpcisEventKind;
      zone: string;
      /** The `id` of the gateway event it records (absent for a cycle count). */
      source?: string;
      /** Tags left out: neither an EPC URI nor a GTIN known for them. */
      unidentified?: number;
      document: EpcisDocumentJson;
    };

/** What an `epcis.event` records: a purchase, a door passage (exit or entry), a periodic shelf count. */
export type EpcisEventKind = 'sale' | 'exit' | 'entry' | 'cycle_count';

/** An EPCIS 2.0 ObjectEvent in JSON-LD (GS1 EPCIS 2.0 JSON Schema), as the gateway writes it. */
export interface EpcisObjectEventJson {
  type: 'ObjectEvent';
  eventTime: string;
  eventTimeZoneOffset: string;
  eventID: string;
  action: 'ADD' | 'OBSERVE' | 'DELETE';
  epcList: string[];
  quantityList?: Array<{ epcClass: string; quantity: number }>;
  bizStep?: string;
  disposition?: string;
  readPoint?: { id: string };
  bizLocation?: { id: string };
  bizTransactionList?: Array<{ type?: string; bizTransaction: string }>;
}

/** An EPCIS 2.0 document (JSON-LD) carrying ObjectEvents. */
export interface EpcisDocumentJson {
  '@context': string[];
  type: 'EPCISDocument';
  schemaVersion: '2.0';
  creationDate: string;
  epcisBody: { eventList: EpcisObjectEventJson[] };
}

export type EventType = EventBody['type'];

/** Every event type, for checking names that come from outside (a rule's `on`). */
export const EVENT_TYPES = [
  'tag.arrived',
  'tag.departed',
  'tag.present',
  'tag.moved',
  'sensor.changed',
  'reader.status',
  'core.overflow',
  'actuator.changed',
  'actuator.status',
  'purchase.started',
  'purchase.completed',
  'purchase.cancelled',
  'purchase.refused',
  'purchase.resolved',
  'security.alarm',
  'alarm.acknowledged',
  'tags.paid',
  'product.pickedUp',
  'product.putBack',
  'inventory.changed',
  'outbox.dropped',
  'epcis.event',
] as const satisfies readonly EventType[];

// Fails to compile when an event type is added above the list but not to it.
const everyTypeListed: Exclude<EventType, (typeof EVENT_TYPES)[number]> extends never ? true : never = true;
void everyTypeListed;

export type GatewayEvent = EventBody & {
  id: string;
  seq: number;
  /** ISO 8601 UTC with milliseconds. */
  ts: string;
  gateway: string;
};

/** Where events go: stdout now, the MQTT outbox next. */
export interface EventSink {
  write(event: GatewayEvent): void;
  /** Resolves when everything written so far is durable or delivered. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
