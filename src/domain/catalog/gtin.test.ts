import { describe, expect, it } from 'vitest';
import { gs1CheckDigit, normaliseGtin } from './gtin.js';

describe('normaliseGtin', () => {
  // Real GTINs: an EAN-13 (Faber-Castell), a UPC-A, the GTIN-14 of the TDS SGTIN example, an EAN-8.
  it.each([
    ['4006381333931', '04006381333931'],
    ['036000291452', '00036000291452'],
    ['80614141123458', '80614141123458'],
    ['96385074', '00000096385074'],
    ['00036000291452', '00036000291452'],
  ])('accepts %s as %s', (input, gtin) => {
    expect(normaliseGtin(input)).toEqual({ ok: true, value: gtin });
  });

  it('verifies the GS1 mod-10 check digit', () => {
    expect(gs1CheckDigit('400638133393')).toBe(1);
    expect(gs1CheckDigit('03600029145')).toBe(2);
    expect(gs1CheckDigit('8061414112345')).toBe(8);
    expect(normaliseGtin('4006381333932')).toEqual({
      ok: false,
      problem: 'wrong check digit: 2, expected 1',
    });
    expect(normaliseGtin('80614141123459')).toEqual({
      ok: false,
      problem: 'wrong check digit: 9, expected 8',
    });
  });

  it.each([
    ['123456789', 'expected 8, 12, 13 or 14 digits, got 9'],
    ['400638133393100', 'expected 8, 12, 13 or 14 digits, got 15'],
    ['4006381 333931', 'expected digits only (8, 12, 13 or 14 of them)'],
    ['', 'expected digits only (8, 12, 13 or 14 of them)'],
    ['40063813339３1', 'expected digits only (8, 12, 13 or 14 of them)'],
  ])('refuses %j', (input, problem) => {
    expect(normaliseGtin(input)).toEqual({ ok: false, problem });
  });
});
