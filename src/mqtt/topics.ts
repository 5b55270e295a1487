/**
 * The gateway's MQTT topic layout (DESIGN.md "MQTT topics"), in one place. Everything a gateway
 * publishes or subscribes to lies under `<baseTopic>/<gatewayId>/`, so one ACL line per gateway
 * (`pattern readwrite rfid/%u/#`) is enough on a broker shared by a fleet.
 */
export interface Topics {
  /** `<baseTopic>/<gatewayId>` */
  readonly base: string;
  /** Retained `{"state":"online",...}`; also the last will `{"state":"offline",...}`. */
  readonly status: string;
  /** Retained counters and gauges. */
  readonly metrics: string;
  /**
   * Where an event of `type` is published: `tag.arrived` → `<base>/events/tag/arrived`; the one
   * exception, `epcis.event`, goes to `<base>/epcis` (see `eventPayload`).
   */
  event(type: string): string;
  /** EPCIS 2.0 documents, one per `epcis.event` (QoS 1, not retained). */
  readonly epcis: string;
  /** Retained snapshot of one zone. */
  inventory(zone: string): string;
  /** Retained state of one reader. */
  reader(readerId: string): string;
  /** Retained content of an MQTT display (a screen app renders it). */
  display(displayId: string): string;
  /** `<base>/request/<command>`; commands may have levels (`inventory/get`). */
  request(command: string): string;
  response(command: string): string;
  /** The filter a gateway subscribes to for its requests. */
  readonly requestFilter: string;
  /** The command of a topic under `request/`, or undefined for any other topic. */
  commandOf(topic: string): string | undefined;
}

/** What `<base>/status` carries (retained). */
export interface StatusPayload {
  state: 'online' | 'offline';
  gateway: string;
  /** ISO 8601 UTC: when this state began (absent in the last will, which is written at connect time). */
  since?: string;
  version?: string;
  reason?: string;
  /** What an operator should know while online (a full disk). */
  detail?: Record<string, unknown>;
}

/** The event type published on `<base>/epcis` rather than under `events/`. */
export const EPCIS_EVENT_TYPE = 'epcis.event';

/**
 * What is published for an outbox event: the envelope itself, except for `epcis.event`, whose
 * `document` (an EPCIS 2.0 EPCISDocument) is published alone, as DESIGN's topic table says of
 * `<base>/epcis`. Throws when an `epcis.event` carries no document (the publisher dead-letters it).
 */
export function eventPayload(type: string, envelope: string): string {
  if (type !== EPCIS_EVENT_TYPE) return envelope;
  const document = (JSON.parse(envelope) as { document?: unknown }).document;
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw new TypeError('the epcis.event has no document');
  return JSON.stringify(document);
}

/** MQTT forbids NUL in topics; `+` and `#` would turn a name into a wildcard filter. */
function hasForbidden(value: string): boolean {
  return value.includes('+') || value.includes('#') || value.includes('\u0000');
}

/** A single topic level that names a thing (gateway, zone, reader): no wildcards and no `/`. */
export function checkTopicId(kind: string, value: string): string {
  if (value.length === 0) throw new TypeError(`${kind} must not be empty`);
  if (hasForbidden(value) || value.includes('/'))
    throw new TypeError(`${kind} ${JSON.stringify(value)} must not contain '+', '#', '/' or NUL`);
  return value;
}

/** Several levels (`shop/rfid`, `inventory/get`): no wildcards, no empty level, no leading or trailing `/`. */
function checkTopicPath(kind: string, value: string): string {
  if (value.length === 0) throw new TypeError(`${kind} must not be empty`);
  if (hasForbidden(value))
    throw new TypeError(`${kind} ${JSON.stringify(value)} must not contain '+', '#' or NUL`);
  if (value.split('/').some((level) => level.length === 0))
    throw new TypeError(
      `${kind} ${JSON.stringify(value)} must not have an empty level ('//', leading or trailing '/')`,
    );
  return value;
}

export function createTopics(baseTopic: string, gatewayId: string): Topics {
  const base = `${checkTopicPath('baseTopic', baseTopic)}/${checkTopicId('gatewayId', gatewayId)}`;
  const requestPrefix = `${base}/request/`;
  return {
    base,
    status: `${base}/status`,
    metrics: `${base}/metrics`,
    epcis: `${base}/epcis`,
    event(type) {
      if (type === EPCIS_EVENT_TYPE) return `${base}/epcis`;
      // Dots become levels so that `events/tag/#` selects every tag event.
      return `${base}/events/${checkTopicPath('event type', checkTopicId('event type', type).replaceAll('.', '/'))}`;
    },
    inventory: (zone) => `${base}/inventory/${checkTopicId('zone', zone)}`,
    reader: (readerId) => `${base}/readers/${checkTopicId('reader id', readerId)}`,
    display: (displayId) => `${base}/displays/${checkTopicId('display id', displayId)}`,
    request: (command) => `${requestPrefix}${checkTopicPath('command', command)}`,
    response: (command) => `${base}/response/${checkTopicPath('command', command)}`,
    requestFilter: `${requestPrefix}#`,
    commandOf(topic) {
      if (!topic.startsWith(requestPrefix)) return undefined;
      const command = topic.slice(requestPrefix.length);
      return command.length > 0 && !command.split('/').includes('') ? command : undefined;
    },
  };
}
