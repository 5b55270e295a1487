/**
 * A smart fridge driven end to end on the virtual clock: the real controller (store in a temporary
 * directory, bus, readers, extensions) fed with real reader frames — ThingMagic tag reads in
 * inventory rounds, ID-12 card frames, `lines` door reports — as a capture would feed it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { Controller } from '../../src/app/controller.js';
import { RecordingDeviceIo } from '../../src/app/device-io.js';
import { nextTurn, VirtualTime } from '../../src/app/virtual-time.js';
import { configSchema, type GatewayConfigInput } from '../../src/config/schema.js';
import { decodeEpc } from '../../src/core/epc.js';
import { Catalog } from '../../src/domain/catalog/index.js';
import type { PurchasesService } from '../../src/domain/purchases/extension.js';
import { RequestRouter } from '../../src/mqtt/requests.js';
import { createLogger } from '../../src/observability/logger.js';
import { encodeId12Frame } from '../../src/protocols/em4100-ascii/index.js';
import { encodeLine } from '../../src/protocols/lines/index.js';
import { thingmagicDriver } from '../../src/protocols/thingmagic/index.js';
import { VirtualClock } from '../../src/shared/clock.js';
import type { Product } from '../../src/shared/commerce.js';
import type { EventBody, GatewayEvent } from '../../src/shared/events.js';
import type { Services } from '../../src/shared/feature.js';
import { sgtin96 } from '../../src/shared/sgtin.js';
import { Store } from '../../src/store/index.js';
import { tap } from '../helpers/features.js';
import { fridgeDevices } from '../kits/config/fridge.js';

export const T0 = Date.parse('2026-11-30T10:00:00.000Z');
export const CYCLE_MS = 250;

/** SGTIN-96 (company prefix 0614141, partition 5) for an item reference and serial. */
export function sgtin(itemReference: number, serial: number): string {
  return sgtin96({ itemReference, serial });
}

/** The GTIN the TDS gives an item reference of our company prefix (checked in epc.test.ts). */
function gtinOf(itemReference: number): string {
  const gtin = decodeEpc(sgtin(itemReference, 1))?.gtin;
  if (!gtin) throw new Error(`no GTIN for ${itemReference}`);
  return gtin;
}

export const COLA_REF = 812345;
export const WATER_REF = 812346;
export const COLA: Product = {
  sku: 'COLA-033',
  gtin: gtinOf(COLA_REF),
  name: 'Cola 0.33 l',
  unitPrice: 250,
  currency: 'EUR',
};
export const WATER: Product = {
  sku: 'WATER-05',
  gtin: gtinOf(WATER_REF),
  name: 'Water 0.5 l',
  unitPrice: 180,
  currency: 'EUR',
};
export const CARD_ANA = '0500207B32';
export const CARD_UNKNOWN = '0A0B0C0D0E';

export function fridgeConfig(overrides: Partial<GatewayConfigInput> = {}): GatewayConfigInput {
  return {
    gatewayId: 'fridge-test',
    ...fridgeDevices(
      { fridge: 'replay:none.jsonl', badge: 'replay:none.jsonl', io: 'replay:none.jsonl' },
      // The rig's products are priced in EUR; its rounds are CYCLE_MS apart.
      { cabinet: { currency: 'EUR', settle: { cycleMs: CYCLE_MS } } },
    ),
    customers: [{ card: CARD_ANA, reference: 'cust-17', name: 'Ana', consent: true }],
    ...overrides,
  };
}

const hexBytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));

export class FridgeRig {
  readonly clock = new VirtualClock(T0);
  readonly events: GatewayEvent[] = [];
  readonly logLines: string[] = [];
  /** What the output devices were sent (a relay lock's frames, the io board's lines). */
  readonly devices = new RecordingDeviceIo();
  private readonly simulator = thingmagicDriver.createSimulator();
  private controller: Controller | undefined;
  /** The displays of the running controller (cabinet screens), when the config has any. */
  screens: Services['screens'] | undefined;
  /** Tags in the fridge now, with their per-round read probability. */
  readonly inside = new Map<string, number>();
  private randomState = 12345;

  constructor(
    readonly dataDir: string,
    private readonly configInput: GatewayConfigInput,
  ) {
    // The simulated Nano streams once it has been through the gateway's start-up sequence.
    for (const step of thingmagicDriver.startup({})) this.simulator.answer(step.bytes);
  }

  static async create(products: Product[] = [COLA, WATER], config = fridgeConfig()): Promise<FridgeRig> {
    const dataDir = mkdtempSync(join(tmpdir(), 'rfid-fridge-'));
    const store = Store.open({
      dataDir,
      clock: new VirtualClock(T0),
      logger: createLogger({ level: 'silent' }),
    });
    new Catalog(store).upsert(products);
    store.close();
    const rig = new FridgeRig(dataDir, config);
    await rig.boot();
    return rig;
  }

  /** Builds and starts a controller on the rig's store (again, after `crash`). */
  async boot(): Promise<void> {
    const config = configSchema.parse(this.configInput);
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => void this.logLines.push(line) },
    });
    this.controller = Controller.create(config, {
      mode: 'replay',
      clock: this.clock,
      logger,
      dataDir: this.dataDir,
      mqtt: undefined,
      drainMs: 0,
      // The devices a replay would give it: every port takes writes, which are recorded.
      deviceIo: this.devices,
      // Listening from the start: a session recovered at start-up emits before start() returns.
      extraFeatures: [tap('rig', ({ bus }) => bus.on('rig', '*', (event) => this.events.push(event)))],
    });
    this.screens = this.controller.service('screens');
    await this.controller.start();
    await nextTurn();
  }

  /** The process dies: nothing is stopped, the store file is left as it is (its last commit stands). */
  crash(): void {
    // Closing the connection is what the OS does for a killed process; no extension gets to stop.
    this.controller?.store.close();
    this.controller = undefined;
  }

  /** The running controller's store (to look at what it keeps). */
  get store(): Store {
    if (!this.controller) throw new Error('not running');
    return this.controller.store;
  }

  /** The running controller's purchases, as other features see them. */
  get purchases(): PurchasesService {
    if (!this.controller) throw new Error('not running');
    const purchases = this.controller.service('purchases');
    if (!purchases) throw new Error('no purchases: the rig has no cabinet');
    return purchases;
  }

  async stop(): Promise<void> {
    const controller = this.controller;
    if (controller) await new VirtualTime(this.clock, controller.bus).during(controller.stop());
    this.controller = undefined;
  }

  dispose(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  put(tag: string, readProbability = 1): void {
    this.inside.set(tag, readProbability);
  }

  take(tag: string): void {
    this.inside.delete(tag);
  }

  card(id: string): Promise<void> {
    return this.feed('badge', encodeId12Frame(hexBytes(id)));
  }

  door(value: 'open' | 'closed'): Promise<void> {
    return this.feed('io', encodeLine('door', value));
  }

  /** Runs `ms` of inventory rounds: each round, each tag inside is read with its probability. */
  async rounds(ms: number, extraReads: (round: number) => string[] = () => []): Promise<void> {
    const until = this.clock.now() + ms;
    let round = 0;
    while (this.clock.now() + CYCLE_MS <= until) {
      await this.time.advanceTo(this.clock.now() + CYCLE_MS);
      const tags = [...this.inside].filter(([, p]) => this.random() < p).map(([tag]) => tag);
      for (const tag of [...tags, ...extraReads(round)]) {
        const frame = this.simulator.tagFrame(hexBytes(tag), 1, -50);
        if (frame) await this.feed('fridge', frame);
      }
      round += 1;
    }
    await this.time.advanceTo(until);
  }

  /** Time passes with the reader silent (unplugged, or nothing inside). */
  idle(ms: number): Promise<void> {
    return this.time.advanceTo(this.clock.now() + ms);
  }

  /** Bytes from a device; what they set off (a lock written, a screen shown) is done when it resolves. */
  async feed(port: string, bytes: Uint8Array): Promise<void> {
    const controller = this.controller;
    const pipeline = controller?.readers.pipeline(port);
    if (!controller || !pipeline) throw new Error(`no pipeline ${port}`);
    pipeline.ingest(bytes);
    await new VirtualTime(this.clock, controller.bus).settle();
  }

  private get time(): VirtualTime {
    if (!this.controller) throw new Error('not running');
    return new VirtualTime(this.clock, this.controller.bus);
  }

  /** The running controller's commands (to answer them through a router of a test's own). */
  get requests(): Controller['requests'] {
    if (!this.controller) throw new Error('not running');
    return this.controller.requests;
  }

  /** Answers a request as `<base>/request/<command>` would (validation, errors and all). */
  async request(command: string, payload: unknown): Promise<Record<string, unknown>> {
    if (!this.controller) throw new Error('not running');
    const router = new RequestRouter({
      registry: this.controller.requests,
      clock: this.clock,
      logger: createLogger({ level: 'silent' }),
    });
    const response = await router.handle(command, new TextEncoder().encode(JSON.stringify(payload)));
    return JSON.parse(response.payload) as Record<string, unknown>;
  }

  /** Puts an event on the bus as another feature would (the outputs reporting a device fault). */
  async emit(body: EventBody): Promise<void> {
    this.controller?.bus.emit(body);
    await this.time.settle();
  }

  async readerStatus(reader: string, state: 'online' | 'offline'): Promise<void> {
    this.controller?.bus.emit({ type: 'reader.status', reader, state, reason: 'test' });
    await this.time.settle();
  }

  ofType<T extends GatewayEvent['type']>(type: T): Array<Extract<GatewayEvent, { type: T }>> {
    return this.events.filter((event): event is Extract<GatewayEvent, { type: T }> => event.type === type);
  }

  private random(): number {
    // xorshift32: the same rounds every run.
    let x = this.randomState;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.randomState = x >>> 0;
    return this.randomState / 2 ** 32;
  }
}

/**
 * The list a describe block pushes its rigs on: after each test, each is stopped and its store
 * deleted.
 */
export function rigsStoppedAfterEach(): FridgeRig[] {
  const rigs: FridgeRig[] = [];
  afterEach(async () => {
    for (const rig of rigs.splice(0)) {
      await rig.stop();
      rig.dispose();
    }
  });
  return rigs;
}
