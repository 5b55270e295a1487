import { Controller } from '../../src/app/controller.js';
import { configSchema } from '../../src/config/schema.js';
import { fromHex } from '../../src/core/index.js';
import {
  createInventoryFeature,
  type Inventory,
  type InventoryOptions,
} from '../../src/domain/inventory/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import { CMD_START_READING, RSP_KEEPALIVE } from '../../src/protocols/thingmagic/fixtures.js';
import { createSimulator } from '../../src/protocols/thingmagic/simulator.js';
import { VirtualClock } from '../../src/shared/clock.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import { sgtin96 } from '../../src/shared/sgtin.js';
import { FakePort } from '../helpers/fake-port.js';

export { FakePort };

/** SGTIN-96 of GTIN 80614141123458 (the DESIGN.md example) with the given serial. */
export function sgtin(serial: number): string {
  return sgtin96({ itemReference: 812345, serial, filter: 3 });
}

export interface GatewayOptions {
  /** The fridge reader's zone (default `fridge`). */
  zone?: string;
  /** Feed the reader through a FakePort (with its statuses) rather than `pipeline.ingest`. */
  port?: FakePort;
  inventory?: InventoryOptions;
}

/**
 * The whole gateway (Controller, replay mode, virtual clock, a store in `dataDir`) with the inventory
 * as an extra feature and one ThingMagic reader `fridge`; `read` sends one chunk of simulator frames.
 */
export async function startGateway(dataDir: string, t0: number, options: GatewayOptions = {}) {
  const clock = new VirtualClock(t0);
  const config = configSchema.parse({
    gatewayId: 'gw1',
    readers: [{ id: 'fridge', driver: 'thingmagic', port: 'replay:fridge', zone: options.zone ?? 'fridge' }],
  });
  // Takes the place of the built-in inventory, with the test's options.
  const feature = createInventoryFeature(options.inventory);
  const port = options.port;
  const controller = Controller.create(config, {
    mode: 'replay',
    clock,
    logger: silentLogger(),
    dataDir,
    mqtt: undefined,
    drainMs: 0,
    extraFeatures: [feature],
    ...(port ? { transportFor: () => port } : {}),
  });
  const events: GatewayEvent[] = [];
  controller.bus.on('test', '*', (event) => events.push(event));
  await controller.start();
  const simulator = createSimulator();
  simulator.answer(CMD_START_READING);
  const read = (tags: readonly string[], atMs: number) => {
    clock.advanceTo(atMs);
    const frames = tags.map((tag) => simulator.tagFrame(fromHex(tag), 1, -50) as Uint8Array);
    const chunk = new Uint8Array(frames.reduce((total, frame) => total + frame.length, 0));
    frames.reduce((at, frame) => {
      chunk.set(frame, at);
      return at + frame.length;
    }, 0);
    if (port) port.data(chunk);
    else controller.readers.pipeline('fridge')?.ingest(chunk);
  };
  /** Reads `tags` every second from `fromMs` to `toMs` (both included). */
  const keepReading = (tags: readonly string[], fromMs: number, toMs: number) => {
    for (let at = fromMs; at <= toMs; at += 1000) read(tags, at);
  };
  /** The module's read-cycle heartbeat ("no tags found") every second from `fromMs` to `toMs`. */
  const heartbeats = (fromMs: number, toMs: number) => {
    for (let at = fromMs; at <= toMs; at += 1000) {
      clock.advanceTo(at);
      if (port) port.data(RSP_KEEPALIVE);
      else controller.readers.pipeline('fridge')?.ingest(RSP_KEEPALIVE);
    }
  };
  const summary = () =>
    events.map((event) => {
      const at = Date.parse(event.ts) - t0;
      if (event.type === 'inventory.changed') {
        const stale = event.stale === undefined ? {} : { stale: event.stale };
        const added = event.added.map((item) => item.tag);
        const removed = event.removed.map((item) =>
          item.reason ? `${item.tag} (${item.reason})` : item.tag,
        );
        return [event.type, at, { added, removed, count: event.count, ...stale }];
      }
      return [event.type, at, 'tag' in event ? event.tag : 'state' in event ? event.state : ''];
    });
  return {
    controller,
    clock,
    events,
    read,
    keepReading,
    heartbeats,
    summary,
    inventory: () => controller.service('inventory') as Inventory,
    rows: () =>
      controller.store.db.prepare('SELECT zone, tag FROM inventory_tags ORDER BY zone, tag').all() as Array<{
        zone: string;
        tag: string;
      }>,
  };
}
