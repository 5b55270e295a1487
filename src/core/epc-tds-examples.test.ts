import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeEpc } from './epc.js';

/**
 * decodeEpc against the worked examples of the GS1 EPC Tag Data Standard: the SGTIN-96 and SGTIN-198
 * examples of its annex "Example of a specific trade item (SGTIN)" (E.1–E.3 since TDS 1.6), and the
 * per-scheme encoding examples added in TDS 1.9 and kept in 2.x (company prefix 0614141, filter 3).
 * The PDF itself was not at hand; the values were taken from test suites that transcribe the standard
 * (dannyhaak/TagDataTranslation, tests "TDT 2.2 Standard"; Paul van Haastrecht's epc_examples.c,
 * "examples taken from GS1 EPC tag data standard 1.9"), which agree with each other, and each hex value
 * is decoded field by field below, independently of epc-tds, before decodeEpc is trusted with it.
 */
interface Example {
  scheme: string;
  hex: string;
  uri: string;
  gtin?: string;
  /** Header, filter, partition, company prefix, then the scheme's other integer fields, in bits. */
  fields?: Array<[bits: number, value: bigint]>;
}

const EXAMPLES: Example[] = [
  {
    scheme: 'sgtin-96',
    hex: '3074257BF7194E4000001A85',
    uri: 'urn:epc:id:sgtin:0614141.812345.6789',
    gtin: '80614141123458', // (01)80614141123458 (21)6789
    fields: [
      [8, 0x30n],
      [3, 3n],
      [3, 5n],
      [24, 614141n],
      [20, 812345n],
      [38, 6789n],
    ],
  },
  {
    // 198 bits = 50 hex digits with the last 2 bits zero; readers report 13 words (52 digits): both accepted.
    scheme: 'sgtin-198',
    hex: '3674257BF6B7A659B2C2BF1000000000000000000000000000',
    uri: 'urn:epc:id:sgtin:0614141.712345.32a%2Fb',
    gtin: '70614141123451', // (01)70614141123451 (21)32a/b
    fields: [
      [8, 0x36n],
      [3, 3n],
      [3, 5n],
      [24, 614141n],
      [20, 712345n],
    ],
  },
  {
    scheme: 'sscc-96',
    hex: '3174257BF4499602D2000000',
    uri: 'urn:epc:id:sscc:0614141.1234567890', // (00)106141412345678908
    fields: [
      [8, 0x31n],
      [3, 3n],
      [3, 5n],
      [24, 614141n],
      [34, 1234567890n],
      [24, 0n],
    ],
  },
  {
    scheme: 'sgln-96',
    hex: '3274257BF46072000000162E',
    uri: 'urn:epc:id:sgln:0614141.12345.5678', // (414)0614141123452 (254)5678
    fields: [
      [8, 0x32n],
      [3, 3n],
      [3, 5n],
      [24, 614141n],
      [17, 12345n],
      [41, 5678n],
    ],
  },
  {
    scheme: 'grai-96',
    hex: '3374257BF40C0E400000162E',
    uri: 'urn:epc:id:grai:0614141.12345.5678', // (8003)006141411234525678
    fields: [
      [8, 0x33n],
      [3, 3n],
      [3, 5n],
      [24, 614141n],
      [20, 12345n],
      [38, 5678n],
    ],
  },
  {
    scheme: 'giai-96',
    hex: '3474257BF40000000000162E',
    uri: 'urn:epc:id:giai:0614141.5678', // (8004)06141415678
    fields: [
      [8, 0x34n],
      [3, 3n],
      [3, 5n],
      [24, 614141n],
      [58, 5678n],
    ],
  },
];

/** The standard prints the longer encodings to their bit length; tags hold whole 16-bit words. */
const WORD_PADDED: Example[] = [
  {
    scheme: 'sgln-195',
    hex: '3974257BF46072CD9615F8800000000000000000000000000',
    uri: 'urn:epc:id:sgln:0614141.12345.32a%2Fb',
  },
  {
    scheme: 'grai-170',
    hex: '3774257BF40C0E59B2C2BF100000000000000000000',
    uri: 'urn:epc:id:grai:0614141.12345.32a%2Fb',
  },
  {
    scheme: 'giai-202',
    hex: '3874257BF59B2C2BF1000000000000000000000000000000000',
    uri: 'urn:epc:id:giai:0614141.32a%2Fb',
  },
];

function readFields(hex: string, widths: number[]): bigint[] {
  const bits = BigInt(`0x${hex}`)
    .toString(2)
    .padStart(hex.length * 4, '0');
  let at = 0;
  return widths.map((width) => {
    const value = BigInt(`0b${bits.slice(at, at + width)}`);
    at += width;
    return value;
  });
}

const toWords = (hex: string) => hex.padEnd(Math.ceil(hex.length / 4) * 4, '0');

describe('decodeEpc against the TDS worked examples', () => {
  it.each(EXAMPLES)('$scheme: the example hex holds the fields of its URI', ({ hex, fields }) => {
    const widths = (fields ?? []).map(([bits]) => bits);
    expect(readFields(hex, widths)).toEqual((fields ?? []).map(([, value]) => value));
  });

  it.each(EXAMPLES)('$scheme $hex decodes to $uri', ({ scheme, hex, uri, gtin }) => {
    const decoded = decodeEpc(hex);
    expect(decoded).toMatchObject({ scheme, uri });
    expect(decoded?.gtin).toBe(gtin);
    expect(decodeEpc(hex.toLowerCase())).toEqual(decoded);
    expect(decodeEpc(toWords(hex))).toEqual(decoded);
  });

  it('SGTIN-198 also decodes as a reader reports it, in 13 whole words', () => {
    expect(decodeEpc('3674257BF6B7A659B2C2BF100000000000000000000000000000')?.uri).toBe(
      'urn:epc:id:sgtin:0614141.712345.32a%2Fb',
    );
  });

  it.each(WORD_PADDED)('$scheme decodes to $uri once padded to whole words', ({ scheme, hex, uri }) => {
    expect(hex.length % 2).toBe(1); // as printed: not whole bytes, so not a tag read
    expect(decodeEpc(hex)).toBeUndefined();
    expect(decodeEpc(toWords(hex))).toMatchObject({ scheme, uri });
  });

  it('epc-tds alone leaves "/" unescaped in the pure-identity URI; decodeEpc escapes it as TDS requires', () => {
    const epcTds = createRequire(import.meta.url)('epc-tds') as {
      valueOf(hex: string): { toIdURI(): string };
    };
    expect(epcTds.valueOf('3674257BF6B7A659B2C2BF100000000000000000000000000000').toIdURI()).toBe(
      'urn:epc:id:sgtin:0614141.712345.32a/b',
    );
  });
});
