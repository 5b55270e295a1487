import { EventBus } from '../../../src/app/event-bus.js';
import { Readers } from '../../../src/app/readers.js';
import { configSchema } from '../../../src/config/schema.js';
import { fromHex } from '../../../src/core/index.js';
import { Catalog } from '../../../src/domain/catalog/index.js';
import { Inventory, type InventoryOptions } from '../../../src/domain/inventory/extension.js';
import { RequestRegistry } from '../../../src/mqtt/request-registry.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { CMD_START_READING } from '../../../src/protocols/thingmagic/fixtures.js';
import { encodeResponse, Opcode } from '../../../src/protocols/thingmagic/index.js';
import { createSimulator } from '../../../src/protocols/thingmagic/simulator.js';
import { VirtualClock } from '../../../src/shared/clock.js';
import type { Product } from '../../../src/shared/commerce.js';
import type { GatewayEvent } from '../../../src/shared/events.js';
import { sgtin96 } from '../../../src/shared/sgtin.js';
import { Store } from '../../../src/store/index.js';
import { requestRunner } from '../../helpers/run-request.js';

export const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

/** SGTIN-96 of GTIN 80614141123458 (the DESIGN.md example) with the given serial. */
export function sgtin(serial: number): string {
  return sgtin96({ itemReference: 812345, serial, filter: 3 });
}

/**
 * One fridge (a ThingMagic reader on zone `fridge`, 3 s hold-off) with the parts a controller would
 * give the inventory: a store whose outbox journals every event (as with MQTT), the bus and the readers.
 * `read` feeds real frames (from the reader simulator) through the reader's pipeline, all in one chunk.
 */
export function rig(
  options: { inventory?: InventoryOptions; dataDir?: string; t0?: number; products?: Product[] } = {},
) {
  const clock = new VirtualClock(options.t0 ?? T0);
  const logger = silentLogger();
  const store = Store.open({ dataDir: options.dataDir ?? ':memory:', clock, logger });
  const bus = new EventBus({ gateway: 'gw1', clock, logger, store, journal: store.outbox });
  const config = configSchema.parse({
    gatewayId: 'gw1',
    readers: [{ id: 'fridge', driver: 'thingmagic', port: 'replay:unused.jsonl' }],
  });
  const readers = new Readers({ config, clock, logger, emit: (body, atMs) => bus.emit(body, atMs) });
  const requests = new RequestRegistry();
  const context = { config, bus, store, clock, logger, requests };
  // With products, a real catalog on the same store, as the catalog feature would give it.
  const catalog = options.products && new Catalog(store, { clock, logger });
  catalog?.upsert(options.products ?? []);
  const inventory = new Inventory({ context, presence: readers.presence, catalog }, options.inventory);
  const events: GatewayEvent[] = [];
  bus.on('test', '*', (event) => events.push(event));
  const simulator = createSimulator();
  simulator.answer(CMD_START_READING);
  const read = (tags: readonly string[], atMs: number) => {
    clock.advanceTo(atMs);
    const frames = tags.map((tag) => simulator.tagFrame(fromHex(tag), 1, -50) as Uint8Array);
    const chunk = new Uint8Array(frames.reduce((total, frame) => total + frame.length, 0));
    let at = 0;
    for (const frame of frames) {
      chunk.set(frame, at);
      at += frame.length;
    }
    readers.pipeline('fridge')?.ingest(chunk);
  };
  /** The reader reports a status word in its stream (an antenna gone is an error), at `atMs`. */
  const status = (code: number, atMs: number) => {
    // In the same turn as what came before at that time (no flush in between).
    if (atMs > clock.now()) clock.advanceTo(atMs);
    readers.pipeline('fridge')?.ingest(encodeResponse(Opcode.readTagMultiple, code));
  };
  return {
    clock,
    store,
    catalog,
    /** Runs one of the requests the inventory registered. */
    request: requestRunner(requests),
    bus,
    readers,
    inventory,
    events,
    read,
    status,
    /** Events of a type, in order. */
    ofType: <T extends GatewayEvent['type']>(type: T) =>
      events.filter((event): event is Extract<GatewayEvent, { type: T }> => event.type === type),
    /** Types of the events committed to the outbox, in seq order. */
    journal: () =>
      (
        store.db.prepare('SELECT seq, type FROM events ORDER BY seq').all() as Array<{
          seq: number;
          type: string;
        }>
      ).map((row) => [row.seq, row.type] as const),
    rows: () => store.db.prepare('SELECT zone, tag, sku, gtin FROM inventory_tags ORDER BY tag').all(),
    async start() {
      await inventory.start();
      readers.start();
    },
    async stop() {
      await readers.stop();
      await inventory.stop();
      store.close();
    },
  };
}
