import type { Logger } from '../../observability/logger.js';
import type { TaggedItem } from '../../shared/commerce.js';
import type { EpcInfo } from '../../shared/events.js';

/** What a tag is: `Catalog.itemFor` when there is a catalog. */
export type ItemLookup = (tag: string, epc: EpcInfo | undefined) => TaggedItem;

/** Without a catalog: the tag and what its EPC says (pure-identity URI, GTIN). */
export const epcItem: ItemLookup = (tag, epc) => {
  const item: TaggedItem = { tag };
  if (epc?.uri !== undefined) item.uri = epc.uri;
  if (epc?.gtin !== undefined) item.gtin = epc.gtin;
  return item;
};

/**
 * A lookup that cannot lose an inventory change: if the catalog throws, the item is the EPC's, and
 * the failure is logged once per tag run (a broken catalog must not flood the log per arrival).
 */
export function guardedLookup(lookup: ItemLookup, logger: Logger): ItemLookup {
  if (lookup === epcItem) return lookup;
  let failures = 0;
  return (tag, epc) => {
    try {
      return lookup(tag, epc);
    } catch (error) {
      failures += 1;
      if (failures === 1 || failures % 1000 === 0) {
        logger.error(
          { err: error, tag, failures },
          'product lookup failed; the tag is reported without product',
        );
      }
      return epcItem(tag, epc);
    }
  };
}
