import { compileEpcPattern, type Epc96Pattern, isEpcPatternUri, matchesEpc96 } from './epc-pattern.js';

/** A hex prefix over the identifier's bytes; an odd digit count constrains the high nibble of the last byte. */
interface HexPrefix {
  bytes: Uint8Array;
  /** Whether the last byte of `bytes` holds only a high nibble. */
  halfByte: boolean;
}

type Pattern = { kind: 'epc'; epc: Epc96Pattern } | { kind: 'hex'; prefix: HexPrefix };

/**
 * Include/exclude patterns, compiled once. The engine asks only when it first meets a tag and caches the
 * answer, so the cost here does not matter on the hot path.
 */
export class TagFilter {
  private readonly include: Pattern[];
  private readonly exclude: Pattern[];

  /** Throws an Error naming the first invalid pattern. */
  constructor(include: readonly string[], exclude: readonly string[]) {
    this.include = include.map(compilePattern);
    this.exclude = exclude.map(compilePattern);
  }

  /** True when the filter lets every tag through, so the engine can skip asking. */
  get passesAll(): boolean {
    return this.include.length === 0 && this.exclude.length === 0;
  }

  accepts(bytes: Uint8Array, offset: number, length: number): boolean {
    if (this.include.length > 0 && !this.include.some((p) => matches(p, bytes, offset, length))) return false;
    return !this.exclude.some((p) => matches(p, bytes, offset, length));
  }
}

/** A GS1 pattern URI (`urn:epc:pat:...`) or a hex prefix (`3074257B*` or `3074257B`). */
function compilePattern(text: string): Pattern {
  if (isEpcPatternUri(text)) return { kind: 'epc', epc: compileEpcPattern(text) };
  const digits = text.endsWith('*') ? text.slice(0, -1) : text;
  if (digits.length === 0 || !/^[0-9A-Fa-f]+$/.test(digits)) {
    throw new Error(
      `Invalid tag pattern "${text}": expected a GS1 pattern URI (urn:epc:pat:...) or hex digits with an optional trailing "*"`,
    );
  }
  const bytes = new Uint8Array(Math.ceil(digits.length / 2));
  for (let index = 0; index < digits.length; index++) {
    const nibble = Number.parseInt(digits[index] as string, 16);
    bytes[index >> 1] = (bytes[index >> 1] as number) | (index % 2 === 0 ? nibble << 4 : nibble);
  }
  return { kind: 'hex', prefix: { bytes, halfByte: digits.length % 2 === 1 } };
}

function matches(pattern: Pattern, bytes: Uint8Array, offset: number, length: number): boolean {
  if (pattern.kind === 'epc') return matchesEpc96(pattern.epc, bytes, offset, length);
  const prefix = pattern.prefix.bytes;
  if (length < prefix.length) return false;
  const last = prefix.length - 1;
  for (let index = 0; index < last; index++) {
    if (bytes[offset + index] !== prefix[index]) return false;
  }
  const lastMask = pattern.prefix.halfByte ? 0xf0 : 0xff;
  return ((bytes[offset + last] as number) & lastMask) === prefix[last];
}
