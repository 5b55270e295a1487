import { gs1CheckDigit } from '../domain/catalog/gtin.js';
import type { Product } from '../shared/commerce.js';
import { sgtin96 as encodeSgtin96 } from '../shared/sgtin.js';
import { integer, type Random } from './random.js';

/**
 * Identifiers a real fridge would see: SGTIN-96 EPCs (GS1 EPC Tag Data Standard) for the items,
 * EM4100 IDs for the customers' cards. The example company prefix of the GS1 standards, 0614141
 * (7 digits, so partition 5 and a 6-digit item reference), decodes like a real retail tag.
 */

export const COMPANY_PREFIX = '0614141';
/** The 24 hex digits of an SGTIN-96 for a 6-digit item reference (indicator digit first) and a serial. */
export function sgtin96(itemReference: number, serial: number, companyPrefix = COMPANY_PREFIX): string {
  return encodeSgtin96({ companyPrefix, itemReference, serial });
}

/** The GTIN-14 an SGTIN carries: indicator digit, company prefix, rest of the item reference, check digit. */
export function gtinOf(itemReference: number, companyPrefix = COMPANY_PREFIX): string {
  const reference = String(itemReference).padStart(6, '0');
  const body = `${reference.slice(0, 1)}${companyPrefix}${reference.slice(1)}`;
  return `${body}${gs1CheckDigit(body)}`;
}

/** Name, category, price in cents, nominal unit weight and its spread in grams (a unit's deviation). */
const PRODUCT_NAMES = [
  ['Still water 0.5 l', 'drinks', 150, 520, 8],
  ['Sparkling water 0.5 l', 'drinks', 160, 530, 8],
  ['Orange juice 0.33 l', 'drinks', 290, 365, 6],
  ['Cola 0.33 l', 'drinks', 220, 350, 5],
  ['Iced coffee 0.25 l', 'drinks', 260, 280, 6],
  ['Ham sandwich', 'food', 450, 180, 12],
  ['Cheese sandwich', 'food', 420, 165, 12],
  ['Greek salad', 'food', 590, 320, 15],
  ['Yoghurt with berries', 'food', 230, 155, 6],
  ['Fruit cup', 'food', 350, 250, 10],
  ['Pasta salad', 'food', 520, 300, 15],
  ['Chocolate pudding', 'food', 190, 120, 5],
] as const;

export interface ScenarioProduct extends Product {
  unitWeightG: number;
  weightToleranceG: number;
  /** The SGTIN item reference of this product's tags. */
  itemReference: number;
  gtin: string;
}

/** `count` products (at most 12 distinct names; more repeat a name with a number). */
export function scenarioProducts(count: number, currency = 'EUR'): ScenarioProduct[] {
  const products: ScenarioProduct[] = [];
  for (let index = 0; index < count; index++) {
    const [name, category, price, grams, spread] =
      PRODUCT_NAMES[index % PRODUCT_NAMES.length] ?? PRODUCT_NAMES[0];
    const itemReference = 812_345 + index;
    const round = Math.floor(index / PRODUCT_NAMES.length);
    products.push({
      sku: `FRIDGE-${String(index + 1).padStart(3, '0')}`,
      gtin: gtinOf(itemReference),
      itemReference,
      name: round === 0 ? name : `${name} (${round + 1})`,
      unitPrice: price,
      currency,
      category,
      unitWeightG: grams,
      weightToleranceG: spread,
    });
  }
  return products;
}

/** A card's 5-byte EM4100 ID as 10 uppercase hex digits; the first byte is the maker's code. */
export function em4100Card(random: Random): string {
  let hex = '';
  for (let index = 0; index < 5; index++)
    hex += integer(random, index === 0 ? 1 : 0, 255)
      .toString(16)
      .padStart(2, '0');
  return hex.toUpperCase();
}

/** A 96-bit EPC of some other company's tag (a shopping bag, a passer-by's garment): a stray. */
export function strayEpc(random: Random): string {
  let hex = 'E280';
  while (hex.length < 24) hex += integer(random, 0, 255).toString(16).padStart(2, '0');
  return hex.toUpperCase();
}
