import { defineFeature } from '../../shared/feature.js';
import { defaultRules } from './defaults.js';
import { RuleEngine } from './engine.js';
import type { ProductLookup } from './match.js';

declare module '../../shared/feature.js' {
  interface Services {
    /** The rule engine's counters. */
    rules: Pick<RuleEngine, 'stats'>;
  }
}

/** The config's rules and the default ones, on the bus; products from the catalog when it runs. */
export const rulesFeature = defineFeature({
  name: 'rules',
  needs: ['tags'],
  uses: ['catalog'],
  provides: ['rules'],
  build: ({ config, bus, clock, logger, needs: { tags }, uses: { catalog } }) => {
    const all = [...defaultRules(config), ...config.rules];
    if (all.length === 0) return undefined;
    const lookup: ProductLookup = Object.assign(
      (tag: string) => {
        const product = catalog?.productForTag(tag, tags.epcOf(tag));
        return product
          ? {
              sku: product.sku,
              name: product.name,
              ...(product.gtin === undefined ? {} : { gtin: product.gtin }),
              ...(product.category === undefined ? {} : { category: product.category }),
            }
          : undefined;
      },
      { bySku: (sku: string) => catalog?.get(sku) },
    );
    const rules = new RuleEngine(all, {
      bus,
      clock,
      logger: logger.child({ component: 'rules' }),
      products: lookup,
    });
    return { start: () => rules.start(), stop: () => rules.stop(), provides: { rules } };
  },
});
