import type { Product } from '../../shared/commerce.js';
import { describeValue } from '../../shared/issue-messages.js';
import {
  checkCategory,
  checkName,
  checkSku,
  checkTagPattern,
  findDuplicates,
  needsUnitWeight,
  type TagMapping,
} from './fields.js';
import { type Checked, normaliseGtin } from './gtin.js';
import { checkCurrency, checkMinorUnits } from './money.js';
import { checkMinStock, checkUnitWeight, checkWeightTolerance } from './weight.js';

/**
 * Why a batch cannot be written, with the entry it is about (`products[index]`, `mappings[index]`,
 * or `remove[index]`, whose `field` is empty).
 */
export interface CatalogConflict {
  kind: 'product' | 'mapping' | 'remove';
  index: number;
  field: string;
  value: unknown;
  message: string;
  /** For duplicates within the batch: the earlier entry of the same kind. */
  firstIndex?: number;
}

export class CatalogError extends Error {
  constructor(readonly conflicts: CatalogConflict[]) {
    super(conflicts.map((conflict) => describeConflict(conflict)).join('; '));
    this.name = 'CatalogError';
  }
}

/** `products[2].gtin: already the GTIN of SKU "A1" (got "04006381333931")`; `base` prefixes the path. */
export function describeConflict(conflict: CatalogConflict, base = ''): string {
  const list = { product: 'products', mapping: 'mappings', remove: 'remove' }[conflict.kind];
  const field = conflict.field === '' ? '' : `.${conflict.field}`;
  return `${base}${list}[${conflict.index}]${field}: ${conflict.message} (got ${describeValue(conflict.value)})`;
}

/** Callers of the API may pass a GTIN-13 or a lower-case currency; stored keys are canonical. */
export function normaliseProduct(product: Product): Product {
  const gtin = typeof product.gtin === 'string' ? normaliseGtin(product.gtin) : undefined;
  const currency = typeof product.currency === 'string' ? checkCurrency(product.currency) : undefined;
  const weight = product.unitWeightG === undefined ? undefined : checkUnitWeight(product.unitWeightG);
  const tolerance =
    product.weightToleranceG === undefined ? undefined : checkWeightTolerance(product.weightToleranceG);
  return {
    ...product,
    ...(gtin?.ok ? { gtin: gtin.value } : {}),
    ...(currency?.ok ? { currency: currency.value } : {}),
    // To 0.1 g exactly, so that 0.1 + 0.2 stores and compares as 0.3.
    ...(weight?.ok ? { unitWeightG: weight.value } : {}),
    ...(tolerance?.ok ? { weightToleranceG: tolerance.value } : {}),
  };
}

export function normaliseMapping(mapping: TagMapping): TagMapping {
  const tag = typeof mapping.tag === 'string' ? checkTagPattern(mapping.tag) : undefined;
  return tag?.ok ? { tag: tag.value, sku: mapping.sku } : mapping;
}

/** The problem with a field, if any; the API's types are not trusted, since JSON feeds them. */
function problemOf(value: unknown, check: (text: string) => Checked<unknown>): string | undefined {
  if (typeof value !== 'string') return 'expected a string';
  const result = check(value);
  return result.ok ? undefined : result.problem;
}

/** Field rules and in-batch duplicates of a normalised batch, whatever way it arrived. */
export function validateBatch(
  products: readonly Product[],
  mappings: readonly TagMapping[],
): CatalogConflict[] {
  const conflicts: CatalogConflict[] = [];
  const note = (
    kind: CatalogConflict['kind'],
    index: number,
    field: string,
    value: unknown,
    message?: string,
  ) => {
    if (message !== undefined) conflicts.push({ kind, index, field, value, message });
  };
  products.forEach((product, index) => {
    note('product', index, 'sku', product.sku, problemOf(product.sku, checkSku));
    note('product', index, 'name', product.name, problemOf(product.name, checkName));
    note('product', index, 'currency', product.currency, problemOf(product.currency, checkCurrency));
    const price = checkMinorUnits(product.unitPrice);
    note('product', index, 'unitPrice', product.unitPrice, price.ok ? undefined : price.problem);
    if (product.gtin !== undefined) {
      note('product', index, 'gtin', product.gtin, problemOf(product.gtin, normaliseGtin));
    }
    if (product.category !== undefined) {
      note('product', index, 'category', product.category, problemOf(product.category, checkCategory));
    }
    if (product.unitWeightG !== undefined) {
      const weight = checkUnitWeight(product.unitWeightG);
      note('product', index, 'unitWeightG', product.unitWeightG, weight.ok ? undefined : weight.problem);
    }
    if (product.weightToleranceG !== undefined) {
      const tolerance = checkWeightTolerance(product.weightToleranceG);
      const problem = tolerance.ok
        ? product.unitWeightG === undefined
          ? needsUnitWeight('unitWeightG')
          : undefined
        : tolerance.problem;
      note('product', index, 'weightToleranceG', product.weightToleranceG, problem);
    }
    if (product.minStock !== undefined) {
      const minStock = checkMinStock(product.minStock);
      note('product', index, 'minStock', product.minStock, minStock.ok ? undefined : minStock.problem);
    }
  });
  mappings.forEach((mapping, index) => {
    note('mapping', index, 'tag', mapping.tag, problemOf(mapping.tag, checkTagPattern));
    note('mapping', index, 'sku', mapping.sku, problemOf(mapping.sku, checkSku));
  });
  if (conflicts.length > 0) return conflicts;
  for (const duplicate of findDuplicates(products, mappings)) {
    const list = duplicate.kind === 'product' ? 'products' : 'mappings';
    conflicts.push({
      kind: duplicate.kind,
      index: duplicate.index,
      field: duplicate.field,
      value: duplicate.value,
      message: `duplicate of ${list}[${duplicate.firstIndex}]`,
      firstIndex: duplicate.firstIndex,
    });
  }
  return conflicts;
}
