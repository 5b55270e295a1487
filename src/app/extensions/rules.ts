import { catalogOf } from '../../domain/catalog/index.js';
import { defaultRules } from '../../domain/rules/defaults.js';
import { RuleEngine } from '../../domain/rules/engine.js';
import type { ProductLookup } from '../../domain/rules/match.js';
import type { ExtensionContext, ExtensionFactory } from '../context.js';

const enginesByContext = new WeakMap<ExtensionContext, RuleEngine>();

/** The rule engine of a running gateway, for its counters (metrics, tests). */
export function rulesOf(context: ExtensionContext): RuleEngine | undefined {
  return enginesByContext.get(context);
}

/** The config's rules and the default ones, on the bus; products from the catalog. */
export const rules: ExtensionFactory = (context) => {
  const { config, bus, clock, logger, readers } = context;
  const all = [...defaultRules(config), ...config.rules];
  if (all.length === 0) return undefined;
  const catalog = catalogOf(context);
  const lookup: ProductLookup = Object.assign(
    (tag: string) => {
      const product = catalog?.productForTag(tag, readers.epcOf(tag));
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
  const engine = new RuleEngine(all, {
    bus,
    clock,
    logger: logger.child({ component: 'rules' }),
    products: lookup,
    ...(context.mqtt ? { publish: context.mqtt.publishNow.bind(context.mqtt) } : {}),
  });
  enginesByContext.set(context, engine);
  return {
    name: 'rules',
    start: () => engine.start(),
    stop: () => engine.stop(),
  };
};
