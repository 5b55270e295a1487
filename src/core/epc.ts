import { createRequire } from 'node:module';
import type { EpcInfo } from '../shared/events.js';

// The package replaces module.exports with its default export, which TypeScript's NodeNext view
// of its typings does not model; require() gives the object the typings describe.
interface DecodedEpc {
  getType(): unknown;
  toIdURI(): unknown;
}
const epcTds = createRequire(import.meta.url)('epc-tds') as { valueOf(hex: string): DecodedEpc };

/**
 * What the Tag Data Standard fixes per header, for the headers epc-tds decodes. The library trusts its
 * input (a reserved partition makes it throw, an oversized field gives a URI with too many digits, a
 * 7-bit string may hold control characters), so every answer is checked against this.
 */
interface Scheme {
  /** The TDS name, as epc-tds reports it lowercased. */
  name: string;
  /** The pure-identity URI's scheme: `urn:epc:id:<uri>:`. */
  uri: string;
  /** Dot-separated components of the URI body; the last may itself hold dots when alphanumeric. */
  components: number;
  bits: number;
  /** False only for GID-96, which has neither filter nor partition. */
  partitioned: boolean;
  /** Digits of company prefix + second component together, for GS1 keys of fixed length. */
  keyDigits?: number;
  /** Upper bound on the second component's digits, for the CPI part reference (it varies). */
  secondMaxDigits?: (partition: number) => number;
}

const SCHEMES: ReadonlyMap<number, Scheme> = new Map([
  [0x2c, { name: 'gdti-96', uri: 'gdti', components: 3, bits: 96, partitioned: true, keyDigits: 12 }],
  [0x2d, { name: 'gsrn-96', uri: 'gsrn', components: 2, bits: 96, partitioned: true, keyDigits: 17 }],
  [0x30, { name: 'sgtin-96', uri: 'sgtin', components: 3, bits: 96, partitioned: true, keyDigits: 13 }],
  [0x31, { name: 'sscc-96', uri: 'sscc', components: 2, bits: 96, partitioned: true, keyDigits: 17 }],
  [0x32, { name: 'sgln-96', uri: 'sgln', components: 3, bits: 96, partitioned: true, keyDigits: 12 }],
  [0x33, { name: 'grai-96', uri: 'grai', components: 3, bits: 96, partitioned: true, keyDigits: 12 }],
  [0x34, { name: 'giai-96', uri: 'giai', components: 2, bits: 96, partitioned: true }],
  [0x35, { name: 'gid-96', uri: 'gid', components: 3, bits: 96, partitioned: false }],
  [0x36, { name: 'sgtin-198', uri: 'sgtin', components: 3, bits: 198, partitioned: true, keyDigits: 13 }],
  [0x37, { name: 'grai-170', uri: 'grai', components: 3, bits: 170, partitioned: true, keyDigits: 12 }],
  [0x38, { name: 'giai-202', uri: 'giai', components: 2, bits: 202, partitioned: true }],
  [0x39, { name: 'sgln-195', uri: 'sgln', components: 3, bits: 195, partitioned: true, keyDigits: 12 }],
  [
    0x3c,
    {
      name: 'cpi-96',
      uri: 'cpi',
      components: 3,
      bits: 96,
      partitioned: true,
      secondMaxDigits: (p: number) => 3 + p,
    },
  ],
  [0x3e, { name: 'gdti-174', uri: 'gdti', components: 3, bits: 174, partitioned: true, keyDigits: 12 }],
  [0x3f, { name: 'sgcn-96', uri: 'sgcn', components: 3, bits: 96, partitioned: true, keyDigits: 12 }],
]);

/** Partition 7 is reserved in every TDS partition table. */
const MAX_PARTITION = 6;
/** Gen2 EPC memory holds at most 31 words. */
const MAX_EPC_BYTES = 62;
const HEX = /^[0-9A-Fa-f]*$/;
/** GS1 AI encodable character set 82: anything else in an alphanumeric field fails decoding (TDS). */
const CHARSET_82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;
/** Characters of set 82 that a pure-identity URI must percent-escape (TDS, table A). */
const URI_ESCAPED = /["%&/<>?]/g;
const DIGITS = /^[0-9]+$/;
const SERIAL_GETTERS = ['getSerial', 'getSerialReference', 'getIndividualAssetReference'] as const;

/**
 * Decodes a tag identifier under the EPC Tag Data Standard. Undefined when it is not a GS1 EPC that
 * epc-tds knows (EM4100 IDs, TID-only tags, proprietary EPCs, reserved or overflowing fields). Total:
 * whatever the string, it never throws, because a throw here used to lose the read's event.
 */
export function decodeEpc(hex: string): EpcInfo | undefined {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || hex.length > 2 * MAX_EPC_BYTES || !HEX.test(hex)) {
    return undefined;
  }
  const bytes = Buffer.from(hex, 'hex');
  const scheme = SCHEMES.get(bytes[0] ?? -1);
  if (scheme === undefined || !fitsLength(bytes, scheme.bits)) return undefined;
  const partition = ((bytes[1] as number) >> 2) & 0b111;
  if (scheme.partitioned && partition > MAX_PARTITION) return undefined;
  try {
    return validated(readLibrary(hex.toUpperCase()), scheme, partition);
  } catch {
    return undefined;
  }
}

/**
 * Enough bytes for the scheme, and nothing but zero bits past it: readers report whole 16-bit words
 * (SGTIN-198 arrives as 26 bytes), but a non-zero tail would map two different tags to one EPC URI.
 */
function fitsLength(bytes: Buffer, bits: number): boolean {
  if (bytes.length < Math.ceil(bits / 8)) return false;
  const lastByte = bits >> 3;
  const usedBits = bits & 7;
  if (usedBits !== 0 && ((bytes[lastByte] as number) & (0xff >> usedBits)) !== 0) return false;
  for (let index = Math.ceil(bits / 8); index < bytes.length; index++) if (bytes[index] !== 0) return false;
  return true;
}

interface RawEpc {
  type: unknown;
  uri: unknown;
  gtin?: unknown;
  serial?: unknown;
}

function readLibrary(hex: string): RawEpc {
  const epc = epcTds.valueOf(hex);
  const record = epc as unknown as Record<string, unknown>;
  const raw: RawEpc = { type: epc.getType(), uri: epc.toIdURI() };
  if (typeof record.getGtin === 'function') raw.gtin = (record.getGtin as () => unknown).call(epc);
  for (const getter of SERIAL_GETTERS) {
    const read = record[getter];
    if (typeof read === 'function') {
      raw.serial = (read as () => unknown).call(epc);
      break;
    }
  }
  return raw;
}

function validated(raw: RawEpc, scheme: Scheme, partition: number): EpcInfo | undefined {
  if (typeof raw.type !== 'string' || raw.type.toLowerCase() !== scheme.name) return undefined;
  const prefix = `urn:epc:id:${scheme.uri}:`;
  if (typeof raw.uri !== 'string' || !raw.uri.startsWith(prefix)) return undefined;
  const body = checkedBody(raw.uri.slice(prefix.length), scheme, partition);
  if (body === undefined) return undefined;
  const info: EpcInfo = { scheme: scheme.name, uri: prefix + body };
  if (raw.gtin !== undefined) {
    if (typeof raw.gtin !== 'string' || !/^[0-9]{14}$/.test(raw.gtin)) return undefined;
    info.gtin = raw.gtin;
  }
  if (raw.serial !== undefined) {
    const serial = serialText(raw.serial);
    if (serial === undefined) return undefined;
    info.serial = serial;
  }
  return info;
}

/** The URI body with TDS escaping applied, or undefined when a field breaks the standard's limits. */
function checkedBody(body: string, scheme: Scheme, partition: number): string | undefined {
  if (!CHARSET_82.test(body)) return undefined;
  const parts = body.split('.');
  if (parts.length < scheme.components || parts.slice(scheme.components - 1).join('.') === '')
    return undefined;
  // Only the alphanumeric fields of the longer encodings can hold a dot.
  if (scheme.bits === 96 && parts.length !== scheme.components) return undefined;
  if (!scheme.partitioned) return parts.every((part) => DIGITS.test(part)) ? body : undefined;
  const [company, second] = parts;
  // In every TDS partition table, partition p means a (12 - p)-digit company prefix.
  if (company === undefined || second === undefined) return undefined;
  if (!DIGITS.test(company) || company.length !== 12 - partition) return undefined;
  if (scheme.keyDigits !== undefined) {
    const secondDigits = scheme.keyDigits - company.length;
    if (secondDigits === 0) {
      // A 12-digit company prefix leaves an empty reference (`sgln:061414112345..0`); epc-tds prints 0.
      if (second !== '0') return undefined;
      parts[1] = '';
    } else if (!DIGITS.test(second) || second.length > secondDigits) {
      return undefined;
    } else {
      // epc-tds prints the GSRN service reference unpadded; TDS pads every GS1 key's reference.
      parts[1] = second.padStart(secondDigits, '0');
    }
  }
  const maxDigits = scheme.secondMaxDigits?.(partition);
  if (maxDigits !== undefined && (!DIGITS.test(second) || second.length > maxDigits)) return undefined;
  return parts.join('.').replace(URI_ESCAPED, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function serialText(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'bigint' && value >= 0n) text = value.toString();
  else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) text = String(value);
  else return undefined;
  return text.length > 0 && CHARSET_82.test(text) ? text : undefined;
}

export interface EpcCacheOptions {
  /** Entries kept before the cache starts over; 50 000 by default. */
  limit?: number;
  /** Told when decoding threw despite decodeEpc being total; the read keeps its event, without `epc`. */
  onError?: (error: unknown, tag: string) => void;
  /** The decoder; tests replace it to make it fail. */
  decode?: (hex: string) => EpcInfo | undefined;
}

/** Decoding is pure but not free; a store sees the same few thousand tags all day. */
export class EpcCache {
  private readonly entries = new Map<string, EpcInfo | null>();
  private readonly limit: number;
  private readonly onError: ((error: unknown, tag: string) => void) | undefined;
  private readonly decode: (hex: string) => EpcInfo | undefined;
  private failures = 0;

  constructor(options: EpcCacheOptions = {}) {
    this.limit = options.limit ?? 50_000;
    this.onError = options.onError;
    this.decode = options.decode ?? decodeEpc;
  }

  /** Decodings that threw (each tag counted once: the failure is cached). */
  get errors(): number {
    return this.failures;
  }

  get(hex: string): EpcInfo | undefined {
    let info = this.entries.get(hex);
    if (info === undefined) {
      info = this.decodeGuarded(hex);
      if (this.entries.size >= this.limit) this.entries.clear();
      this.entries.set(hex, info);
    }
    return info ?? undefined;
  }

  // Called from timer callbacks (departures): a throw here would end the process, not just the read.
  private decodeGuarded(hex: string): EpcInfo | null {
    try {
      return this.decode(hex) ?? null;
    } catch (error) {
      this.failures++;
      try {
        this.onError?.(error, hex);
      } catch {
        // A failing reporter must not cost the event either.
      }
      return null;
    }
  }
}
