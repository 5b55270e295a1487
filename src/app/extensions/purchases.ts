import { catalogOf } from '../../domain/catalog/index.js';
import { PurchasesExtension } from '../../domain/purchases/extension.js';
import type { ExtensionFactory } from '../context.js';

/** Unattended purchases, for the cabinets of the config; priced from the catalog. */
export const purchases: ExtensionFactory = (context) => {
  const { config, store, bus, clock, logger, requests, readers } = context;
  if (config.cabinets.length === 0) return undefined;
  const catalog = catalogOf(context);
  return new PurchasesExtension({
    cabinets: config.cabinets,
    privacy: config.privacy,
    customers: config.customers,
    readers: config.readers,
    store,
    bus,
    clock,
    logger,
    requests,
    observeReads: (zone, listener) => readers.observeReads(zone, listener),
    itemFor: (tag) => {
      const epc = readers.epcOf(tag);
      return catalog ? catalog.itemFor(tag, epc) : { tag, ...(epc ? { uri: epc.uri, gtin: epc.gtin } : {}) };
    },
  });
};
