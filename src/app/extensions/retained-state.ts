import { cardReaderIds, stockZoneIds } from '../../config/zones.js';
import { defineFeature } from '../../shared/feature.js';
import { RetainedStateSink } from '../retained-state.js';

/**
 * `readers/<id>` and `inventory/<zone>` (the inventory's snapshot), retained, kept current from the
 * bus. The zones published at start are those worth showing (no fallback zone a reader's mapped
 * antennas never reach); any other zone is published when its inventory changes.
 */
export const retainedStateFeature = defineFeature({
  name: 'retained-state',
  needs: ['retained', 'tags'],
  uses: ['inventory'],
  build: ({ bus, clock, config, needs: { retained, tags }, uses: { inventory } }) => {
    const sink = new RetainedStateSink(
      (zone) =>
        inventory?.snapshot(zone) ?? {
          zone,
          ts: new Date(clock.now()).toISOString(),
          count: 0,
          products: [],
          tags: [],
        },
      tags,
      retained,
      clock,
    );
    let unsubscribe: (() => void) | undefined;
    return {
      name: 'retained-state',
      start() {
        unsubscribe = bus.on('retained-state', '*', (event) => sink.write(event));
        sink.publishAll(stockZoneIds(config, cardReaderIds(config)));
      },
      async stop() {
        unsubscribe?.();
        await sink.close();
      },
    };
  },
});
