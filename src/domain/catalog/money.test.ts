import { describe, expect, it } from 'vitest';
import { CURRENCY_EXPONENTS, checkCurrency, checkMinorUnits, formatPrice, parsePrice } from './money.js';

describe('parsePrice', () => {
  it.each([
    ['4.5', 'EUR', 450],
    ['4.50', 'EUR', 450],
    ['4', 'EUR', 400],
    ['0.05', 'USD', 5],
    ['4.35', 'EUR', 435],
    ['450', 'JPY', 450],
    ['0.125', 'BHD', 125],
    ['12.5', 'KWD', 12500],
    ['1.0001', 'CLF', 10001],
    ['0', 'EUR', 0],
    ['007.10', 'TWD', 710],
    ['90071992547409.91', 'USD', 9007199254740991],
  ])('%s %s = %d minor units', (text, currency, minor) => {
    expect(parsePrice(text, currency)).toEqual({ ok: true, value: minor });
  });

  it.each([
    ['4.505', 'EUR', 'EUR has 2 decimal places, this has 3'],
    ['450.0', 'JPY', 'JPY has no minor unit: expected a whole number'],
    ['0.1250', 'BHD', 'BHD has 3 decimal places, this has 4'],
    ['4,50', 'EUR', 'expected a decimal number like 4.50 (use a dot as the decimal separator)'],
    ['-4.50', 'EUR', 'must not be negative'],
    ['4.', 'EUR', 'expected a decimal number like 4.50'],
    ['.5', 'EUR', 'expected a decimal number like 4.50'],
    ['1e3', 'JPY', 'expected a decimal number like 450'],
    ['€4.50', 'EUR', 'expected a decimal number like 4.50'],
    ['90071992547409.92', 'USD', 'too large'],
    ['4.50', 'XYZ', 'unknown currency XYZ'],
  ])('refuses %s %s', (text, currency, problem) => {
    expect(parsePrice(text, currency)).toEqual({ ok: false, problem });
  });

  it('formats minor units back to the same text', () => {
    expect(formatPrice(450, 'EUR')).toBe('4.50');
    expect(formatPrice(5, 'USD')).toBe('0.05');
    expect(formatPrice(450, 'JPY')).toBe('450');
    expect(formatPrice(125, 'BHD')).toBe('0.125');
    expect(formatPrice(10001, 'CLF')).toBe('1.0001');
    for (const [currency, exponent] of CURRENCY_EXPONENTS) {
      for (const minor of [0, 1, 99, 100, 123456789]) {
        expect(
          parsePrice(formatPrice(minor, currency), currency),
          `${minor} ${currency} (${exponent})`,
        ).toEqual({
          ok: true,
          value: minor,
        });
      }
    }
  });
});

describe('ISO 4217 table', () => {
  it('has the exponents ISO 4217 gives', () => {
    const expected = { JPY: 0, KRW: 0, CLP: 0, ISK: 0, VND: 0, EUR: 2, USD: 2, TWD: 2, GBP: 2, CHF: 2 };
    const three = { BHD: 3, KWD: 3, JOD: 3, OMR: 3, TND: 3, LYD: 3, IQD: 3, CLF: 4, UYW: 4 };
    for (const [code, exponent] of Object.entries({ ...expected, ...three })) {
      expect(CURRENCY_EXPONENTS.get(code), code).toBe(exponent);
    }
    expect(CURRENCY_EXPONENTS.size).toBeGreaterThan(150);
    for (const code of CURRENCY_EXPONENTS.keys()) expect(code).toMatch(/^[A-Z]{3}$/);
  });

  it('accepts only codes in the table, upper-cased', () => {
    expect(checkCurrency('eur')).toEqual({ ok: true, value: 'EUR' });
    expect(checkCurrency('XYZ')).toEqual({ ok: false, problem: 'not a current ISO 4217 currency code' });
    expect(checkCurrency('HRK')).toEqual({ ok: false, problem: 'not a current ISO 4217 currency code' });
    expect(checkCurrency('€')).toEqual({
      ok: false,
      problem: 'expected a three-letter ISO 4217 code like EUR',
    });
  });

  it('takes minor units from JSON as non-negative safe integers only', () => {
    expect(checkMinorUnits(450)).toEqual({ ok: true, value: 450 });
    for (const bad of [4.5, -1, '450', Number.MAX_SAFE_INTEGER + 1, null])
      expect(checkMinorUnits(bad).ok).toBe(false);
  });
});
