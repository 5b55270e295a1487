import { CURRENCY_EXPONENTS, currencyExponent } from '../../shared/currency-exponents.js';
import { nonFiniteProblem } from '../../shared/issue-messages.js';
import type { Checked } from './gtin.js';

export { CURRENCY_EXPONENTS, currencyExponent };

/** An ISO 4217 code from the table, upper-cased (`eur` is unambiguous, so it is accepted as EUR). */
export function checkCurrency(input: string): Checked<string> {
  const code = input.toUpperCase();
  if (!/^[A-Z]{3}$/.test(code))
    return { ok: false, problem: 'expected a three-letter ISO 4217 code like EUR' };
  if (!CURRENCY_EXPONENTS.has(code)) return { ok: false, problem: 'not a current ISO 4217 currency code' };
  return { ok: true, value: code };
}

const DECIMAL = /^([0-9]+)(?:\.([0-9]+))?$/;

/**
 * A price in major units ("4.50") as an integer of minor units (450), by string arithmetic: a float
 * would turn 4.35 EUR into 434.99999999999994 cents. At most as many decimals as the currency has, so
 * that "4.505" EUR is refused rather than rounded to a price nobody wrote.
 */
export function parsePrice(text: string, currency: string): Checked<number> {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) return { ok: false, problem: `unknown currency ${currency}` };
  const match = DECIMAL.exec(text);
  // A refund or a discount is not a price: say so rather than call "-1.50" no number.
  if (!match && text.startsWith('-') && DECIMAL.test(text.slice(1))) {
    return { ok: false, problem: 'must not be negative' };
  }
  if (!match) {
    const hint = /^[0-9]+,[0-9]+$/.test(text) ? ' (use a dot as the decimal separator)' : '';
    return { ok: false, problem: `expected a decimal number like ${example(exponent)}${hint}` };
  }
  const whole = match[1] as string;
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) {
    return {
      ok: false,
      problem:
        exponent === 0
          ? `${currency} has no minor unit: expected a whole number`
          : `${currency} has ${exponent} decimal places, this has ${fraction.length}`,
    };
  }
  const digits = (whole + fraction.padEnd(exponent, '0')).replace(/^0+(?=[0-9])/, '');
  const minor = digits.length > 16 ? Number.POSITIVE_INFINITY : Number(digits);
  if (!Number.isSafeInteger(minor)) return { ok: false, problem: 'too large' };
  return { ok: true, value: minor };
}

/** Minor units back to the major-unit text `parsePrice` reads (450 EUR → "4.50", 450 JPY → "450"). */
export function formatPrice(minor: number, currency: string): string {
  const exponent = currencyExponent(currency) ?? 2;
  if (exponent === 0) return String(minor);
  const digits = String(minor).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** An amount of minor units as JSON carries it: a non-negative safe integer. */
export function checkMinorUnits(value: unknown): Checked<number> {
  if (typeof value === 'number' && !Number.isFinite(value))
    return { ok: false, problem: nonFiniteProblem(value) };
  if (typeof value === 'number' && value < 0) return { ok: false, problem: 'must not be negative' };
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return { ok: false, problem: 'too large' };
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    return { ok: false, problem: 'expected a non-negative integer of minor units (450 = 4.50 EUR)' };
  }
  return { ok: true, value };
}

function example(exponent: number): string {
  return exponent === 0 ? '450' : `4.${'5'.padEnd(exponent, '0')}`;
}
