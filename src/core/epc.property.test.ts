import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EpcInfo } from '../shared/events.js';
import { decodeEpc } from './epc.js';

/**
 * The EPC binary headers of the Tag Data Standard (TDS 2.x, §14.2) whose schemes carry a 3-bit filter
 * and a 3-bit partition at bits 8..13, with each encoding's length in bits (the -var ones: a typical
 * length). Built from the standard, not from src/core/epc.ts, so the tests do not share its mistakes.
 */
const PARTITIONED: ReadonlyMap<number, { name: string; bits: number }> = new Map([
  [0x2c, { name: 'gdti-96', bits: 96 }],
  [0x2d, { name: 'gsrn-96', bits: 96 }],
  [0x2e, { name: 'gsrnp-96', bits: 96 }],
  [0x30, { name: 'sgtin-96', bits: 96 }],
  [0x31, { name: 'sscc-96', bits: 96 }],
  [0x32, { name: 'sgln-96', bits: 96 }],
  [0x33, { name: 'grai-96', bits: 96 }],
  [0x34, { name: 'giai-96', bits: 96 }],
  [0x36, { name: 'sgtin-198', bits: 198 }],
  [0x37, { name: 'grai-170', bits: 170 }],
  [0x38, { name: 'giai-202', bits: 202 }],
  [0x39, { name: 'sgln-195', bits: 195 }],
  [0x3a, { name: 'gdti-113', bits: 113 }],
  [0x3c, { name: 'cpi-96', bits: 96 }],
  [0x3d, { name: 'cpi-var', bits: 200 }],
  [0x3e, { name: 'gdti-174', bits: 174 }],
  [0x3f, { name: 'sgcn-96', bits: 96 }],
  [0x40, { name: 'itip-110', bits: 110 }],
  [0x41, { name: 'itip-212', bits: 212 }],
]);
/** Company prefix bits per partition value, the same in every TDS partition table. */
const COMPANY_BITS = [40, 37, 34, 30, 27, 24, 20] as const;
const FIELDS = new Set(['scheme', 'uri', 'gtin', 'serial']);
/** Set 82 minus what a pure-identity URI must escape, plus the escapes themselves. */
const URI = /^urn:epc:id:([a-z]+):((?:[-!'()*+,.0-9:;=A-Z_a-z]|%(?:22|25|26|2F|3C|3E|3F))+)$/;

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
/** Whole 16-bit words, as a Gen2 reader reports the EPC bank. */
const wordBytes = (bits: number): number => Math.ceil(bits / 16) * 2;

function gs1CheckDigit(digits: string): number {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    const weight = (digits.length - index) % 2 === 1 ? 3 : 1;
    sum += weight * Number(digits[index]);
  }
  return (10 - (sum % 10)) % 10;
}

/** Fails the test when `info` is not a decoding the envelope may carry. */
function expectWellFormed(info: EpcInfo | undefined): void {
  if (info === undefined) return;
  expect(Object.keys(info).every((key) => FIELDS.has(key))).toBe(true);
  expect(info.scheme).toMatch(/^[a-z]+-[0-9]+$/);
  const match = URI.exec(info.uri);
  expect(match, info.uri).not.toBeNull();
  expect(info.scheme.startsWith(`${match?.[1]}-`)).toBe(true);
  expect(match?.[2]?.split('.')[0]).toMatch(/^[0-9]+$/);
  if (info.gtin !== undefined) {
    expect(info.gtin).toMatch(/^[0-9]{14}$/);
    expect(gs1CheckDigit(info.gtin.slice(0, 13))).toBe(Number(info.gtin[13]));
  }
  if (info.serial !== undefined) {
    expect(typeof info.serial).toBe('string');
    expect(info.serial.length).toBeGreaterThan(0);
  }
}

function decodesSafely(hex: string): EpcInfo | undefined {
  let info: EpcInfo | undefined;
  expect(() => {
    info = decodeEpc(hex);
  }).not.toThrow();
  expectWellFormed(info);
  return info;
}

/** Header byte, then filter and partition in the next 6 bits, the rest of `tail` as it is. */
function withHeader(header: number, filter: number, partition: number, tail: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(tail.length + 1);
  bytes.set(tail, 1);
  bytes[0] = header;
  if (bytes.length > 1) bytes[1] = (filter << 5) | (partition << 2) | ((bytes[1] as number) & 0b11);
  return bytes;
}

/** Clears the bits past the scheme's length, as an encoder pads them, so the fields decide. */
function zeroPadding(bytes: Uint8Array, bits: number): Uint8Array {
  for (let bit = bits; bit < bytes.length * 8; bit++) {
    bytes[bit >> 3] = (bytes[bit >> 3] as number) & ~(0x80 >> (bit & 7));
  }
  return bytes;
}

function bitsToHex(fields: ReadonlyArray<readonly [bigint, number]>, bytes: number): string {
  let value = 0n;
  let length = 0;
  for (const [field, width] of fields) {
    value = (value << BigInt(width)) | field;
    length += width;
  }
  value <<= BigInt(bytes * 8 - length);
  return value
    .toString(16)
    .toUpperCase()
    .padStart(bytes * 2, '0');
}

const byte = fc.integer({ min: 0, max: 255 });

describe('decodeEpc is total', () => {
  it('never throws on any string', () => {
    const hexDigit = fc.constantFrom(...'0123456789abcdefABCDEF');
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.string({ unit: hexDigit, maxLength: 130 }),
      fc.string({ unit: fc.constantFrom(...'0123456789ABCDEF Gg-x'), minLength: 20, maxLength: 60 }),
    );
    fc.assert(fc.property(text, (value) => void decodesSafely(value)));
  });

  it('never throws for any header byte with 1..64 bytes, 96 and 198 bits among them', () => {
    // 96 bits = 12 bytes; 198 bits = 25 bytes, which a Gen2 reader reports as 13 words = 26 bytes.
    const tail = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 63 }),
      fc.uint8Array({ minLength: 11, maxLength: 11 }),
      fc.uint8Array({ minLength: 24, maxLength: 25 }),
    );
    for (let header = 0; header <= 0xff; header++) {
      fc.assert(
        fc.property(tail, (rest) => {
          const bytes = new Uint8Array(rest.length + 1);
          bytes[0] = header;
          bytes.set(rest, 1);
          const hex = toHex(bytes);
          const info = decodesSafely(hex);
          expect(decodesSafely(hex.toLowerCase())).toEqual(info);
          expect(decodesSafely(`${hex}0`)).toBeUndefined();
          if (info !== undefined) expect(PARTITIONED.has(header) || header === 0x35).toBe(true);
        }),
        { numRuns: 25 },
      );
    }
  });

  it('never decodes a reserved partition and keeps the partition table for the others', () => {
    for (const [header, scheme] of PARTITIONED) {
      for (let filter = 0; filter <= 7; filter++) {
        for (let partition = 0; partition <= 7; partition++) {
          const exact = Math.ceil(scheme.bits / 8);
          const length = fc.constantFrom(exact, wordBytes(scheme.bits));
          const epc = fc
            .tuple(length, fc.uint8Array({ minLength: 31, maxLength: 31 }), fc.boolean())
            .map(([bytes, random, padded]) => {
              const epcBytes = withHeader(header, filter, partition, random.subarray(0, bytes - 1));
              return padded ? zeroPadding(epcBytes, scheme.bits) : epcBytes;
            });
          fc.assert(
            fc.property(epc, (bytes) => {
              const info = decodesSafely(toHex(bytes));
              if (partition === 7) expect(info).toBeUndefined();
              if (info === undefined) return;
              expect(info.scheme).toBe(scheme.name);
              const company = info.uri.split(':')[4]?.split('.')[0];
              expect(company).toHaveLength(12 - partition);
            }),
            { numRuns: 15 },
          );
        }
      }
    }
  });
});

describe('decodeEpc stays faithful to the standard', () => {
  const sgtinFields = fc.integer({ min: 0, max: 6 }).chain((partition) => {
    const companyDigits = 12 - partition;
    const itemDigits = 1 + partition;
    return fc.record({
      filter: fc.integer({ min: 0, max: 7 }),
      partition: fc.constant(partition),
      company: fc.bigInt({ min: 0n, max: 10n ** BigInt(companyDigits) - 1n }),
      item: fc.bigInt({ min: 0n, max: 10n ** BigInt(itemDigits) - 1n }),
    });
  });

  /** Company prefix and indicator + item reference as the URI and the GTIN spell them. */
  function gtinParts(fields: { partition: number; company: bigint; item: bigint }) {
    const company = fields.company.toString().padStart(12 - fields.partition, '0');
    const item = fields.item.toString().padStart(1 + fields.partition, '0');
    const body = item.slice(0, 1) + company + item.slice(1);
    return { company, item, gtin: body + gs1CheckDigit(body) };
  }

  function gs1Header(
    header: number,
    fields: { filter: number; partition: number; company: bigint; item: bigint },
  ) {
    const companyBits = COMPANY_BITS[fields.partition] as number;
    return [
      [BigInt(header), 8],
      [BigInt(fields.filter), 3],
      [BigInt(fields.partition), 3],
      [fields.company, companyBits],
      [fields.item, 44 - companyBits],
    ] as const;
  }

  it('decodes every valid SGTIN-96', () => {
    const serial = fc.bigInt({ min: 0n, max: 2n ** 38n - 1n });
    fc.assert(
      fc.property(sgtinFields, serial, (fields, serialValue) => {
        const hex = bitsToHex([...gs1Header(0x30, fields), [serialValue, 38]], 12);
        const { company, item, gtin } = gtinParts(fields);
        expect(decodesSafely(hex)).toEqual({
          scheme: 'sgtin-96',
          uri: `urn:epc:id:sgtin:${company}.${item}.${serialValue}`,
          gtin,
          serial: serialValue.toString(),
        });
      }),
    );
  });

  it('decodes every valid SGTIN-198, escaping the serial in the URI', () => {
    const set82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
    const serial = fc.string({ unit: fc.constantFrom(...set82), minLength: 1, maxLength: 20 });
    const escapes: Record<string, string> = {
      '"': '%22',
      '%': '%25',
      '&': '%26',
      '/': '%2F',
      '<': '%3C',
      '>': '%3E',
      '?': '%3F',
    };
    fc.assert(
      fc.property(sgtinFields, serial, (fields, serialText) => {
        const chars = [...serialText].map((char) => [BigInt(char.charCodeAt(0)), 7] as const);
        const hex = bitsToHex([...gs1Header(0x36, fields), ...chars], wordBytes(198));
        const { company, item, gtin } = gtinParts(fields);
        const escaped = [...serialText].map((char) => escapes[char] ?? char).join('');
        expect(decodesSafely(hex)).toEqual({
          scheme: 'sgtin-198',
          uri: `urn:epc:id:sgtin:${company}.${item}.${escaped}`,
          gtin,
          serial: serialText,
        });
      }),
    );
  });

  it('rejects an SGTIN-96 whose company prefix does not fit its digits', () => {
    const overflow = fc.integer({ min: 0, max: 6 }).chain((partition) =>
      fc.record({
        filter: fc.integer({ min: 0, max: 7 }),
        partition: fc.constant(partition),
        company: fc.bigInt({
          min: 10n ** BigInt(12 - partition),
          max: 2n ** BigInt(COMPANY_BITS[partition] as number) - 1n,
        }),
        item: fc.constant(0n),
      }),
    );
    fc.assert(
      fc.property(overflow, byte, (fields, serialValue) => {
        const hex = bitsToHex([...gs1Header(0x30, fields), [BigInt(serialValue), 38]], 12);
        expect(decodesSafely(hex)).toBeUndefined();
      }),
    );
  });
});
