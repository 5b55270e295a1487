/**
 * GS1 Global Trade Item Numbers: GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) and GTIN-14, all kept as
 * 14 digits (left-padded with zeros) so that one product scanned as a UPC-A and read from an SGTIN tag
 * (whose GTIN epc-tds reports with 14 digits) is the same key.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

const LENGTHS = new Set([8, 12, 13, 14]);
const DIGITS = /^[0-9]+$/;

/**
 * The GS1 mod-10 check digit of `body` (every digit but the check digit): weights 3, 1, 3, … from the
 * right, so the same rule serves every GTIN length (GS1 General Specifications, 7.9.1).
 */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let index = 0; index < body.length; index++) {
    const digit = body.charCodeAt(body.length - 1 - index) - 48;
    sum += index % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** Validates a GTIN of 8, 12, 13 or 14 digits and returns it as 14 digits. */
export function normaliseGtin(input: string): Checked<string> {
  if (!DIGITS.test(input)) return { ok: false, problem: 'expected digits only (8, 12, 13 or 14 of them)' };
  if (!LENGTHS.has(input.length)) {
    return { ok: false, problem: `expected 8, 12, 13 or 14 digits, got ${input.length}` };
  }
  const expected = gs1CheckDigit(input.slice(0, -1));
  const actual = Number(input.slice(-1));
  if (expected !== actual) {
    return { ok: false, problem: `wrong check digit: ${actual}, expected ${expected}` };
  }
  return { ok: true, value: input.padStart(14, '0') };
}
