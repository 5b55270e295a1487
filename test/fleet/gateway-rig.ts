import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IClientOptions } from 'mqtt';
import { Controller } from '../../src/app/controller.js';
import { configSchema, type GatewayConfigInput } from '../../src/config/schema.js';
import { createLogger } from '../../src/observability/logger.js';
import { encodeId12Frame } from '../../src/protocols/em4100-ascii/index.js';
import { systemClock } from '../../src/shared/clock.js';
import { createTransport } from '../../src/transport/index.js';
import { FakePort } from '../helpers/fake-port.js';
import { MqttCollector, type Received } from '../helpers/mqtt-collector.js';
import { createPtyPair } from '../helpers/pty.js';
import { fridgeCabinet } from '../kits/config/fridge.js';

/**
 * A whole gateway as a store runs it, for the fleet's ACL tests: the controller in `run` mode with a
 * reader, a card reader, a fridge cabinet whose door and lock sit on a `lines` microcontroller (a
 * real pty), an MQTT display, Home Assistant discovery and metrics, logged in with its own user
 * (the gateway id) and a password file. `exercise` makes it use every topic it has: an administrator
 * sends it a request and a Home Assistant lock command, a tag arrives, and everything it publishes
 * must reach the administrator.
 */

export interface GatewayLogin {
  url: string;
  gatewayId: string;
  password: string;
  protocolVersion: 4 | 5;
  ca?: string;
}

export interface RunningGateway {
  controller: Controller;
  logs: Array<Record<string, unknown>>;
  /** A tag read in the fridge: tag.arrived, and the fridge's inventory. */
  readTag(): void;
  stop(): Promise<void>;
}

const TAG = '0A00B1C2D3';
const GROUP = 'north';

export async function bootGateway(login: GatewayLogin): Promise<RunningGateway> {
  const dir = mkdtempSync(join(tmpdir(), `rfid-fleet-${login.gatewayId}-`));
  const passwordFile = join(dir, 'mqtt-password');
  writeFileSync(passwordFile, `${login.password}\n`, { mode: 0o600 });
  const io = await createPtyPair();
  const input: GatewayConfigInput = {
    gatewayId: login.gatewayId,
    dataDir: dir,
    readers: [
      { id: 'fridge', driver: 'em4100-ascii', port: 'fake:fridge', zone: 'fridge' },
      { id: 'badge', driver: 'em4100-ascii', port: 'fake:badge', zone: 'entrance' },
    ],
    ...fridgeCabinet(io.b, { cabinet: { display: 'fridge-1', unlockMs: 10_000 } }),
    displays: [{ id: 'fridge-1', driver: 'mqtt' }],
    mqtt: {
      url: login.url,
      protocolVersion: login.protocolVersion,
      username: login.gatewayId,
      passwordFile,
      metricsIntervalMs: 1000,
      // A member of a group: its group requests and answers are under the fleet's ACL too.
      groups: [GROUP],
      reconnect: { initialMs: 200, maxMs: 1000 },
      ...(login.ca !== undefined ? { ca: login.ca } : {}),
    },
    homeassistant: { enabled: true },
  };
  const parsed = configSchema.parse(input);
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
    dataDir: dir,
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
  let stopped = false;
  return {
    controller,
    logs,
    readTag: () => ports.get('fridge')?.data(encodeId12Frame(Buffer.from(TAG, 'hex'))),
    async stop() {
      if (stopped) return;
      stopped = true;
      await controller.stop();
      await io.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every topic the rig's gateway `gw` publishes, as an administrator sees them. */
export function expectedTopics(gw: string): string[] {
  return [
    `rfid/${gw}/status`,
    `rfid/${gw}/events/tag/arrived`,
    `rfid/${gw}/inventory/fridge`,
    `rfid/${gw}/readers/fridge`,
    `rfid/${gw}/metrics`,
    `rfid/${gw}/displays/fridge-1`,
    `rfid/${gw}/response/ping`,
    `rfid/${gw}/homeassistant/lock/fridge-1`,
    `rfid/${gw}/events/actuator/changed`,
    `homeassistant/lock/${gw}/cabinet_fridge-1_lock/config`,
    `rfid/groups/${GROUP}/response/${gw}/ping`,
  ];
}

/**
 * Boots the gateway while an administrator watches, then drives it through an administrator's connection: a request (`ping`) and a Home Assistant
 * UNLOCK, both of which only a gateway that reads its own topics can act on, and waits until every
 * expected topic has arrived at the administrator.
 */
export async function exercise(
  url: string,
  gw: string,
  admin: IClientOptions,
  boot: () => Promise<RunningGateway>,
): Promise<{ watcher: MqttCollector; gateway: RunningGateway }> {
  // Subscribed before the gateway starts: on a RabbitMQ cluster a retained message (the online
  // status) is kept by the node it was published to only, and the administrator may be on another.
  const watcher = await MqttCollector.start(url, `rfid/${gw}/#`, { ...admin, clientId: `admin-watch-${gw}` });
  await watcher.client.subscribeAsync('homeassistant/#', { qos: 1 });
  await watcher.client.subscribeAsync(`rfid/groups/${GROUP}/response/#`, { qos: 1 });
  let gateway: RunningGateway;
  try {
    gateway = await boot();
  } catch (error) {
    await watcher.close();
    throw error;
  }
  try {
    await watcher.waitFor(
      (messages) => messages.some((m) => m.topic === `rfid/${gw}/status` && m.payload.includes('"online"')),
      `${gw} online`,
      30_000,
    );
    gateway.readTag();
    // The gateway subscribes after it is online: repeat the request until it answers.
    const answered = (messages: Received[]) => messages.some((m) => m.topic === `rfid/${gw}/response/ping`);
    for (let attempt = 0; !answered(watcher.messages) && attempt < 40; attempt++) {
      await watcher.client.publishAsync(
        `rfid/${gw}/request/ping`,
        JSON.stringify({ transaction: `t${attempt}` }),
        {
          qos: 1,
        },
      );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // A request to its group, until it answers on the group's answer topic for it.
    const groupAnswered = (messages: Received[]) =>
      messages.some((m) => m.topic === `rfid/groups/${GROUP}/response/${gw}/ping`);
    for (let attempt = 0; !groupAnswered(watcher.messages) && attempt < 40; attempt++) {
      await watcher.client.publishAsync(
        `rfid/groups/${GROUP}/request/ping`,
        JSON.stringify({ transaction: `g${attempt}` }),
        { qos: 1 },
      );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Home Assistant's UNLOCK, until the gateway (subscribed to lock commands) acts on it.
    const unlocked = (messages: Received[]) =>
      messages.some(
        (m) =>
          m.topic === `rfid/${gw}/events/actuator/changed` && m.payload.includes('"reason":"home assistant"'),
      );
    for (let attempt = 0; !unlocked(watcher.messages) && attempt < 40; attempt++) {
      await watcher.client.publishAsync(`rfid/${gw}/homeassistant/lock/fridge-1/set`, 'UNLOCK', { qos: 1 });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const wanted = expectedTopics(gw);
    const missing = () => wanted.filter((topic) => !watcher.messages.some((m) => m.topic === topic));
    try {
      await watcher.waitFor(() => missing().length === 0, `every topic of ${gw}`, 30_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nmissing: ${missing().join(', ')}`);
    }
  } catch (error) {
    await gateway.stop();
    await watcher.close();
    throw error;
  }
  return { watcher, gateway };
}
