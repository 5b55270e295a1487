import { EventBus } from '../../../src/app/event-bus.js';
import { configSchema, type GatewayConfigInput } from '../../../src/config/schema.js';
import { CatalogExtension } from '../../../src/domain/catalog/index.js';
import { Engagement } from '../../../src/domain/engagement/extension.js';
import type { EngagementOptions } from '../../../src/domain/engagement/types.js';
import { RequestRegistry } from '../../../src/mqtt/request-registry.js';
import type { RetainedState } from '../../../src/mqtt/service.js';
import { createTopics } from '../../../src/mqtt/topics.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { VirtualClock } from '../../../src/shared/clock.js';
import type { EventBody, GatewayEvent } from '../../../src/shared/events.js';
import type { FeatureContext } from '../../../src/shared/feature.js';
import { sgtin96 } from '../../../src/shared/sgtin.js';
import { Store } from '../../../src/store/index.js';
import { requestRunner } from '../../helpers/run-request.js';

/**
 * An engagement extension on a virtual clock with the catalog, a real bus and store, and an MQTT link
 * that only records retained publishes: for the unit tests, which emit tag and sale events by hand.
 */

/** SGTIN-96 of company prefix 0614141, filter 1, as uppercase hex (the demo fridge's tags). */
export function sgtin(itemReference: number, serial: number): string {
  return sgtin96({ itemReference, serial });
}

/** Products whose GTINs are those of `sgtin(812345, …)` and `sgtin(812347, …)`. */
export const COLA = {
  sku: 'COLA-033',
  gtin: '80614141123458',
  name: 'Cola 0.33 l',
  unitPrice: 250,
  currency: 'EUR',
};
export const JUICE = {
  sku: 'OJ-025',
  gtin: '80614141123472',
  name: 'Orange juice 0.25 l',
  unitPrice: 220,
  currency: 'EUR',
};
export const COLA_REF = { sku: COLA.sku, gtin: COLA.gtin, name: COLA.name };
export const JUICE_REF = { sku: JUICE.sku, gtin: JUICE.gtin, name: JUICE.name };
export const colaTag = (serial: number) => sgtin(812345, serial);
export const juiceTag = (serial: number) => sgtin(812347, serial);
/** No product of the catalog has this GTIN. */
export const strangerTag = (serial: number) => sgtin(812399, serial);

export interface RigOptions {
  startMs: number;
  config?: GatewayConfigInput;
  engagement?: Record<string, unknown>;
  dataDir?: string;
  options?: EngagementOptions;
  mqtt?: boolean;
  /** Runs on the store before the extensions start (to break it, say). */
  beforeStart?: (store: Store) => void;
}

export type Rig = Awaited<ReturnType<typeof engagementRig>>;

export async function engagementRig(rig: RigOptions) {
  const clock = new VirtualClock(rig.startMs);
  const logger = silentLogger();
  const store = Store.open({ dataDir: rig.dataDir ?? ':memory:', clock, logger });
  const config = configSchema.parse({
    zones: [{ id: 'shelf', departAfterMs: 3000 }],
    ...rig.config,
    engagement: { zones: ['shelf'], putBackWithinMs: 60_000, ...rig.engagement },
  });
  const bus = new EventBus({ gateway: config.gatewayId, clock, logger, store });
  const requests = new RequestRegistry();
  const retained: Array<{ topic: string; payload: object }> = [];
  const topics = createTopics('rfid', config.gatewayId);
  const retainedState: RetainedState = {
    publish: (topic, payload) => retained.push({ topic: topics.retained(topic), payload: payload as object }),
  };
  const context: FeatureContext = { config, bus, store, clock, logger, requests };
  const catalog = new CatalogExtension(context);
  const engagement = new Engagement(
    { context, catalog: catalog.catalog, retained: rig.mqtt === false ? undefined : retainedState },
    config.engagement ?? never(),
    rig.options,
  );
  rig.beforeStart?.(store);
  catalog.start();
  engagement.start();
  const events: GatewayEvent[] = [];
  bus.on('test', '*', (event) => events.push(event));

  const request = requestRunner(requests);
  const loaded = await request('catalog/set', { products: [COLA, JUICE] });
  if (!loaded.ok) throw new Error(loaded.error);

  /** Moves the clock to `atMs` (firing timers on the way), then emits the event at that time. */
  const emitAt = (atMs: number, body: EventBody) => {
    clock.advanceTo(atMs);
    bus.emit(body, atMs);
  };
  const tagBody = { reader: 'shelf', antenna: 1, rssi: -50 };
  /** `held`: as the core says it of a tag not read since its reader came back. */
  const departed = (atMs: number, tag: string, zone = 'shelf', reads = 5, held = false) =>
    emitAt(atMs, {
      type: 'tag.departed',
      zone,
      tag,
      ...tagBody,
      reads,
      dwellMs: 1000,
      ...(held ? { held: true as const } : {}),
    });
  const arrived = (atMs: number, tag: string, zone = 'shelf') =>
    emitAt(atMs, { type: 'tag.arrived', zone, tag, ...tagBody, reads: 1 });
  const paid = (atMs: number, tags: string[]) =>
    emitAt(atMs, { type: 'tags.paid', tags, until: new Date(atMs + 600_000).toISOString() });
  const stop = () => {
    engagement.stop();
    catalog.stop();
    store.close();
  };
  const ofType = <T extends GatewayEvent['type']>(type: T) =>
    events.filter((event): event is Extract<GatewayEvent, { type: T }> => event.type === type);

  return {
    ...{ clock, store, bus, config, context, engagement, events, retained, request, emitAt },
    ...{ departed, arrived, paid, stop, ofType },
  };
}

function never(): never {
  throw new Error('the rig always configures engagement');
}
