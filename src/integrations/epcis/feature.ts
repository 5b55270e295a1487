import { defineFeature } from '../../shared/feature.js';
import type { EpcisExtension, EpcisStats } from './extension.js';

/** What the gateway holds of the EPCIS output: its counters (zeros until it has started). */
export interface EpcisService {
  readonly stats: EpcisStats;
}

declare module '../../shared/feature.js' {
  interface Services {
    epcis: EpcisService;
  }
}

const NOTHING_YET: EpcisStats = Object.freeze({
  events: Object.freeze({ sale: 0, exit: 0, entry: 0, cycle_count: 0 }),
  unidentified: 0,
  staleCountsSkipped: 0,
});

/**
 * EPCIS 2.0 output as the config's `epcis` section asks; not built when it is absent or disabled. The
 * mapping to EPCIS events is loaded when the feature starts: a gateway without EPCIS does not load it.
 */
export const epcisFeature = defineFeature({
  name: 'epcis',
  needs: ['tags'],
  uses: ['catalog', 'inventory'],
  provides: ['epcis'],
  build: (input) => {
    const settings = input.config.epcis;
    if (!settings?.enabled) return undefined;
    const { catalog, inventory } = input.uses;
    let extension: EpcisExtension | undefined;
    const epcis: EpcisService = {
      get stats() {
        return extension?.stats ?? NOTHING_YET;
      },
    };
    return {
      async start() {
        const { EpcisExtension } = await import('./extension.js');
        extension = new EpcisExtension(
          { context: input, tags: input.needs.tags, catalog, inventory },
          settings,
        );
        extension.start();
      },
      stop: () => extension?.stop(),
      provides: { epcis },
    };
  },
});
