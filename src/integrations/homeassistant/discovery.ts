import { createHash } from 'node:crypto';
import type { GatewayConfig } from '../../config/schema.js';
import { cardReaderIds, deviceZones } from '../../config/zones.js';
import { discoveryTopics, type Topics } from '../../mqtt/topics.js';

/**
 * Home Assistant MQTT discovery payloads (devices.md §3), built from the config alone: one device per
 * gateway, a child device (`via_device`) per reader, sensor and cabinet, one retained config per
 * entity on `<prefix>/<component>/<node_id>/<object_id>/config`. Full keys only, no abbreviations.
 * Pure: the same config always gives the same topics and payloads.
 */

/** The software version announced in `device.sw_version` and `origin.sw_version`. */
import { GATEWAY_VERSION } from '../../shared/version.js';

export { GATEWAY_VERSION };

export type Component = 'sensor' | 'binary_sensor' | 'lock' | 'event';

/** The states of `reader.status` (and of `<base>/readers/<id>`), the options of a device's state sensor. */
const DEVICE_STATES = ['online', 'offline', 'stalled', 'error'] as const;

export interface DiscoveryEntity {
  component: Component;
  /** `rfid-gateway_<node_id>_<object_id>`: stable per gateway and entity. */
  uniqueId: string;
  /** `<prefix>/<component>/<node_id>/<object_id>/config` */
  topic: string;
  payload: Record<string, unknown>;
}

/** `event_type`s of a cabinet's purchase entity. */
export const PURCHASE_EVENT_TYPES = ['started', 'completed', 'cancelled', 'uncertain', 'refused'] as const;
/** `event_type`s of the alarm entities: the kinds the gateway raises, and `other` for any new kind. */
export const ALARM_EVENT_TYPES = [
  'unpaid_exit',
  'door_left_open',
  'door_opened_without_session',
  'door_closed_without_open',
  'temperature',
  'other',
] as const;

/**
 * Where the gateway keeps the state of what Home Assistant shows and takes its commands, under
 * `<base>/homeassistant/` (the ACL line of the base covers them).
 */
export interface StateTopics {
  /** Retained `LOCKED` | `UNLOCKED` | `JAMMED`. */
  lock(cabinet: string): string;
  /** Home Assistant → gateway: `LOCK` | `UNLOCK`, not retained. */
  lockCommand(cabinet: string): string;
  /** Filter of every lock command topic. */
  readonly lockCommandFilter: string;
  /** The cabinet of a lock command topic, or undefined. */
  cabinetOfLockCommand(topic: string): string | undefined;
  /** Retained `open` | `closed`. */
  door(cabinet: string): string;
  /** `{"event_type":...}`, not retained. */
  purchase(cabinet: string): string;
  /** A cabinet's alarms; without a cabinet, the gateway's (exit doors). Not retained. */
  alarm(cabinet?: string): string;
}

/** The state topics under `<base>/homeassistant/`, from the gateway's topic layout. */
export function stateTopics(topics: Pick<Topics, 'homeassistant'>): StateTopics {
  const under = (path: string) => topics.homeassistant(path);
  const lockPrefix = `${under('lock')}/`;
  return {
    lock: (cabinet) => under(`lock/${cabinet}`),
    lockCommand: (cabinet) => under(`lock/${cabinet}/set`),
    lockCommandFilter: `${lockPrefix}+/set`,
    cabinetOfLockCommand(topic) {
      if (!topic.startsWith(lockPrefix) || !topic.endsWith('/set')) return undefined;
      const cabinet = topic.slice(lockPrefix.length, -'/set'.length);
      return cabinet.length > 0 && !cabinet.includes('/') ? cabinet : undefined;
    },
    door: (cabinet) => under(`door/${cabinet}`),
    purchase: (cabinet) => under(`purchase/${cabinet}`),
    alarm: (cabinet) => under(cabinet === undefined ? 'alarm' : `alarm/${cabinet}`),
  };
}

/**
 * A node or object id as discovery topics allow it (`[a-zA-Z0-9_-]`). Config ids may also hold `.`:
 * such an id is spelled with `_` and a short hash of the original, so two ids never share a topic.
 */
export function topicSafe(id: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(id)) return id;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 8);
  return `${id.replace(/[^A-Za-z0-9_-]/g, '_')}_${hash}`;
}

/**
 * The discovery node id of a gateway: the gateway id itself, so that one Mosquitto ACL line per
 * gateway user covers its configs (`pattern readwrite homeassistant/+/%u/+/config`: `%u` must be a
 * whole topic level). Every config topic of this gateway lies under it.
 */
export function nodeIdOf(gatewayId: string): string {
  return topicSafe(gatewayId);
}

/** Prefix of every `unique_id` and device identifier: nothing else in Home Assistant shares them. */
export const ID_PREFIX = 'rfid-gateway';

/** Origin `name` of every config; a retained config under the node without it is not the gateway's. */
export const ORIGIN_NAME = 'rfid-gateway';

export interface DiscoveryInput {
  config: Pick<GatewayConfig, 'gatewayId' | 'readers' | 'sensors' | 'cabinets' | 'actuators'>;
  /** The gateway's topic layout (`<baseTopic>/<gatewayId>/...`). */
  topics: Topics;
  /** The discovery prefix (`homeassistant`). */
  prefix: string;
  version?: string;
}

/** The zones that hold stock (covered by a reader that is not a cabinet's card reader) and their readers. */
export function stockZones(config: DiscoveryInput['config']): Map<string, string[]> {
  const cardReaders = cardReaderIds(config);
  const zones = new Map<string, string[]>();
  for (const reader of config.readers) {
    if (cardReaders.has(reader.id)) continue;
    // Not a zone named after a reader whose antennas are all mapped: it would always show 0 items.
    for (const zone of deviceZones(reader).shown) {
      const readers = zones.get(zone) ?? [];
      readers.push(reader.id);
      zones.set(zone, readers);
    }
  }
  return zones;
}

/** Every entity of the config, in a stable order: the gateway's, then each reader's, then each cabinet's. */
export function discoveryEntities(input: DiscoveryInput): DiscoveryEntity[] {
  const { config, topics, prefix } = input;
  const version = input.version ?? GATEWAY_VERSION;
  const node = nodeIdOf(config.gatewayId);
  const discovery = discoveryTopics(prefix, node);
  const states = stateTopics(topics);
  const origin = { name: ORIGIN_NAME, sw_version: version };
  const gatewayIdentifier = `${ID_PREFIX}_${node}`;
  const gatewayDevice = {
    identifiers: [gatewayIdentifier],
    name: `RFID gateway ${config.gatewayId}`,
    model: 'rfid-gateway',
    manufacturer: 'rfid-gateway',
    sw_version: version,
  };
  const child = (kind: string, id: string, model: string) => ({
    identifiers: [`${gatewayIdentifier}_${kind}_${id}`],
    name: `${config.gatewayId} ${kind} ${id}`,
    model,
    manufacturer: 'rfid-gateway',
    sw_version: version,
    via_device: gatewayIdentifier,
  });
  // The retained status is `{"state":"online",...}`, its last will `{"state":"offline",...}`.
  const gatewayAvailability = {
    topic: topics.status,
    value_template: '{{ value_json.state }}',
    payload_available: 'online',
    payload_not_available: 'offline',
  };
  // A device's retained state is online, offline or error: only online counts as available.
  const deviceAvailability = (id: string) => ({
    topic: topics.reader(id),
    value_template: "{{ 'online' if value_json.state == 'online' else 'offline' }}",
    payload_available: 'online',
    payload_not_available: 'offline',
  });
  const availability = (devices: readonly string[]) => ({
    availability: [gatewayAvailability, ...devices.map(deviceAvailability)],
    availability_mode: 'all',
  });
  const entities: DiscoveryEntity[] = [];
  const add = (component: Component, objectId: string, fields: Record<string, unknown>, device: object) => {
    const uniqueId = `${gatewayIdentifier}_${objectId}`;
    entities.push({
      component,
      uniqueId,
      topic: discovery.config(component, objectId),
      payload: { ...fields, unique_id: uniqueId, device, origin },
    });
  };

  for (const [zone, readers] of stockZones(config)) {
    add(
      'sensor',
      `zone_${topicSafe(zone)}_items`,
      {
        name: `Items in ${zone}`,
        state_topic: topics.inventory(zone),
        value_template: '{{ value_json.count }}',
        state_class: 'measurement',
        ...availability(readers),
      },
      gatewayDevice,
    );
  }
  add(
    'event',
    'alarm',
    { name: 'Alarm', state_topic: states.alarm(), event_types: [...ALARM_EVENT_TYPES], ...availability([]) },
    gatewayDevice,
  );

  const devices = [
    ...config.readers.map((reader) => ({ id: reader.id, kind: 'reader', model: reader.driver })),
    ...config.sensors.map((sensor) => ({ id: sensor.id, kind: 'sensor', model: sensor.driver })),
  ];
  for (const { id, kind, model } of devices) {
    add(
      'binary_sensor',
      `reader_${topicSafe(id)}_connectivity`,
      {
        name: 'Connected',
        device_class: 'connectivity',
        entity_category: 'diagnostic',
        state_topic: topics.reader(id),
        value_template: "{{ 'ON' if value_json.state == 'online' else 'OFF' }}",
        payload_on: 'ON',
        payload_off: 'OFF',
        ...availability([]),
      },
      child(kind, id, model),
    );
    // Connectivity says only whether it reads; its state says why not (a stalled reader's port is open).
    add(
      'sensor',
      `reader_${topicSafe(id)}_state`,
      {
        name: 'State',
        device_class: 'enum',
        options: [...DEVICE_STATES],
        entity_category: 'diagnostic',
        state_topic: topics.reader(id),
        value_template: '{{ value_json.state }}',
        ...availability([]),
      },
      child(kind, id, model),
    );
  }

  for (const cabinet of config.cabinets) {
    const device = child('cabinet', cabinet.id, 'cabinet');
    const safe = topicSafe(cabinet.id);
    const lock = config.actuators.find((actuator) => actuator.id === cabinet.lock);
    // A lock on a `lines` microcontroller is only as available as that device's port.
    const lockDevices = lock?.driver === 'lines' ? [lock.device] : [];
    add(
      'binary_sensor',
      `cabinet_${safe}_door`,
      {
        name: 'Door',
        device_class: 'door',
        state_topic: states.door(cabinet.id),
        payload_on: 'open',
        payload_off: 'closed',
        ...availability([cabinet.door.sensor]),
      },
      device,
    );
    add(
      'lock',
      `cabinet_${safe}_lock`,
      {
        name: 'Lock',
        command_topic: states.lockCommand(cabinet.id),
        payload_lock: 'LOCK',
        payload_unlock: 'UNLOCK',
        state_topic: states.lock(cabinet.id),
        state_locked: 'LOCKED',
        state_unlocked: 'UNLOCKED',
        state_jammed: 'JAMMED',
        qos: 1,
        // A retained UNLOCK would open the cabinet again at every reconnect (the gateway ignores one).
        retain: false,
        ...availability(lockDevices),
      },
      device,
    );
    add(
      'event',
      `cabinet_${safe}_purchase`,
      {
        name: 'Purchase',
        state_topic: states.purchase(cabinet.id),
        event_types: [...PURCHASE_EVENT_TYPES],
        ...availability([]),
      },
      device,
    );
    add(
      'event',
      `cabinet_${safe}_alarm`,
      {
        name: 'Alarm',
        state_topic: states.alarm(cabinet.id),
        event_types: [...ALARM_EVENT_TYPES],
        ...availability([]),
      },
      device,
    );
  }
  return entities;
}
