import type { Product } from '../../shared/commerce.js';
import { type Checked, normaliseGtin } from './gtin.js';
import { checkCurrency, checkMinorUnits } from './money.js';
import { checkMinStock, checkUnitWeight, checkWeightTolerance } from './weight.js';

/**
 * Field rules shared by the CSV import and the `catalog/set` request, so that a product is valid or
 * not whichever way it arrives. Callers add the location (`catalog.csv:7` or `products[2]`).
 */

/** A tag that is not GS1-encoded, or a family of them, and the product it is. */
export interface TagMapping {
  /** Upper-case hex: the exact EPC/UID (`E2003412AB`), or a prefix ending in `*` (`E20034*`). */
  tag: string;
  sku: string;
}

export interface FieldProblem {
  field: string;
  message: string;
  value: unknown;
}

const MAX_SKU = 64;
const MAX_NAME = 200;
const MAX_CATEGORY = 100;
/** Gen2 EPC memory holds at most 62 bytes (31 words). */
const MAX_TAG_HEX = 124;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

function text(label: string, max: number): (value: string) => Checked<string> {
  return (value) => {
    if (value.length === 0) return { ok: false, problem: 'must not be empty' };
    if (value.length > max) return { ok: false, problem: `at most ${max} characters` };
    if (CONTROL.test(value)) return { ok: false, problem: `${label} must not contain control characters` };
    if (value !== value.trim()) return { ok: false, problem: 'must not start or end with spaces' };
    return { ok: true, value };
  };
}

export const checkSku = text('a SKU', MAX_SKU);
export const checkName = text('a name', MAX_NAME);
export const checkCategory = text('a category', MAX_CATEGORY);

/** `E2003412AB` (an exact identifier: whole bytes) or `E20034*` (a prefix: any number of hex digits). */
export function checkTagPattern(value: string): Checked<string> {
  const prefix = value.endsWith('*');
  const hex = prefix ? value.slice(0, -1) : value;
  if (!/^[0-9A-Fa-f]+$/.test(hex)) {
    return {
      ok: false,
      problem: prefix
        ? 'expected hex digits before the *'
        : 'expected hex digits, or a hex prefix ending in *',
    };
  }
  if (hex.length > MAX_TAG_HEX) return { ok: false, problem: `at most ${MAX_TAG_HEX} hex digits` };
  if (!prefix && hex.length % 2 !== 0) {
    return {
      ok: false,
      problem: 'an exact tag has whole bytes (an even number of hex digits); end a prefix with *',
    };
  }
  return { ok: true, value: `${hex.toUpperCase()}${prefix ? '*' : ''}` };
}

const PRODUCT_FIELDS = new Set([
  'sku',
  'gtin',
  'name',
  'unitPrice',
  'currency',
  'category',
  'unitWeightG',
  'weightToleranceG',
  'minStock',
]);

/**
 * A product from JSON (`catalog/set`): the same rules as a CSV row, priced in integer minor units.
 * Every problem is collected, not just the first.
 */
export function productFromJson(input: unknown, problems: FieldProblem[]): Product | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    problems.push({
      field: '',
      message: 'expected an object with sku, name, unitPrice, currency',
      value: input,
    });
    return undefined;
  }
  const record = input as Record<string, unknown>;
  const before = problems.length;
  for (const [key, value] of Object.entries(record)) {
    if (PRODUCT_FIELDS.has(key)) continue;
    const hint = key === 'price' ? '; prices are integer minor units in unitPrice' : '';
    problems.push({ field: key, message: `unknown field${hint}`, value });
  }
  const required = (field: string, check: (value: string) => Checked<string>): string | undefined => {
    const value = record[field];
    if (typeof value !== 'string') {
      problems.push({ field, message: value === undefined ? 'required' : 'expected a string', value });
      return undefined;
    }
    const checked = check(value);
    if (!checked.ok) problems.push({ field, message: checked.problem, value });
    return checked.ok ? checked.value : undefined;
  };
  const optional = (field: string, check: (value: string) => Checked<string>): string | undefined =>
    record[field] === undefined || record[field] === null ? undefined : required(field, check);

  const sku = required('sku', checkSku);
  const name = required('name', checkName);
  const currency = required('currency', checkCurrency);
  const gtin = optional('gtin', normaliseGtin);
  const category = optional('category', checkCategory);
  const price = checkMinorUnits(record.unitPrice);
  if (!price.ok) problems.push({ field: 'unitPrice', message: price.problem, value: record.unitPrice });
  const numeric = (field: string, check: (value: unknown) => Checked<number>): number | undefined => {
    const value = record[field];
    if (value === undefined || value === null) return undefined;
    const checked = check(value);
    if (!checked.ok) problems.push({ field, message: checked.problem, value });
    return checked.ok ? checked.value : undefined;
  };
  const unitWeightG = numeric('unitWeightG', checkUnitWeight);
  const weightToleranceG = numeric('weightToleranceG', checkWeightTolerance);
  const minStock = numeric('minStock', checkMinStock);
  if (weightToleranceG !== undefined && (record.unitWeightG ?? null) === null) {
    problems.push({
      field: 'weightToleranceG',
      message: needsUnitWeight('unitWeightG'),
      value: weightToleranceG,
    });
  }
  if (problems.length > before) return undefined;
  return makeProduct({
    sku: sku as string,
    name: name as string,
    unitPrice: price.ok ? price.value : 0,
    currency: currency as string,
    gtin,
    category,
    unitWeightG,
    weightToleranceG,
    minStock,
  });
}

/** A tolerance says how far a unit may be off its weight: without the weight it means nothing. */
export function needsUnitWeight(weightField: string): string {
  return `needs a unit weight (${weightField})`;
}

/** A mapping from JSON: `{ "tag": "E20034*", "sku": "A1" }`. */
export function mappingFromJson(input: unknown, problems: FieldProblem[]): TagMapping | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    problems.push({ field: '', message: 'expected an object with tag and sku', value: input });
    return undefined;
  }
  const record = input as Record<string, unknown>;
  const before = problems.length;
  for (const [key, value] of Object.entries(record)) {
    if (key !== 'tag' && key !== 'sku') problems.push({ field: key, message: 'unknown field', value });
  }
  const tag = typeof record.tag === 'string' ? checkTagPattern(record.tag) : undefined;
  if (tag === undefined) problems.push({ field: 'tag', message: 'expected a string', value: record.tag });
  else if (!tag.ok) problems.push({ field: 'tag', message: tag.problem, value: record.tag });
  const sku = typeof record.sku === 'string' ? checkSku(record.sku) : undefined;
  if (sku === undefined) problems.push({ field: 'sku', message: 'expected a string', value: record.sku });
  else if (!sku.ok) problems.push({ field: 'sku', message: sku.problem, value: record.sku });
  if (problems.length > before || !tag?.ok || !sku?.ok) return undefined;
  return { tag: tag.value, sku: sku.value };
}

/** A Product without `undefined`-valued keys, so that equal products compare and serialise equal. */
export function makeProduct(fields: {
  sku: string;
  name: string;
  unitPrice: number;
  currency: string;
  gtin?: string | undefined;
  category?: string | undefined;
  unitWeightG?: number | undefined;
  weightToleranceG?: number | undefined;
  minStock?: number | undefined;
}): Product {
  return {
    sku: fields.sku,
    ...(fields.gtin === undefined ? {} : { gtin: fields.gtin }),
    name: fields.name,
    unitPrice: fields.unitPrice,
    currency: fields.currency,
    ...(fields.category === undefined ? {} : { category: fields.category }),
    ...(fields.unitWeightG === undefined ? {} : { unitWeightG: fields.unitWeightG }),
    ...(fields.weightToleranceG === undefined ? {} : { weightToleranceG: fields.weightToleranceG }),
    ...(fields.minStock === undefined ? {} : { minStock: fields.minStock }),
  };
}

export interface Duplicate {
  kind: 'product' | 'mapping';
  index: number;
  /** The earlier entry of the same kind with the same value. */
  firstIndex: number;
  field: 'sku' | 'gtin' | 'tag';
  value: string;
}

/** SKUs, GTINs and tags that appear twice in one batch: ambiguous, so refused rather than last-wins. */
export function findDuplicates(products: readonly Product[], mappings: readonly TagMapping[]): Duplicate[] {
  const found: Duplicate[] = [];
  const check = (kind: Duplicate['kind'], field: Duplicate['field'], values: (string | undefined)[]) => {
    const seen = new Map<string, number>();
    values.forEach((value, index) => {
      if (value === undefined) return;
      const firstIndex = seen.get(value);
      if (firstIndex === undefined) seen.set(value, index);
      else found.push({ kind, index, firstIndex, field, value });
    });
  };
  check(
    'product',
    'sku',
    products.map((product) => product.sku),
  );
  check(
    'product',
    'gtin',
    products.map((product) => product.gtin),
  );
  check(
    'mapping',
    'tag',
    mappings.map((mapping) => mapping.tag),
  );
  return found;
}
