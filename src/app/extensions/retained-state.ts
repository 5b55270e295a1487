import { inventoryOf } from '../../domain/inventory/index.js';
import type { ExtensionFactory } from '../context.js';
import { allZones } from '../engine-config.js';
import { RetainedStateSink } from '../retained-state.js';

/** `readers/<id>` and `inventory/<zone>` (the inventory's snapshot), retained, kept current from the bus. */
export const retainedState: ExtensionFactory = (context) => {
  const { mqtt, bus, readers, clock, config } = context;
  if (!mqtt) return undefined;
  const inventory = inventoryOf(context);
  const sink = new RetainedStateSink(
    (zone) => inventory?.snapshot(zone) ?? { zone, ts: new Date(clock.now()).toISOString(), count: 0 },
    () => readers.devices,
    mqtt.topics,
    (topic, payload) => mqtt.retain(topic, payload),
    clock,
  );
  let unsubscribe: (() => void) | undefined;
  return {
    name: 'retained-state',
    start() {
      unsubscribe = bus.on('retained-state', '*', (event) => sink.write(event));
      sink.publishAll(allZones(config).map((zone) => zone.id));
    },
    async stop() {
      unsubscribe?.();
      await sink.close();
    },
  };
};
