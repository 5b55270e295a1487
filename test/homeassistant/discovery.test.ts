import { describe, expect, it } from 'vitest';
import { configSchema, type GatewayConfigInput } from '../../src/config/schema.js';
import { discoveryEntities, topicSafe } from '../../src/integrations/homeassistant/index.js';
import { createTopics } from '../../src/mqtt/topics.js';
import { fridgeDevices } from '../kits/config/fridge.js';

/**
 * The discovery payloads against the fields devices.md §3 documents, written out by hand here (not
 * produced by the code under test): config topic `<prefix>/<component>/<node_id>/<object_id>/config`
 * with ids of `[a-zA-Z0-9_-]`; `unique_id`, `device` (`identifiers`, `name`, `model`,
 * `manufacturer`, `sw_version`, `via_device`) and `origin` in every config; availability as a list of
 * `{topic, payload_available, payload_not_available, value_template}` with `availability_mode: all`;
 * sensor `state_class: measurement` and `device_class: enum` with `options`; binary_sensor `connectivity`
 * (diagnostic) and `door`; lock with
 * `LOCK`/`UNLOCK` and `LOCKED`/`UNLOCKED`/`JAMMED`; event with `event_types`. Full keys only: the
 * origin's `sw` and `url` of devices.md are the abbreviations of `sw_version` and `support_url`.
 */

const FRIDGE_CONFIG: GatewayConfigInput = {
  gatewayId: 'gw1',
  ...fridgeDevices({ fridge: '/dev/ttyUSB0', badge: '/dev/ttyUSB1', io: '/dev/ttyUSB2' }),
  mqtt: { url: 'mqtt://127.0.0.1:1883' },
  homeassistant: {},
};

function entitiesOf(input: GatewayConfigInput, prefix = 'homeassistant') {
  const config = configSchema.parse(input);
  return discoveryEntities({
    config,
    topics: createTopics('rfid', config.gatewayId),
    prefix,
    version: '0.1.0',
  });
}

const GATEWAY_DEVICE = {
  identifiers: ['rfid-gateway_gw1'],
  name: 'RFID gateway gw1',
  model: 'rfid-gateway',
  manufacturer: 'rfid-gateway',
  sw_version: '0.1.0',
};
const READER_DEVICE = {
  identifiers: ['rfid-gateway_gw1_reader_fridge'],
  name: 'gw1 reader fridge',
  model: 'thingmagic',
  manufacturer: 'rfid-gateway',
  sw_version: '0.1.0',
  via_device: 'rfid-gateway_gw1',
};
const CABINET_DEVICE = {
  identifiers: ['rfid-gateway_gw1_cabinet_fridge-1'],
  name: 'gw1 cabinet fridge-1',
  model: 'cabinet',
  manufacturer: 'rfid-gateway',
  sw_version: '0.1.0',
  via_device: 'rfid-gateway_gw1',
};
const ORIGIN = { name: 'rfid-gateway', sw_version: '0.1.0' };
const GATEWAY_ONLINE = {
  topic: 'rfid/gw1/status',
  value_template: '{{ value_json.state }}',
  payload_available: 'online',
  payload_not_available: 'offline',
};
const IO_ONLINE = {
  topic: 'rfid/gw1/readers/io',
  value_template: "{{ 'online' if value_json.state == 'online' else 'offline' }}",
  payload_available: 'online',
  payload_not_available: 'offline',
};

describe('Home Assistant discovery payloads (devices.md §3)', () => {
  const entities = entitiesOf(FRIDGE_CONFIG);
  const byTopic = new Map(entities.map((entity) => [entity.topic, entity.payload]));

  it('announces one config per entity, on <prefix>/<component>/<node_id>/<object_id>/config', () => {
    expect(entities.map((entity) => entity.topic)).toEqual([
      'homeassistant/sensor/gw1/zone_fridge_items/config',
      'homeassistant/event/gw1/alarm/config',
      'homeassistant/binary_sensor/gw1/reader_fridge_connectivity/config',
      'homeassistant/sensor/gw1/reader_fridge_state/config',
      'homeassistant/binary_sensor/gw1/reader_badge_connectivity/config',
      'homeassistant/sensor/gw1/reader_badge_state/config',
      'homeassistant/binary_sensor/gw1/reader_io_connectivity/config',
      'homeassistant/sensor/gw1/reader_io_state/config',
      'homeassistant/binary_sensor/gw1/cabinet_fridge-1_door/config',
      'homeassistant/lock/gw1/cabinet_fridge-1_lock/config',
      'homeassistant/event/gw1/cabinet_fridge-1_purchase/config',
      'homeassistant/event/gw1/cabinet_fridge-1_alarm/config',
    ]);
    for (const { topic } of entities) {
      expect(topic).toMatch(
        /^homeassistant\/(sensor|binary_sensor|lock|event)\/[a-zA-Z0-9_-]+\/[a-zA-Z0-9_-]+\/config$/,
      );
    }
  });

  it("counts a zone's items from the retained inventory, unavailable when the gateway or a reader of the zone is", () => {
    expect(byTopic.get('homeassistant/sensor/gw1/zone_fridge_items/config')).toEqual({
      name: 'Items in fridge',
      unique_id: 'rfid-gateway_gw1_zone_fridge_items',
      state_topic: 'rfid/gw1/inventory/fridge',
      value_template: '{{ value_json.count }}',
      state_class: 'measurement',
      availability: [
        GATEWAY_ONLINE,
        {
          topic: 'rfid/gw1/readers/fridge',
          value_template: "{{ 'online' if value_json.state == 'online' else 'offline' }}",
          payload_available: 'online',
          payload_not_available: 'offline',
        },
      ],
      availability_mode: 'all',
      device: GATEWAY_DEVICE,
      origin: ORIGIN,
    });
  });

  it("shows each reader's connectivity on a child device of the gateway", () => {
    expect(byTopic.get('homeassistant/binary_sensor/gw1/reader_fridge_connectivity/config')).toEqual({
      name: 'Connected',
      unique_id: 'rfid-gateway_gw1_reader_fridge_connectivity',
      device_class: 'connectivity',
      entity_category: 'diagnostic',
      state_topic: 'rfid/gw1/readers/fridge',
      value_template: "{{ 'ON' if value_json.state == 'online' else 'OFF' }}",
      payload_on: 'ON',
      payload_off: 'OFF',
      availability: [GATEWAY_ONLINE],
      availability_mode: 'all',
      device: READER_DEVICE,
      origin: ORIGIN,
    });
  });

  it("shows each reader's state, stalled included, as an enum sensor beside its connectivity", () => {
    expect(byTopic.get('homeassistant/sensor/gw1/reader_fridge_state/config')).toEqual({
      name: 'State',
      unique_id: 'rfid-gateway_gw1_reader_fridge_state',
      device_class: 'enum',
      options: ['online', 'offline', 'stalled', 'error'],
      entity_category: 'diagnostic',
      state_topic: 'rfid/gw1/readers/fridge',
      value_template: '{{ value_json.state }}',
      availability: [GATEWAY_ONLINE],
      availability_mode: 'all',
      device: READER_DEVICE,
      origin: ORIGIN,
    });
  });

  it("gives a cabinet its door, its lock (commands under the gateway's base) and its purchases and alarms", () => {
    expect(byTopic.get('homeassistant/binary_sensor/gw1/cabinet_fridge-1_door/config')).toEqual({
      name: 'Door',
      unique_id: 'rfid-gateway_gw1_cabinet_fridge-1_door',
      device_class: 'door',
      state_topic: 'rfid/gw1/homeassistant/door/fridge-1',
      payload_on: 'open',
      payload_off: 'closed',
      availability: [GATEWAY_ONLINE, IO_ONLINE],
      availability_mode: 'all',
      device: CABINET_DEVICE,
      origin: ORIGIN,
    });
    expect(byTopic.get('homeassistant/lock/gw1/cabinet_fridge-1_lock/config')).toEqual({
      name: 'Lock',
      unique_id: 'rfid-gateway_gw1_cabinet_fridge-1_lock',
      command_topic: 'rfid/gw1/homeassistant/lock/fridge-1/set',
      payload_lock: 'LOCK',
      payload_unlock: 'UNLOCK',
      state_topic: 'rfid/gw1/homeassistant/lock/fridge-1',
      state_locked: 'LOCKED',
      state_unlocked: 'UNLOCKED',
      state_jammed: 'JAMMED',
      qos: 1,
      retain: false,
      availability: [GATEWAY_ONLINE, IO_ONLINE],
      availability_mode: 'all',
      device: CABINET_DEVICE,
      origin: ORIGIN,
    });
    expect(byTopic.get('homeassistant/event/gw1/cabinet_fridge-1_purchase/config')).toEqual({
      name: 'Purchase',
      unique_id: 'rfid-gateway_gw1_cabinet_fridge-1_purchase',
      state_topic: 'rfid/gw1/homeassistant/purchase/fridge-1',
      event_types: ['started', 'completed', 'cancelled', 'uncertain', 'refused'],
      availability: [GATEWAY_ONLINE],
      availability_mode: 'all',
      device: CABINET_DEVICE,
      origin: ORIGIN,
    });
    expect(byTopic.get('homeassistant/event/gw1/alarm/config')).toEqual({
      name: 'Alarm',
      unique_id: 'rfid-gateway_gw1_alarm',
      state_topic: 'rfid/gw1/homeassistant/alarm',
      event_types: [
        'unpaid_exit',
        'door_left_open',
        'door_opened_without_session',
        'door_closed_without_open',
        'temperature',
        'other',
      ],
      availability: [GATEWAY_ONLINE],
      availability_mode: 'all',
      device: GATEWAY_DEVICE,
      origin: ORIGIN,
    });
  });

  it('carries unique_id, device and origin in every config, with unique ids and no abbreviated key', () => {
    const abbreviations = [
      'avty',
      'avty_mode',
      'avty_t',
      'avty_tpl',
      'cmd_t',
      'dev',
      'dev_cla',
      'ent_cat',
      'evt_typ',
      'ids',
      'mdl',
      'mf',
      'name_',
      'o',
      'pl_avail',
      'pl_not_avail',
      'pl_lock',
      'pl_unlk',
      'pl_on',
      'pl_off',
      'stat_cla',
      'stat_jam',
      'stat_locked',
      'stat_t',
      'stat_unlocked',
      'sw',
      't',
      'uniq_id',
      'url',
      'val_tpl',
      'via_dev',
    ];
    const keys = (value: unknown): string[] =>
      Array.isArray(value)
        ? value.flatMap(keys)
        : typeof value === 'object' && value !== null
          ? Object.entries(value).flatMap(([key, inner]) => [key, ...keys(inner)])
          : [];
    for (const { payload } of entities) {
      expect(payload).toHaveProperty('unique_id');
      expect(Object.keys(payload.device as object)).toEqual(
        expect.arrayContaining(['identifiers', 'name', 'model', 'manufacturer', 'sw_version']),
      );
      expect(payload.origin).toEqual(ORIGIN);
      expect(payload.availability_mode).toBe('all');
      expect(keys(payload).filter((key) => abbreviations.includes(key))).toEqual([]);
    }
    const ids = entities.map((entity) => entity.payload.unique_id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps a card reader out of the stock counts, and spells ids with a dot safely in topics', () => {
    const config: GatewayConfigInput = {
      ...FRIDGE_CONFIG,
      gatewayId: 'store.7',
      readers: [
        ...(FRIDGE_CONFIG.readers ?? []),
        {
          id: 'shelf',
          driver: 'thingmagic',
          port: '/dev/ttyUSB3',
          antennaZones: { '1': 'shelf.a', '2': 'shelf_a' },
        },
      ],
    };
    const topics = entitiesOf(config, 'ha/discovery').map((entity) => entity.topic);
    const node = topicSafe('store.7');
    expect(node).toMatch(/^store_7_[0-9a-f]{8}$/);
    // No `shelf` zone: the reader maps each of its antennas to a zone of its own, so its fallback
    // zone would be an `Items in shelf` that is always 0.
    expect(topics.filter((topic) => /^ha\/discovery\/sensor\/[^/]+\/zone_/.test(topic))).toEqual([
      `ha/discovery/sensor/${node}/zone_fridge_items/config`,
      `ha/discovery/sensor/${node}/zone_${topicSafe('shelf.a')}_items/config`,
      `ha/discovery/sensor/${node}/zone_shelf_a_items/config`,
    ]);
    // `shelf.a` and `shelf_a` are two zones: two topics.
    expect(new Set(topics).size).toBe(topics.length);
    expect(topics.some((topic) => topic.includes('entrance'))).toBe(false);
  });

  it('drops exactly the topics of a reader, zone or cabinet that leaves the config', () => {
    const before = new Set(entitiesOf(FRIDGE_CONFIG).map((entity) => entity.topic));
    const after = new Set(
      entitiesOf({
        ...FRIDGE_CONFIG,
        readers: [{ id: 'badge', driver: 'em4100-ascii', port: '/dev/ttyUSB1', zone: 'entrance' }],
        cabinets: [],
      }).map((entity) => entity.topic),
    );
    expect([...before].filter((topic) => !after.has(topic))).toEqual([
      'homeassistant/sensor/gw1/zone_fridge_items/config',
      'homeassistant/binary_sensor/gw1/reader_fridge_connectivity/config',
      'homeassistant/sensor/gw1/reader_fridge_state/config',
      'homeassistant/binary_sensor/gw1/cabinet_fridge-1_door/config',
      'homeassistant/lock/gw1/cabinet_fridge-1_lock/config',
      'homeassistant/event/gw1/cabinet_fridge-1_purchase/config',
      'homeassistant/event/gw1/cabinet_fridge-1_alarm/config',
    ]);
    // Without its cabinet, the badge reader is no card reader any more: its zone holds stock.
    expect([...after].filter((topic) => !before.has(topic))).toEqual([
      'homeassistant/sensor/gw1/zone_entrance_items/config',
    ]);
  });
});
