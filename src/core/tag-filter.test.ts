import { describe, expect, it } from 'vitest';
import { fromHex } from './hex.js';
import { TagFilter } from './tag-filter.js';

/** DESIGN.md event envelope example: SGTIN-96 urn:epc:id:sgtin:0614141.812345.6789. */
const SGTIN_6789 = '3074257BF7194E4000001A85';
/** protocols.md §1.8 T4 (SparkFun URA logs): a non-GS1 96-bit EPC with an E2 header. */
const EPC_T4 = 'E2001026760E017915907125';
/** protocols.md §2.2 E1 (ID-20LA): a 5-byte EM4100 id. */
const EM4100_E1 = '0500207B32';

function accepts(filter: TagFilter, hex: string): boolean {
  const bytes = fromHex(`00${hex}00`);
  return filter.accepts(bytes, 1, bytes.length - 2);
}

describe('TagFilter', () => {
  it('lets everything through with no patterns', () => {
    const filter = new TagFilter([], []);
    expect(filter.passesAll).toBe(true);
    expect([SGTIN_6789, EPC_T4, EM4100_E1].map((hex) => accepts(filter, hex))).toEqual([true, true, true]);
  });

  it('matches hex prefixes with or without "*", of odd length, in any case', () => {
    expect(accepts(new TagFilter(['3074257B*'], []), SGTIN_6789)).toBe(true);
    expect(accepts(new TagFilter(['3074257b'], []), SGTIN_6789)).toBe(true);
    expect(accepts(new TagFilter(['E20'], []), EPC_T4)).toBe(true);
    expect(accepts(new TagFilter(['E21'], []), EPC_T4)).toBe(false);
    expect(accepts(new TagFilter([`${EM4100_E1}00`], []), EM4100_E1)).toBe(false);
  });

  it('needs one include to match and no exclude to match', () => {
    const filter = new TagFilter(['urn:epc:pat:sgtin-96:3.0614141.*.*', '05'], [SGTIN_6789]);
    expect(filter.passesAll).toBe(false);
    expect(accepts(filter, SGTIN_6789)).toBe(false);
    expect(accepts(filter, '3074257BF7194E4000001A86')).toBe(true);
    expect(accepts(filter, EM4100_E1)).toBe(true);
    expect(accepts(filter, EPC_T4)).toBe(false);
  });

  it('throws naming an invalid pattern', () => {
    expect(() => new TagFilter(['30-74'], [])).toThrow('Invalid tag pattern "30-74"');
    expect(() => new TagFilter([], ['*'])).toThrow('Invalid tag pattern "*"');
    expect(() => new TagFilter([], ['urn:epc:pat:gid-96:1.2.3'])).toThrow('unsupported scheme "gid-96"');
  });
});
