/**
 * A gateway with one shelf reader on a virtual clock, fed ThingMagic frames of the simulator, as
 * test/engagement/harness.ts drives one: for the EPCIS extension's door-less features (cycle counts,
 * sales emitted on its bus), with every event collected.
 */
import { Controller } from '../../src/app/controller.js';
import { configSchema, type GatewayConfig, type GatewayConfigInput } from '../../src/config/schema.js';
import { silentLogger } from '../../src/observability/logger.js';
import { thingmagicDriver } from '../../src/protocols/thingmagic/index.js';
import { VirtualClock } from '../../src/shared/clock.js';
import type { Product } from '../../src/shared/commerce.js';
import type { EpcisObjectEventJson, GatewayEvent } from '../../src/shared/events.js';
import type { AnyFeature } from '../../src/shared/feature.js';
import { sgtin } from '../exit-monitor/door-capture.js';
import { requester } from '../exit-monitor/replay.js';
import { tap } from '../helpers/features.js';

export const SHELF_SGLN = 'urn:epc:id:sgln:0614141.00777.5';

/** Two SGTIN-96 items of company prefix 0614141 (URIs written by hand from the TDS). */
export const COLA_11 = sgtin(812345, 11);
export const COLA_11_URI = 'urn:epc:id:sgtin:0614141.812345.11';
export const WATER_12 = sgtin(812346, 12);
export const WATER_12_URI = 'urn:epc:id:sgtin:0614141.812346.12';
/** Not GS1-encoded (header 0xE2), but mapped in the catalog to a product with a GTIN. */
export const GUM_TAG = 'E280117000000208AB12CD35';
export const GUM_CLASS = 'https://id.gs1.org/01/04012345000016';
/** Not GS1-encoded and in no catalog: EPCIS cannot name it. */
export const STRANGER = 'E280117000000208AB12CD36';

const GUM: Product = {
  sku: 'GUM',
  gtin: '04012345000016',
  name: 'Chewing gum',
  unitPrice: 120,
  currency: 'EUR',
};

export function shelfConfig(extra: Partial<GatewayConfigInput> = {}): GatewayConfig {
  return configSchema.parse({
    gatewayId: 'shelf-gw',
    readers: [{ id: 'shelf', driver: 'thingmagic', port: '/dev/null', zone: 'shelf' }],
    zones: [{ id: 'shelf', departAfterMs: 3000 }],
    epcis: { countZones: ['shelf'], cycleCountIntervalMs: 60_000, locations: { shelf: SHELF_SGLN } },
    ...extra,
  });
}

export interface ShelfGateway {
  controller: Controller;
  clock: VirtualClock;
  events: GatewayEvent[];
  /** One inventory round: each tag read once on antenna 1; none, the module's read-cycle heartbeat. */
  read(tags: readonly string[]): void;
  /** A round every 200 ms from now until `untilIso` (excluded), then the clock at `untilIso`. */
  readUntil(tags: readonly string[], untilIso: string): void;
  at(iso: string): void;
  epcis(): Array<Extract<GatewayEvent, { type: 'epcis.event' }>>;
  /** The ObjectEvents of the `epcis.event`s so far. */
  objectEvents(): EpcisObjectEventJson[];
}

export async function startShelf(options: {
  config: GatewayConfig;
  startIso: string;
  mode?: 'run' | 'replay';
  dataDir?: string;
  features?: readonly AnyFeature[];
  /** Load the catalog (GUM, mapped from GUM_TAG). Default true. */
  catalog?: boolean;
}): Promise<ShelfGateway> {
  const clock = new VirtualClock(Date.parse(options.startIso));
  const events: GatewayEvent[] = [];
  const controller = Controller.create(options.config, {
    mode: options.mode ?? 'replay',
    clock,
    logger: silentLogger(),
    dataDir: options.dataDir ?? ':memory:',
    mqtt: undefined,
    drainMs: 0,
    extraFeatures: [
      ...(options.features ?? []),
      tap('test-events', ({ bus }) => bus.on('test', '*', (event) => events.push(event))),
    ],
  });
  await controller.start();
  if (options.catalog ?? true) {
    const answer = await requester(controller, clock)('catalog/set', {
      products: [GUM],
      mappings: [{ tag: GUM_TAG, sku: 'GUM' }],
    });
    if (answer.status !== 'ok') throw new Error(`catalog/set: ${JSON.stringify(answer)}`);
  }
  const simulator = thingmagicDriver.createSimulator();
  for (const step of thingmagicDriver.startup({})) simulator.answer(step.bytes);
  const read = (tags: readonly string[]) => {
    const heartbeat = tags.length === 0 ? simulator.heartbeatFrame?.() : undefined;
    const frames = tags.map((tag) => {
      const frame = simulator.tagFrame(Buffer.from(tag, 'hex'), 1, -55);
      if (!frame) throw new Error('the simulated reader is not reading');
      return frame;
    });
    const pipeline = controller.readers.pipeline('shelf');
    if (!pipeline) throw new Error('no shelf reader');
    pipeline.ingest(heartbeat ?? Buffer.concat(frames));
  };
  const epcisEvents = () =>
    events.filter(
      (event): event is Extract<GatewayEvent, { type: 'epcis.event' }> => event.type === 'epcis.event',
    );
  return {
    controller,
    clock,
    events,
    read,
    readUntil(tags, untilIso) {
      const until = Date.parse(untilIso);
      while (clock.now() < until) {
        read(tags);
        clock.advanceTo(Math.min(until, clock.now() + 200));
      }
    },
    at(iso) {
      clock.advanceTo(Date.parse(iso));
    },
    epcis: epcisEvents,
    objectEvents: () => epcisEvents().flatMap((event) => event.document.epcisBody.eventList),
  };
}

export const EVENT_ID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
