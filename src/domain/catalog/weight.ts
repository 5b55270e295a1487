import type { Checked } from './gtin.js';

/**
 * A product's unit weight and its tolerance, in grams to 0.1 g: finer than a shelf's load cell
 * resolves, coarse enough that a CSV value reads back the same.
 */

export const MAX_UNIT_WEIGHT_G = 100_000;
export const MAX_WEIGHT_TOLERANCE_G = 10_000;

export const MAX_MIN_STOCK = 100_000;

/** `minStock`: a whole number of units, 0 to 100000. */
export function checkMinStock(value: unknown): Checked<number> {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    return { ok: false, problem: 'must be a whole number of units, 0 or more' };
  }
  if (value > MAX_MIN_STOCK) return { ok: false, problem: `at most ${MAX_MIN_STOCK}` };
  return { ok: true, value };
}

/** A CSV cell of whole units: digits only. */
export function parseUnits(text: string): Checked<number> {
  return checkMinStock(/^[0-9]{1,9}$/.test(text) ? Number(text) : Number.NaN);
}

/** A decimal as a spreadsheet writes it, point only: `350`, `350.5`, `0.5`. */
const DECIMAL = /^[0-9]{1,9}(?:\.[0-9]+)?$/;

/** `unitWeightG`: a positive number of grams, at most 100 kg, at most one decimal. */
export function checkUnitWeight(value: unknown): Checked<number> {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    return { ok: false, problem: 'must be a positive number of grams' };
  }
  if (value > MAX_UNIT_WEIGHT_G) return { ok: false, problem: `at most ${MAX_UNIT_WEIGHT_G} g` };
  return tenths(value);
}

/** `weightToleranceG`: grams, 0 or more, at most 10 kg, at most one decimal. */
export function checkWeightTolerance(value: unknown): Checked<number> {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    return { ok: false, problem: 'must be a number of grams, 0 or more' };
  }
  if (value > MAX_WEIGHT_TOLERANCE_G) return { ok: false, problem: `at most ${MAX_WEIGHT_TOLERANCE_G} g` };
  return tenths(value);
}

/** A CSV cell through `check`; a decimal comma is named, since spreadsheets in many locales write one. */
export function parseGrams(text: string, check: (value: unknown) => Checked<number>): Checked<number> {
  if (!DECIMAL.test(text)) {
    const checked = check(Number.NaN);
    if (checked.ok) return checked;
    const hint = /^[0-9]+,[0-9]+$/.test(text) ? '; write decimals with a point (12.5)' : '';
    return { ok: false, problem: `${checked.problem}${hint}` };
  }
  return check(Number(text));
}

function tenths(value: number): Checked<number> {
  const rounded = Math.round(value * 10) / 10;
  // Float noise (0.1 + 0.2) is not a second decimal; 12.34 is.
  if (Math.abs(rounded - value) > 1e-9) return { ok: false, problem: 'at most one decimal (0.1 g)' };
  return { ok: true, value: rounded };
}
