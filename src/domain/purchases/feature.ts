import { defineFeature } from '../../shared/feature.js';
import { PurchasesExtension } from './extension.js';

/** Unattended purchases, for the cabinets of the config; priced from the catalog when it runs. */
export const purchasesFeature = defineFeature({
  name: 'purchases',
  needs: ['tags'],
  uses: ['catalog', 'devices'],
  provides: ['purchases'],
  build: ({ config, store, bus, clock, logger, requests, needs: { tags }, uses: { catalog, devices } }) => {
    if (config.cabinets.length === 0) return undefined;
    const purchases = new PurchasesExtension({
      gatewayId: config.gatewayId,
      cabinets: config.cabinets,
      privacy: config.privacy,
      customers: config.customers,
      readers: config.readers,
      store,
      bus,
      clock,
      logger,
      requests,
      observeReads: (zone, listener) => tags.observeReads(zone, listener),
      observeSamples: (device, listener) => tags.observeSamples(device, listener),
      ...(devices
        ? {
            canSearch: (reader: string) => devices.canSearch(reader),
            search: (reader: string, wanted: readonly string[], options: { readPowerDbm?: number }) =>
              devices.search(reader, wanted, options),
          }
        : {}),
      itemFor: (tag) => {
        const epc = tags.epcOf(tag);
        return catalog
          ? catalog.itemFor(tag, epc)
          : { tag, ...(epc ? { uri: epc.uri, gtin: epc.gtin } : {}) };
      },
    });
    return { start: () => purchases.start(), stop: () => purchases.stop(), provides: { purchases } };
  },
});
