/**
 * GS1 EPC Tag Data Standard pattern URIs (`urn:epc:pat:sgtin-96:3.0614141.*.*`) compiled to a mask and a
 * value over the 96-bit binary, so matching a tag costs three word compares.
 *
 * Layouts (TDS 2.x, §14 "EPC binary encoding"): 8-bit header, 3-bit filter, 3-bit partition, then the
 * company prefix and a reference whose bit widths come from the partition table, then a scheme tail.
 */

interface Partition {
  companyBits: number;
  companyDigits: number;
  referenceBits: number;
  /** Exact digit count of the reference field; null where the field is a plain number (GIAI). */
  referenceDigits: number | null;
}

interface Epc96Layout {
  header: number;
  /** URI fields: filter, company, reference and, for some schemes, a numeric tail. */
  fieldCount: 3 | 4;
  partitions: readonly Partition[];
  /** Bit width of the numeric tail field (serial / extension), when the scheme has one in the URI. */
  tailBits: number | null;
}

const TOTAL_BITS = 96;
const COMPANY_START = 14;

function table(rows: ReadonlyArray<readonly [number, number, number, number | null]>): Partition[] {
  return rows.map(([companyBits, companyDigits, referenceBits, referenceDigits]) => ({
    companyBits,
    companyDigits,
    referenceBits,
    referenceDigits,
  }));
}

/** Partition tables, one row per partition value 0..6 (TDS tables 14-2, 14-5, 14-7, 14-10, 14-12). */
const LAYOUTS: Readonly<Record<string, Epc96Layout>> = {
  'sgtin-96': {
    header: 0x30,
    fieldCount: 4,
    tailBits: 38,
    // Item reference digits include the indicator digit, hence 13 - company digits.
    partitions: table([
      [40, 12, 4, 1],
      [37, 11, 7, 2],
      [34, 10, 10, 3],
      [30, 9, 14, 4],
      [27, 8, 17, 5],
      [24, 7, 20, 6],
      [20, 6, 24, 7],
    ]),
  },
  'sscc-96': {
    header: 0x31,
    fieldCount: 3,
    // The 24 bits after the serial reference are unallocated: not part of the URI.
    tailBits: null,
    partitions: table([
      [40, 12, 18, 5],
      [37, 11, 21, 6],
      [34, 10, 24, 7],
      [30, 9, 28, 8],
      [27, 8, 31, 9],
      [24, 7, 34, 10],
      [20, 6, 38, 11],
    ]),
  },
  'sgln-96': {
    header: 0x32,
    fieldCount: 4,
    tailBits: 41,
    partitions: table([
      [40, 12, 1, 0],
      [37, 11, 4, 1],
      [34, 10, 7, 2],
      [30, 9, 11, 3],
      [27, 8, 14, 4],
      [24, 7, 17, 5],
      [20, 6, 21, 6],
    ]),
  },
  'grai-96': {
    header: 0x33,
    fieldCount: 4,
    tailBits: 38,
    partitions: table([
      [40, 12, 4, 0],
      [37, 11, 7, 1],
      [34, 10, 10, 2],
      [30, 9, 14, 3],
      [27, 8, 17, 4],
      [24, 7, 20, 5],
      [20, 6, 24, 6],
    ]),
  },
  'giai-96': {
    header: 0x34,
    fieldCount: 3,
    tailBits: null,
    partitions: table([
      [40, 12, 42, null],
      [37, 11, 45, null],
      [34, 10, 48, null],
      [30, 9, 52, null],
      [27, 8, 55, null],
      [24, 7, 58, null],
      [20, 6, 62, null],
    ]),
  },
};

export const EPC96_PATTERN_SCHEMES: readonly string[] = Object.keys(LAYOUTS);

/** A compiled pattern: a tag matches when `(word[i] & mask[i]) === value[i]` for its three big-endian words. */
export interface Epc96Pattern {
  readonly source: string;
  readonly mask: Uint32Array;
  readonly value: Uint32Array;
}

const PREFIX = 'urn:epc:pat:';

export function isEpcPatternUri(text: string): boolean {
  return text.toLowerCase().startsWith(PREFIX);
}

/** Throws an Error naming the pattern and what is wrong with it. */
export function compileEpcPattern(uri: string): Epc96Pattern {
  const fail = (reason: string): never => {
    throw new Error(`Invalid EPC pattern "${uri}": ${reason}`);
  };
  if (!isEpcPatternUri(uri)) fail(`must start with "${PREFIX}"`);
  const rest = uri.slice(PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon < 0) fail('expected <scheme>:<fields>');
  const scheme = rest.slice(0, colon).toLowerCase();
  const layout = LAYOUTS[scheme];
  if (layout === undefined) {
    fail(`unsupported scheme "${scheme}" (supported: ${EPC96_PATTERN_SCHEMES.join(', ')})`);
  }
  const { header, fieldCount, partitions, tailBits } = layout as Epc96Layout;
  const fields = rest.slice(colon + 1).split('.');
  if (fields.length !== fieldCount) {
    fail(`${scheme} takes ${fieldCount} dot-separated fields (filter first), got ${fields.length}`);
  }
  const [filter, company, reference, tail] = fields as [string, string, string, string | undefined];

  let mask = 0n;
  let value = 0n;
  const put = (start: number, bits: number, fieldValue: bigint): void => {
    const shift = BigInt(TOTAL_BITS - start - bits);
    mask |= ((1n << BigInt(bits)) - 1n) << shift;
    value |= fieldValue << shift;
  };
  put(0, 8, BigInt(header));

  if (filter !== '*') put(8, 3, parseNumber(filter, 'filter', 3, null, fail));

  // Once a field is "*", every later field must be too: the layout of later fields depends on earlier ones.
  const later = fields.slice(2);
  if (company === '*') {
    if (later.some((field) => field !== '*')) fail('fields after a "*" company prefix must be "*"');
  } else {
    if (!/^[0-9]+$/.test(company)) fail(`company prefix "${company}" must be decimal digits or "*"`);
    const partitionValue = partitions.findIndex((row) => row.companyDigits === company.length);
    const partition = partitions[partitionValue];
    if (partition === undefined) fail(`company prefix "${company}" must have 6 to 12 digits`);
    const { companyBits, referenceBits, referenceDigits } = partition as Partition;
    put(11, 3, BigInt(partitionValue));
    put(COMPANY_START, companyBits, BigInt(company));
    const referenceStart = COMPANY_START + companyBits;
    if (reference === '*') {
      if (tail !== undefined && tail !== '*') fail('fields after a "*" reference must be "*"');
    } else {
      put(
        referenceStart,
        referenceBits,
        parseNumber(reference, 'reference', referenceBits, referenceDigits, fail),
      );
      if (tail !== undefined && tail !== '*' && tailBits !== null) {
        put(referenceStart + referenceBits, tailBits, parseNumber(tail, 'serial', tailBits, null, fail));
      }
    }
  }
  return { source: uri, mask: toWords(mask), value: toWords(value) };
}

/**
 * A decimal field. `digits` = exact digit count (zero-padded fields, possibly empty); null = a plain
 * number, which the standard writes without leading zeros.
 */
function parseNumber(
  text: string,
  name: string,
  bits: number,
  digits: number | null,
  fail: (reason: string) => never,
): bigint {
  // The standard writes a zero-digit field empty; epc-tds writes "0". Both mean the same bits.
  const zeroDigitsAsZero = digits === 0 && text === '0';
  if (digits !== null && !zeroDigitsAsZero) {
    if (text.length !== digits || !/^[0-9]*$/.test(text)) {
      fail(`${name} "${text}" must be exactly ${digits} digits (from the company prefix length) or "*"`);
    }
  } else if (!/^(0|[1-9][0-9]*)$/.test(text)) {
    fail(`${name} "${text}" must be a decimal number without leading zeros, or "*"`);
  }
  const parsed = text === '' ? 0n : BigInt(text);
  if (parsed >= 1n << BigInt(bits)) fail(`${name} ${text} does not fit in ${bits} bits`);
  return parsed;
}

function toWords(bits96: bigint): Uint32Array {
  return Uint32Array.of(
    Number((bits96 >> 64n) & 0xffffffffn),
    Number((bits96 >> 32n) & 0xffffffffn),
    Number(bits96 & 0xffffffffn),
  );
}

function word(bytes: Uint8Array, at: number): number {
  return (
    (((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number)) >>>
    0
  );
}

export function matchesEpc96(
  pattern: Epc96Pattern,
  bytes: Uint8Array,
  offset: number,
  length: number,
): boolean {
  if (length !== 12) return false;
  const { mask, value } = pattern;
  for (let index = 0; index < 3; index++) {
    if ((word(bytes, offset + index * 4) & (mask[index] as number)) >>> 0 !== value[index]) return false;
  }
  return true;
}
