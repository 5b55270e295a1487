import type { ExtensionFactory } from '../context.js';
import { allZones } from '../engine-config.js';
import { RetainedStateSink } from '../retained-state.js';

/** `readers/<id>` and `inventory/<zone>`, retained, kept current from the bus. */
export const retainedState: ExtensionFactory = ({ mqtt, bus, readers, clock, config }) => {
  if (!mqtt) return undefined;
  const sink = new RetainedStateSink(
    readers.engine,
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
