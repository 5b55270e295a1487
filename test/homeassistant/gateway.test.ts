import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IClientOptions } from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Controller } from '../../src/app/controller.js';
import { configSchema, type GatewayConfigInput } from '../../src/config/schema.js';
import { createLogger } from '../../src/observability/logger.js';
import { encodeId12Frame } from '../../src/protocols/em4100-ascii/index.js';
import { systemClock } from '../../src/shared/clock.js';
import { createTransport } from '../../src/transport/index.js';
import { FakePort } from '../helpers/fake-port.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector, type Received } from '../helpers/mqtt-collector.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { fridgeCabinet } from '../kits/config/fridge.js';

/**
 * Home Assistant's side of the gateway, against a real Mosquitto: the controller runs in `run` mode
 * with the extension as an extra feature; the cabinet's `lines` microcontroller (door and lock) is a
 * real pty, the card and stock readers are in-process ports that go online at once. A subscriber on
 * `homeassistant/#` plays Home Assistant.
 */

const CARD = '0500207B32';
const config = (component: string, object: string) => `homeassistant/${component}/gw-ha/${object}/config`;
const LOCK_SET = 'rfid/gw-ha/homeassistant/lock/fridge-1/set';
const LOCK_STATE = 'rfid/gw-ha/homeassistant/lock/fridge-1';
const utf8 = (text: string) => new TextEncoder().encode(text);

interface Boot {
  brokerUrl: string;
  /** The gateway's MQTT password, in a file (the user is the gateway id). */
  passwordFile?: string;
  dataDir: string;
  gatewayId: string;
  readers: string[];
  io?: PtyPair;
  /** Default: discovery on. */
  discovery?: boolean;
}

function configOf({
  brokerUrl,
  passwordFile,
  dataDir,
  gatewayId,
  readers,
  io,
  discovery,
}: Boot): GatewayConfigInput {
  return {
    gatewayId,
    dataDir,
    readers: [
      ...readers.map((id) => ({ id, driver: 'em4100-ascii' as const, port: `fake:${id}`, zone: id })),
      ...(io ? [{ id: 'badge', driver: 'em4100-ascii' as const, port: 'fake:badge', zone: 'entrance' }] : []),
    ],
    ...(io
      ? {
          ...fridgeCabinet(io.b, { cabinet: { unlockMs: 10_000 } }),
          customers: [{ card: CARD, reference: 'cust-17' }],
        }
      : {}),
    mqtt: {
      url: brokerUrl,
      reconnect: { initialMs: 200, maxMs: 1000 },
      ...(passwordFile ? { username: gatewayId, passwordFile } : {}),
    },
    homeassistant: { enabled: discovery ?? true },
  };
}

async function boot(options: Boot) {
  const parsed = configSchema.parse(configOf(options));
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const ports = new Map<string, FakePort>();
  const controller = Controller.create(parsed, {
    mode: 'run',
    clock: systemClock,
    logger,
    dataDir: options.dataDir,
    mqtt: parsed.mqtt,
    drainMs: 2000,
    transportFor: (device) => {
      if (device.driver === 'lines')
        return createTransport({ port: device.port, baudRate: 115_200 }, { clock: systemClock, logger });
      const port = new FakePort(`fake:${device.id}`);
      ports.set(device.id, port);
      return port;
    },
  });
  await controller.start();
  return { controller, ports, logs };
}

const latest = (messages: Received[], topic: string) => messages.filter((m) => m.topic === topic).at(-1);
const count = (messages: Received[], topic: string) => messages.filter((m) => m.topic === topic).length;
const announced = (messages: Received[], topics: readonly string[]) =>
  topics.every((topic) => (latest(messages, topic)?.payload.length ?? 0) > 0);

/** What a subscriber arriving now gets: the configs the broker keeps (live publications aside). */
async function retainedConfigs(
  url: string,
  expected: number,
  options: IClientOptions = {},
): Promise<Map<string, Received>> {
  const fresh = await MqttCollector.start(url, 'homeassistant/+/+/+/config', options);
  const retained = () => fresh.messages.filter((message) => message.retain);
  try {
    await fresh.waitFor(() => retained().length >= expected, `${expected} retained configs`);
    // Anything else retained would come right behind them.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return new Map(retained().map((message) => [message.topic, message]));
  } finally {
    await fresh.close();
  }
}

describe('Home Assistant discovery (real Mosquitto, the gateway in run mode)', () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('announces retained configs, again when Home Assistant comes online, drives the lock, refuses an unlock during a session, and clears a removed reader at restart', async () => {
    const broker = await startMosquitto();
    const dataDir = mkdtempSync(join(tmpdir(), 'rfid-ha-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const ha = await MqttCollector.start(broker.url, 'homeassistant/#');
    cleanup.push(() => ha.close());
    const states = await MqttCollector.start(broker.url, 'rfid/gw-ha/#');
    cleanup.push(() => states.close());
    const io = await createPtyPair();
    cleanup.push(() => io.close());

    const first = await boot({
      brokerUrl: broker.url,
      dataDir,
      gatewayId: 'gw-ha',
      readers: ['fridge', 'shelf'],
      io,
    });
    cleanup.push(() => first.controller.stop());
    const shelfTopics = [
      config('sensor', 'zone_shelf_items'),
      config('binary_sensor', 'reader_shelf_connectivity'),
      config('sensor', 'reader_shelf_state'),
    ];
    const kept = [
      config('sensor', 'zone_fridge_items'),
      config('event', 'alarm'),
      config('binary_sensor', 'reader_fridge_connectivity'),
      config('sensor', 'reader_fridge_state'),
      config('binary_sensor', 'reader_badge_connectivity'),
      config('sensor', 'reader_badge_state'),
      config('binary_sensor', 'reader_io_connectivity'),
      config('sensor', 'reader_io_state'),
      config('binary_sensor', 'cabinet_fridge-1_door'),
      config('lock', 'cabinet_fridge-1_lock'),
      config('event', 'cabinet_fridge-1_purchase'),
      config('event', 'cabinet_fridge-1_alarm'),
    ];
    const all = [...kept, ...shelfTopics];

    // Every config arrives, and stays on the broker for a Home Assistant that subscribes later.
    await ha.waitFor((messages) => announced(messages, all), 'every discovery config');
    const retained = await retainedConfigs(broker.url, all.length);
    expect([...retained.keys()].sort()).toEqual([...all].sort());
    const lockConfig = JSON.parse(retained.get(config('lock', 'cabinet_fridge-1_lock'))?.payload ?? '{}');
    expect(lockConfig).toMatchObject({
      unique_id: 'rfid-gateway_gw-ha_cabinet_fridge-1_lock',
      command_topic: LOCK_SET,
    });

    // Home Assistant restarts and says so: every config is published again.
    await ha.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
    await ha.waitFor((messages) => all.every((topic) => count(messages, topic) >= 2), 'the configs again');

    // The lock's safe state at start-up, then the door as the microcontroller reports it.
    expect((await io.readA('lock=closed\n'.length, 10_000)).toString()).toBe('lock=closed\n');
    await states.waitFor((messages) => latest(messages, LOCK_STATE)?.payload === 'LOCKED', 'LOCKED');
    io.writeA(utf8('door=open\n'));
    await states.waitFor(
      (messages) => latest(messages, 'rfid/gw-ha/homeassistant/door/fridge-1')?.payload === 'open',
      'the door open',
    );
    // Opened without a session: the cabinet's alarm entity fires.
    await states.waitFor(
      (messages) =>
        latest(messages, 'rfid/gw-ha/homeassistant/alarm/fridge-1')?.payload.includes(
          '"event_type":"door_opened_without_session"',
        ) === true,
      'the alarm event',
    );
    io.writeA(utf8('door=closed\n'));
    await states.waitFor(
      (messages) => latest(messages, 'rfid/gw-ha/homeassistant/door/fridge-1')?.payload === 'closed',
      'the door closed',
    );

    // UNLOCK from Home Assistant: a pulse of the cabinet's unlockMs on the wire, reported as such.
    await ha.client.publishAsync(LOCK_SET, 'UNLOCK', { qos: 1 });
    expect((await io.readA('lock=open:10000\n'.length, 10_000)).toString()).toBe('lock=open:10000\n');
    await states.waitFor((messages) => latest(messages, LOCK_STATE)?.payload === 'UNLOCKED', 'UNLOCKED');
    await states.waitFor(
      (messages) =>
        messages.some(
          (m) =>
            m.topic === 'rfid/gw-ha/events/actuator/changed' &&
            m.payload.includes('"reason":"home assistant"'),
        ),
      'actuator.changed from Home Assistant',
    );

    // A customer's card opens a session (and the lock, for the session).
    first.ports.get('badge')?.data(encodeId12Frame(Buffer.from(CARD, 'hex')));
    expect((await io.readA('lock=open:10000\n'.length, 10_000)).toString()).toBe('lock=open:10000\n');
    await states.waitFor(
      (messages) =>
        latest(messages, 'rfid/gw-ha/homeassistant/purchase/fridge-1')?.payload.includes(
          '"event_type":"started"',
        ) === true,
      'the purchase event',
    );
    expect(latest(states.messages, 'rfid/gw-ha/homeassistant/purchase/fridge-1')?.payload).not.toContain(
      'cust-17',
    );

    // UNLOCK during the session: refused, logged, the state published again; nothing on the wire.
    const lockStates = count(states.messages, LOCK_STATE);
    await ha.client.publishAsync(LOCK_SET, 'UNLOCK', { qos: 1 });
    await states.waitFor((messages) => count(messages, LOCK_STATE) > lockStates, 'the lock state again');
    expect(first.logs.some((line) => String(line.msg).startsWith('Home Assistant unlock refused'))).toBe(
      true,
    );
    // Malformed commands are logged and ignored.
    await ha.client.publishAsync(LOCK_SET, 'OPEN SESAME', { qos: 1 });
    // The next bytes on the wire are LOCK's: the refused unlock wrote nothing.
    await ha.client.publishAsync(LOCK_SET, 'LOCK', { qos: 1 });
    expect((await io.readA('lock=closed\n'.length, 10_000)).toString()).toBe('lock=closed\n');
    expect(first.logs.some((line) => String(line.msg).includes('payload must be LOCK or UNLOCK'))).toBe(true);
    // Every lock command from Home Assistant is in the audit trail, refused ones too.
    // A command that was sent is audited once the lock has taken it.
    const audited = await vi.waitFor(() => {
      const rows = first.controller.store.db
        .prepare("SELECT outcome, what FROM audit WHERE command = 'homeassistant/lock' ORDER BY id")
        .all() as Array<{ outcome: string; what: string }>;
      if (rows.length < 4) throw new Error(`${rows.length} audit rows so far`);
      return rows;
    });
    expect(audited.map((row) => [row.outcome, JSON.parse(row.what)])).toEqual([
      ['ok', { cabinet: 'fridge-1', command: 'UNLOCK' }],
      [
        expect.stringMatching(
          /^refused: UNLOCK of cabinet fridge-1: purchase session \S+ \(\w+\) is in progress on this cabinet$/,
        ),
        { cabinet: 'fridge-1', command: 'UNLOCK' },
      ],
      [
        'refused: lock command of cabinet fridge-1: the payload is not LOCK or UNLOCK',
        { cabinet: 'fridge-1' },
      ],
      ['ok', { cabinet: 'fridge-1', command: 'LOCK' }],
    ]);
    await first.controller.stop();

    // Restarted without the shelf reader (and so without its zone): their configs are cleared.
    const io2 = await createPtyPair();
    cleanup.push(() => io2.close());
    const second = await boot({
      brokerUrl: broker.url,
      dataDir,
      gatewayId: 'gw-ha',
      readers: ['fridge'],
      io: io2,
    });
    cleanup.push(() => second.controller.stop());
    await ha.waitFor(
      (messages) => shelfTopics.every((topic) => latest(messages, topic)?.payload === ''),
      'the shelf configs cleared',
    );
    const after = await retainedConfigs(broker.url, kept.length);
    expect([...after.keys()].sort()).toEqual([...kept].sort());
    // Forgotten by the store once the broker acknowledged the removal.
    const stored = () =>
      (
        second.controller.store.db
          .prepare('SELECT topic FROM homeassistant_discovery ORDER BY topic')
          .all() as Array<{
          topic: string;
        }>
      ).map((row) => row.topic);
    for (let attempt = 0; stored().length !== kept.length && attempt < 50; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stored()).toEqual([...kept].sort());
    await second.controller.stop();
  }, 90_000);

  it('under the documented per-gateway ACL, reads back and clears the configs of a reader that a wiped data directory forgot, and clears everything when turned off', async () => {
    // The README's ACL: the gateway's base, its discovery configs, Home Assistant's status.
    const broker = await startMosquitto({
      users: { 'gw-ha2': 'gateway-secret', ha: 'ha-secret' },
      acl: [
        'pattern readwrite rfid/%u/#',
        'pattern readwrite homeassistant/+/%u/+/config',
        'pattern read homeassistant/status',
        'user ha',
        'topic readwrite #',
      ],
    });
    const dirs = [mkdtempSync(join(tmpdir(), 'rfid-ha-a-')), mkdtempSync(join(tmpdir(), 'rfid-ha-b-'))];
    cleanup.push(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });
    const passwordFile = join(dirs[0] as string, 'mqtt-password');
    writeFileSync(passwordFile, 'gateway-secret\n');
    const asHa = { username: 'ha', password: 'ha-secret' };
    const ha = await MqttCollector.start(broker.url, 'homeassistant/#', asHa);
    cleanup.push(() => ha.close());
    const node = (component: string, object: string) => `homeassistant/${component}/gw-ha2/${object}/config`;
    const shelfTopics = [
      node('sensor', 'zone_shelf_items'),
      node('binary_sensor', 'reader_shelf_connectivity'),
      node('sensor', 'reader_shelf_state'),
    ];
    const kept = [
      node('sensor', 'zone_fridge_items'),
      node('event', 'alarm'),
      node('binary_sensor', 'reader_fridge_connectivity'),
      node('sensor', 'reader_fridge_state'),
    ];
    // Another integration's entity under the same node id is not the gateway's to remove.
    const foreign = 'homeassistant/sensor/gw-ha2/outdoor_temperature/config';
    await ha.client.publishAsync(foreign, JSON.stringify({ name: 'Outdoor', state_topic: 'x/t' }), {
      qos: 1,
      retain: true,
    });

    const common = { brokerUrl: broker.url, passwordFile, gatewayId: 'gw-ha2' };
    const first = await boot({ ...common, dataDir: dirs[0] as string, readers: ['fridge', 'shelf'] });
    cleanup.push(() => first.controller.stop());
    await ha.waitFor((messages) => announced(messages, [...kept, ...shelfTopics]), 'every discovery config');
    await first.controller.stop();

    const second = await boot({ ...common, dataDir: dirs[1] as string, readers: ['fridge'] });
    cleanup.push(() => second.controller.stop());
    await ha.waitFor(
      (messages) => shelfTopics.every((topic) => latest(messages, topic)?.payload === ''),
      'the shelf configs cleared',
    );
    const after = await retainedConfigs(broker.url, kept.length + 1, asHa);
    expect([...after.keys()].sort()).toEqual([...kept, foreign].sort());
    expect(second.logs.filter((line) => (line.level as number) >= 40)).toEqual([]);
    await second.controller.stop();

    // Discovery turned off: everything it announced goes, the foreign entity stays.
    const third = await boot({
      ...common,
      dataDir: dirs[1] as string,
      readers: ['fridge'],
      discovery: false,
    });
    cleanup.push(() => third.controller.stop());
    await ha.waitFor(
      (messages) => kept.every((topic) => latest(messages, topic)?.payload === ''),
      'every config cleared',
    );
    expect([...(await retainedConfigs(broker.url, 1, asHa)).keys()]).toEqual([foreign]);
    await third.controller.stop();
  }, 60_000);
});
