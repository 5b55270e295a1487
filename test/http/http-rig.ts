/**
 * A gateway as `rfid-gateway run` builds it (the real controller, mode `run`, a store in a temporary
 * directory) on the virtual clock, with the HTTP listener among its features on a free loopback port,
 * and every device on a port the test plugs, unplugs and feeds with real frames.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat, { type MetricFamily } from 'parse-prometheus-text-format';
import { Controller } from '../../src/app/controller.js';
import { configSchema, type GatewayConfig, type GatewayConfigInput } from '../../src/config/schema.js';
import { Catalog } from '../../src/domain/catalog/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import { encodeId12Frame } from '../../src/protocols/em4100-ascii/index.js';
import { encodeLine } from '../../src/protocols/lines/index.js';
import { RSP_KEEPALIVE } from '../../src/protocols/thingmagic/fixtures.js';
import { thingmagicDriver } from '../../src/protocols/thingmagic/index.js';
import { VirtualClock } from '../../src/shared/clock.js';
import type { Product } from '../../src/shared/commerce.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import type { Services } from '../../src/shared/feature.js';
import { Store } from '../../src/store/index.js';
import { FakePort } from '../helpers/fake-port.js';
import { tap } from '../helpers/features.js';

export { FakePort };

export const T0 = Date.parse('2026-11-30T10:00:00.000Z');

export const hexBytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));

export interface RigOptions {
  /** Devices whose port is not there at start-up. */
  absent?: readonly string[];
  /** Products in the catalog before the start. */
  products?: readonly Product[];
  /** Keep the configured port (default: 0, any free one). */
  keepPort?: boolean;
}

/** Lets promises (actuator writes, the outbox commit on setImmediate) run. */
export async function settle(turns = 3): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve));
}

export class HttpRig {
  readonly clock = new VirtualClock(T0);
  readonly events: GatewayEvent[] = [];
  readonly ports = new Map<string, FakePort>();
  readonly tagReader = thingmagicDriver.createSimulator();
  readonly controller: Controller;

  private constructor(
    readonly dataDir: string,
    readonly config: GatewayConfig,
    options: RigOptions,
  ) {
    // The simulated Nano streams once it has been through the gateway's start-up sequence.
    for (const step of thingmagicDriver.startup({})) this.tagReader.answer(step.bytes);
    for (const device of [...config.readers, ...config.sensors])
      this.ports.set(device.id, new FakePort(`fake:${device.id}`, !options.absent?.includes(device.id)));
    this.controller = Controller.create(config, {
      mode: 'run',
      clock: this.clock,
      logger: silentLogger(),
      dataDir,
      mqtt: config.mqtt,
      drainMs: 2000,
      extraFeatures: [tap('rig', ({ bus }) => bus.on('rig', '*', (event) => this.events.push(event)))],
      transportFor: (device) => this.port(device.id),
    });
  }

  /** Builds the controller (http port 0 unless `keepPort`); `start` is left to the caller. */
  static create(input: GatewayConfigInput, options: RigOptions = {}): HttpRig {
    const dataDir = mkdtempSync(join(tmpdir(), 'rfid-http-'));
    if (options.products) {
      const store = Store.open({ dataDir, clock: new VirtualClock(T0), logger: silentLogger() });
      new Catalog(store).upsert([...options.products]);
      store.close();
    }
    const config = configSchema.parse(input);
    // The schema wants a real port; the tests take whichever is free and read it back.
    if (config.http && !options.keepPort) config.http = { ...config.http, port: 0 };
    return new HttpRig(dataDir, config, options);
  }

  static async start(input: GatewayConfigInput, options: RigOptions = {}): Promise<HttpRig> {
    const rig = HttpRig.create(input, options);
    await rig.controller.start();
    return rig;
  }

  get listener(): Services['http'] {
    const listener = this.controller.service('http');
    if (!listener) throw new Error('no HTTP listener');
    return listener;
  }

  get url(): string {
    const address = this.listener.address;
    if (!address) throw new Error('the HTTP listener is not listening');
    return address.url;
  }

  port(id: string): FakePort {
    const port = this.ports.get(id);
    if (!port) throw new Error(`no port ${id}`);
    return port;
  }

  get(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.url}${path}`, init);
  }

  async metrics(): Promise<Metrics> {
    const response = await this.get('/metrics');
    if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
    return new Metrics(parsePrometheusTextFormat(await response.text()));
  }

  async health(): Promise<{ status: number; body: HealthBody }> {
    const response = await this.get('/healthz');
    return { status: response.status, body: (await response.json()) as HealthBody };
  }

  /** One chunk from the ThingMagic reader `reader`: a frame per (tag, antenna). */
  tagReads(reader: string, reads: ReadonlyArray<readonly [tag: string, antenna: number]>): Uint8Array {
    const frames = reads.map(([tag, antenna]) => this.tagReader.tagFrame(hexBytes(tag), antenna, -50));
    const chunk = Buffer.concat(frames.map((frame) => frame ?? new Uint8Array()));
    this.port(reader).data(chunk);
    return chunk;
  }

  /** The ThingMagic reader's read-cycle heartbeat ("no tags found"), as it streams once a second. */
  heartbeat(reader: string): void {
    this.port(reader).data(RSP_KEEPALIVE);
  }

  card(reader: string, id: string): Uint8Array {
    const frame = encodeId12Frame(hexBytes(id));
    this.port(reader).data(frame);
    return frame;
  }

  line(sensor: string, channel: string, value: string): Uint8Array {
    const bytes = encodeLine(channel, value);
    this.port(sensor).data(bytes);
    return bytes;
  }

  advance(ms: number): void {
    this.clock.advanceTo(this.clock.now() + ms);
  }

  ofType<T extends GatewayEvent['type']>(type: T): Array<Extract<GatewayEvent, { type: T }>> {
    return this.events.filter((event): event is Extract<GatewayEvent, { type: T }> => event.type === type);
  }

  /**
   * Stops the controller. With a broker, stopping waits on the clock (the drain, the offline status):
   * virtual time is moved on meanwhile, as real time would pass.
   */
  async stop(): Promise<void> {
    let stopped = false;
    const stopping = this.controller.stop().finally(() => {
      stopped = true;
    });
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      this.advance(100);
    }
    await stopping;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export interface HealthBody {
  status: 'ok' | 'unhealthy';
  gateway: string;
  ts: string;
  reasons: string[];
  readers: Record<string, { state: string; since: string; reason?: string }>;
  outbox?: { depth: number; oldestAgeMs: number | null };
  broker?: { connected: boolean; since?: string };
  store: { diskFull: boolean };
}

/** The parsed exposition, with look-ups by family and labels. */
export class Metrics {
  constructor(readonly families: MetricFamily[]) {}

  family(name: string): MetricFamily | undefined {
    return this.families.find((family) => family.name === name);
  }

  has(name: string): boolean {
    return this.family(name) !== undefined;
  }

  /** The sample of `name` whose labels include `labels`; undefined when there is none. */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    const sample = this.family(name)?.metrics.find((metric) =>
      Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value),
    );
    return sample?.value === undefined ? undefined : Number(sample.value);
  }

  /** Every sample of `name` as `labels → value`, labels as `k=v,k=v` in the order given. */
  samples(name: string, keys: readonly string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const metric of this.family(name)?.metrics ?? []) {
      const key = keys.map((k) => `${k}=${metric.labels?.[k] ?? ''}`).join(',');
      out[key] = Number(metric.value);
    }
    return out;
  }
}
