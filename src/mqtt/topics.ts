import type {
  InventorySnapshot,
  MetricsPayload,
  ReaderStatePayload,
  ScreenContent,
  TodayPayload,
} from '../shared/payloads.js';

/**
 * The retained topics features publish, each with its payload: the one map every publisher goes
 * through (`RetainedState.publish`), so that a topic and what it carries cannot drift apart.
 */
export interface RetainedPayloads {
  inventory: InventorySnapshot;
  reader: ReaderStatePayload;
  display: ScreenContent;
  engagement: TodayPayload;
  metrics: MetricsPayload;
  /** A Home Assistant state topic under `<base>/homeassistant/` (a bare string, as HA reads it). */
  homeassistant: string;
}

/** Where a retained payload goes: the kind, and the thing it is about when there are several. */
export type RetainedTopic =
  | { kind: 'inventory'; zone: string }
  | { kind: 'reader'; reader: string }
  | { kind: 'display'; display: string }
  | { kind: 'engagement' }
  | { kind: 'metrics' }
  /** A state topic Home Assistant's entities read, as `homeassistant(path)` made it. */
  | { kind: 'homeassistant'; topic: string };

/**
 * The gateway's MQTT topic layout (DESIGN.md "MQTT topics"), in one place. Everything a gateway
 * publishes or subscribes to lies under `<baseTopic>/<gatewayId>/`, so one ACL line per gateway
 * (`pattern readwrite rfid/%u/#`) is enough on a broker shared by a fleet; the one exception is the
 * requests to its groups and its answers to them (`groups`), two ACL lines more.
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
  /** `<base>/request/`: what every request topic starts with. */
  readonly requestPrefix: string;
  /** The command of a topic under `request/`, or undefined for any other topic. */
  commandOf(topic: string): string | undefined;
  /** `<base>/engagement` */
  readonly engagement: string;
  /** Where an MQTT actuator's commands go: `<base>/` + `actuatorCommandPath`. */
  actuatorSet(actuatorId: string, configured?: string): string;
  /** Under `<base>/homeassistant/`: the states Home Assistant's entities read and the commands they send. */
  homeassistant(path: string): string;
  /** The topic of a retained payload. */
  retained(topic: RetainedTopic): string;
  /** A topic under the base from a relative path a config gives (a rule's `publish`, an actuator's `topic`). */
  under(relative: string): string;
  /** The groups the gateway belongs to (`mqtt.groups`), each with its request and response topics. */
  readonly groups: readonly GroupTopics[];
}

/**
 * One group's topics as a member gateway sees them. A group request goes to every gateway of the
 * group, and each answers on a topic of its own, so that a caller collects one answer per gateway
 * (`<groupBase>/response/+/<command>`) and an ACL can let each gateway write its own answers only
 * (`pattern write rfid/groups/+/response/%u/#`: Mosquitto allows `#` only last, hence the gateway id
 * before the command, which may have several levels).
 */
export interface GroupTopics {
  readonly group: string;
  /** `<baseTopic>/groups/<group>`: the only place the answers to the group's requests go. */
  readonly base: string;
  /** `<groupBase>/request/` */
  readonly requestPrefix: string;
  /** `<groupBase>/request/#` */
  readonly requestFilter: string;
  /** `<groupBase>/response/<gatewayId>/<command>` */
  response(command: string): string;
}

/** The level under `<baseTopic>` that holds the groups (so a gateway must not be called that). */
export const GROUPS_LEVEL = 'groups';

/** The topics of `group` for the member `gatewayId`. */
export function groupTopics(baseTopic: string, gatewayId: string, group: string): GroupTopics {
  const base = `${checkTopicPath('baseTopic', baseTopic)}/${GROUPS_LEVEL}/${checkTopicId('group', group)}`;
  const gateway = checkTopicId('gatewayId', gatewayId);
  const requestPrefix = `${base}/request/`;
  return {
    group,
    base,
    requestPrefix,
    requestFilter: `${requestPrefix}#`,
    response: (command) => `${base}/response/${gateway}/${checkTopicPath('command', command)}`,
  };
}

/** What `<base>/status` carries (retained). */
export interface StatusPayload {
  state: 'online' | 'offline';
  gateway: string;
  /** ISO 8601 UTC: when this state began (absent in the last will, which is written at connect time). */
  since?: string;
  version?: string;
  /** The broker node the gateway is connected to, without credentials (online only). */
  broker?: string;
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

/**
 * Home Assistant's MQTT discovery topics of one node (devices.md §3): the one place outside the
 * gateway's base it publishes to, and Home Assistant's own status topic.
 */
export interface DiscoveryTopics {
  readonly prefix: string;
  /** `<prefix>/status`: Home Assistant's birth and last will. */
  readonly status: string;
  /** `<prefix>/<component>/<node>/<object>/config` */
  config(component: string, objectId: string): string;
  /** Every config of this node, whatever its component and object. */
  readonly configFilter: string;
  /** Whether a topic is a config of this node. */
  isConfig(topic: string): boolean;
}

export function discoveryTopics(prefix: string, node: string): DiscoveryTopics {
  const checkedPrefix = checkTopicPath('discovery prefix', prefix);
  const checkedNode = checkTopicId('discovery node id', node);
  return {
    prefix: checkedPrefix,
    status: `${checkedPrefix}/status`,
    config: (component, objectId) =>
      `${checkedPrefix}/${checkTopicId('component', component)}/${checkedNode}/${checkTopicId('object id', objectId)}/config`,
    configFilter: `${checkedPrefix}/+/${checkedNode}/+/config`,
    isConfig(topic) {
      if (!topic.startsWith(`${checkedPrefix}/`)) return false;
      const levels = topic.slice(checkedPrefix.length + 1).split('/');
      return levels.length === 4 && levels[1] === checkedNode && levels[3] === 'config';
    },
  };
}

/** Whether an MQTT topic filter (`a/+/c`, `a/#`) matches a topic. */
export function topicMatches(filter: string, topic: string): boolean {
  const wanted = filter.split('/');
  const levels = topic.split('/');
  for (let i = 0; i < wanted.length; i++) {
    const level = wanted[i];
    if (level === '#') return true;
    if (i >= levels.length) return false;
    if (level !== '+' && level !== levels[i]) return false;
  }
  return wanted.length === levels.length;
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

/** An MQTT actuator's command topic under the base: its config's `topic`, else `actuators/<id>/set`. */
export function actuatorCommandPath(actuatorId: string, configured?: string): string {
  return configured === undefined
    ? `actuators/${checkTopicId('actuator id', actuatorId)}/set`
    : checkTopicPath('topic', configured);
}

export function createTopics(baseTopic: string, gatewayId: string, groups: readonly string[] = []): Topics {
  const base = `${checkTopicPath('baseTopic', baseTopic)}/${checkTopicId('gatewayId', gatewayId)}`;
  const requestPrefix = `${base}/request/`;
  const retained = (topic: RetainedTopic): string => {
    switch (topic.kind) {
      case 'inventory':
        return `${base}/inventory/${checkTopicId('zone', topic.zone)}`;
      case 'reader':
        return `${base}/readers/${checkTopicId('reader id', topic.reader)}`;
      case 'display':
        return `${base}/displays/${checkTopicId('display id', topic.display)}`;
      case 'engagement':
        return `${base}/engagement`;
      case 'metrics':
        return `${base}/metrics`;
      case 'homeassistant':
        if (!topic.topic.startsWith(`${base}/homeassistant/`))
          throw new TypeError(
            `${JSON.stringify(topic.topic)} is not a Home Assistant state topic of ${base}`,
          );
        return topic.topic;
    }
  };

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
    inventory: (zone) => retained({ kind: 'inventory', zone }),
    reader: (reader) => retained({ kind: 'reader', reader }),
    display: (display) => retained({ kind: 'display', display }),
    request: (command) => `${requestPrefix}${checkTopicPath('command', command)}`,
    response: (command) => `${base}/response/${checkTopicPath('command', command)}`,
    requestFilter: `${requestPrefix}#`,
    requestPrefix,
    engagement: `${base}/engagement`,
    actuatorSet: (actuatorId, configured) => `${base}/${actuatorCommandPath(actuatorId, configured)}`,
    homeassistant: (path) => `${base}/homeassistant/${checkTopicPath('state topic', path)}`,
    under: (relative) => `${base}/${checkTopicPath('topic', relative)}`,
    retained,
    groups: groups.map((group) => groupTopics(baseTopic, gatewayId, group)),
    commandOf(topic) {
      if (!topic.startsWith(requestPrefix)) return undefined;
      const command = topic.slice(requestPrefix.length);
      return command.length > 0 && !command.split('/').includes('') ? command : undefined;
    },
  };
}
