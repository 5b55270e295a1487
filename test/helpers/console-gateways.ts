import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeSensorLine } from '../../src/protocols/lines/encode.js';
import { type FridgeOverrides, fridgeDevices } from '../kits/config/fridge.js';
import { type Cleanup, consoleAddress } from './browser.js';
import { CliProcess } from './cli.js';
import { type Mosquitto, startMosquitto } from './mosquitto.js';
import { MqttCollector } from './mqtt-collector.js';
import { createPtyPair, type PtyPair } from './pty.js';
import { PtyModule } from './pty-module.js';

/**
 * The gateways the store console's browser tests run against: config/demo.json's fridge replaying
 * its capture, and a fridge on real ptys. Each registers its processes, ptys and clients on the
 * test's cleanup list.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CAPTURE = join(ROOT, 'hardware/captures/fridge-demo.jsonl');
/** Twice as fast as recorded: the first sale within 20 s (faster, the door and settle timings no longer fit). */
const SPEED = 2;

/** A real Mosquitto for the test, stopped after it. */
export async function startBroker(cleanup: Cleanup): Promise<Mosquitto> {
  const broker = await startMosquitto();
  cleanup.push(() => broker.stop());
  return broker;
}

/** `config` written as `gateway.json` in `dir`; its path. */
export function writeGatewayConfig(dir: string, config: Record<string, unknown>): string {
  const file = join(dir, 'gateway.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** `rfid-gateway run --config <file>`, killed after the test. */
export function runGateway(cleanup: Cleanup, file: string): CliProcess {
  const gateway = new CliProcess(['run', '--config', file]);
  cleanup.push(() => gateway.stop('SIGKILL'));
  return gateway;
}

/** A POST of `body` (JSON) to the console's route for a gateway request. */
export function postRequest(address: string, command: string, body: unknown): Promise<Response> {
  return fetch(`${address}/api/request/${command}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export interface DemoConsoleOptions {
  gatewayId: string;
  http: Record<string, unknown>;
  mqtt?: { url: string };
  /** Where its config and store go (the same one across a restart); a new directory by default. */
  dir?: string;
  resetStoreAtStart?: boolean;
  /** false: without the demo's customers (those of the config cannot be changed from the console). */
  customers?: boolean;
  /** Outputs besides the demo's. */
  moreActuators?: object[];
}

/**
 * config/demo.json's fridge (its devices replaying the bundled capture, looping, faster than real
 * time; its catalog) without its broker unless given one, with the console on `http`; the console's
 * address from its log line.
 */
export function demoConsoleGateway(
  cleanup: Cleanup,
  options: DemoConsoleOptions,
): { gateway: CliProcess; url: () => Promise<string> } {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), `rfid-${options.gatewayId}-`));
  const demo = JSON.parse(readFileSync(join(ROOT, 'config/demo.json'), 'utf8')) as Record<string, unknown> & {
    readers: Array<{ replay: object }>;
    sensors: Array<{ replay: object }>;
    actuators: object[];
  };
  const { mqtt: _mqtt, customers, ...rest } = demo;
  const faster = <T extends { replay: object }>(device: T) => ({
    ...device,
    port: `replay:${CAPTURE}`,
    replay: { ...device.replay, speed: SPEED },
  });
  const file = writeGatewayConfig(dir, {
    ...rest,
    ...(options.customers === false ? {} : { customers }),
    gatewayId: options.gatewayId,
    dataDir: join(dir, 'data'),
    ...(options.resetStoreAtStart === undefined ? {} : { resetStoreAtStart: options.resetStoreAtStart }),
    logLevel: 'info',
    catalogFile: join(ROOT, 'config/demo-catalog.csv'),
    http: options.http,
    ...(options.mqtt ? { mqtt: { url: options.mqtt.url } } : {}),
    readers: demo.readers.map(faster),
    sensors: demo.sensors.map(faster),
    actuators: [...demo.actuators, ...(options.moreActuators ?? [])],
  });
  const gateway = runGateway(cleanup, file);
  return { gateway, url: () => consoleAddress(gateway) };
}

/** A pty pair, closed after the test. */
async function ptyPair(cleanup: Cleanup): Promise<PtyPair> {
  const pty = await createPtyPair();
  cleanup.push(() => pty.close());
  return pty;
}

/** What a cabinet on ptys starts from: a broker, a collector on it, a directory. */
async function rigBase(cleanup: Cleanup, gatewayId: string, collect: string) {
  const broker = await startBroker(cleanup);
  const collector = await MqttCollector.start(broker.url, `rfid/${gatewayId}/${collect}`);
  cleanup.push(() => collector.close());
  const dir = mkdtempSync(join(tmpdir(), `rfid-${gatewayId}-`));
  return { broker, collector, dir };
}

export interface PtyDoorOptions {
  gatewayId: string;
  /** What the collector hears, under `rfid/<gatewayId>/`. */
  collect: string;
}

/**
 * A cabinet `fridge-1` whose door and lock controller (`lines`) is a real pty, behind a real
 * Mosquitto; its config written, each `run()` a gateway process on it (the same store each time).
 */
export async function ptyDoorGateway(cleanup: Cleanup, options: PtyDoorOptions) {
  const io = await ptyPair(cleanup);
  const { broker, collector, dir } = await rigBase(cleanup, options.gatewayId, options.collect);
  const config = writeGatewayConfig(dir, {
    gatewayId: options.gatewayId,
    dataDir: join(dir, 'data'),
    logLevel: 'info',
    mqtt: { url: broker.url },
    http: { host: '127.0.0.1', port: 0 },
    sensors: [{ id: 'io', driver: 'lines', port: io.b, zone: 'fridge' }],
    actuators: [{ id: 'lock', driver: 'lines', device: 'io', channel: 'lock', safeState: 'closed' }],
    cabinets: [{ id: 'fridge-1', zone: 'fridge', door: { sensor: 'io' }, lock: 'lock', currency: 'EUR' }],
  });
  return {
    io,
    broker,
    collector,
    config,
    door: (value: 'open' | 'closed') => io.writeA(encodeSensorLine({ door: value })),
    run: () => runGateway(cleanup, config),
  };
}

export interface PtyFridgeOptions extends PtyDoorOptions {
  /** The tags in the module's field when the gateway starts. */
  field?: string[];
  /** More settings of the fridge's reader (e.g. `stalledAfterMs`). */
  reader?: FridgeOverrides['reader'];
  /** More settings of the cabinet (e.g. `settle`). */
  cabinet?: FridgeOverrides['cabinet'];
  /** The catalog, as CSV lines. */
  catalog?: string[];
  customers?: Array<{ card: string; reference: string }>;
}

/**
 * A fridge on real ptys: a ThingMagic module played in this process (`module`), an ID-12 card
 * reader (`badge`), a `lines` door and lock controller (`io`), behind a real Mosquitto; the
 * gateway running on them.
 */
export async function ptyFridgeGateway(cleanup: Cleanup, options: PtyFridgeOptions) {
  const [uhf, badge, io] = [await ptyPair(cleanup), await ptyPair(cleanup), await ptyPair(cleanup)];
  const module = new PtyModule(uhf);
  cleanup.push(() => module.stop());
  if (options.field) module.field = options.field;
  const { broker, collector, dir } = await rigBase(cleanup, options.gatewayId, options.collect);
  if (options.catalog) writeFileSync(join(dir, 'catalog.csv'), options.catalog.join('\n'));
  const config = writeGatewayConfig(dir, {
    gatewayId: options.gatewayId,
    dataDir: join(dir, 'data'),
    logLevel: 'info',
    ...(options.catalog ? { catalogFile: 'catalog.csv' } : {}),
    mqtt: { url: broker.url },
    http: { host: '127.0.0.1', port: 0 },
    ...fridgeDevices(
      { fridge: uhf.b, badge: badge.b, io: io.b },
      { reader: options.reader, cabinet: { ...options.cabinet, search: { enabled: false } } },
    ),
    ...(options.customers ? { customers: options.customers } : {}),
  });
  const gateway = runGateway(cleanup, config);
  const door = (value: 'open' | 'closed') => io.writeA(encodeSensorLine({ door: value }));
  return {
    badge,
    io,
    module,
    broker,
    collector,
    gateway,
    door,
    /** Once the fridge's reader is online: the door closed, as a controller reports at start. */
    ready: async () => {
      await gateway.waitForEvent(
        (e) => e.type === 'reader.status' && e.reader === 'fridge' && e.state === 'online',
        'online',
      );
      door('closed');
    },
  };
}
