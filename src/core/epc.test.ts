import { describe, expect, it, vi } from 'vitest';
import { decodeEpc, EpcCache } from './epc.js';

const SGTIN_96 = '3074257BF7194E4000001A85';
// The same bits with the partition field (bits 11..13) set to the reserved 111: 0x74 -> 0x7C.
const SGTIN_96_PARTITION_7 = '307C257BF7194E4000001A85';

describe('decodeEpc', () => {
  it('decodes the SGTIN-96 example of the EPC Tag Data Standard', () => {
    // TDS: urn:epc:id:sgtin:0614141.812345.6789 with filter 3 is 3074257BF7194E4000001A85; the GTIN
    // is indicator 8 + 0614141 + 12345 + check digit 8.
    const expected = {
      scheme: 'sgtin-96',
      uri: 'urn:epc:id:sgtin:0614141.812345.6789',
      gtin: '80614141123458',
      serial: '6789',
    };
    expect(decodeEpc(SGTIN_96)).toEqual(expected);
    expect(decodeEpc(SGTIN_96.toLowerCase())).toEqual(expected);
  });

  it('returns undefined for the reserved partition 7 instead of throwing (the ThingMagic crash)', () => {
    expect(() => decodeEpc(SGTIN_96_PARTITION_7)).not.toThrow();
    expect(decodeEpc(SGTIN_96_PARTITION_7)).toBeUndefined();
    // Every other scheme with a partition table has the same reserved value.
    for (const header of ['2C', '2D', '31', '32', '33', '34', '3C', '3F']) {
      expect(decodeEpc(`${header}7C257BF7194E4000001A85`)).toBeUndefined();
    }
  });

  it('leaves identifiers that are not EPCs alone', () => {
    expect(decodeEpc('0500207B32')).toBeUndefined(); // EM4100 ID
    expect(decodeEpc('E2001026760E017915907125')).toBeUndefined(); // proprietary header E2
    expect(decodeEpc('000000000000000000001545')).toBeUndefined();
  });

  it('returns undefined for strings that are not whole hex bytes', () => {
    for (const text of ['', '3', '30', `${SGTIN_96}0`, `${SGTIN_96} `, `${SGTIN_96.slice(0, -1)}G`, '３０']) {
      expect(decodeEpc(text)).toBeUndefined();
    }
    expect(decodeEpc(SGTIN_96.slice(0, 22))).toBeUndefined(); // one byte short of 96 bits
  });

  it('accepts zero word padding after the scheme but not a non-zero tail', () => {
    expect(decodeEpc(`${SGTIN_96}0000`)?.uri).toBe('urn:epc:id:sgtin:0614141.812345.6789');
    expect(decodeEpc(`${SGTIN_96}0001`)).toBeUndefined();
  });

  it('rejects fields that overflow their digits, which epc-tds would print as a too-long number', () => {
    // Partition 6 (6-digit company prefix, 20 bits) holding 2^20 - 1 = 1048575: seven digits.
    expect(decodeEpc('301BFFFFC00000400000002A')).toBeUndefined();
    expect(decodeEpc('30180000400000400000002A')?.uri).toBe('urn:epc:id:sgtin:000001.0000001.42');
  });

  it('decodes SGTIN-198 as a reader reports it (26 bytes) and escapes the serial in the URI', () => {
    // urn:epc:tag:sgtin-198:3.0614141.812345.32a/b, encoded with epc-tds and padded to 13 words.
    const hex = '3674257BF7194E59B2C2BF1000000000000000000000000000';
    const expected = {
      scheme: 'sgtin-198',
      uri: 'urn:epc:id:sgtin:0614141.812345.32a%2Fb',
      gtin: '80614141123458',
      serial: '32a/b',
    };
    expect(decodeEpc(hex)).toEqual(expected);
    expect(decodeEpc(`${hex}00`)).toEqual(expected);
  });

  it('writes the empty reference of a 12-digit company prefix as TDS does', () => {
    // urn:epc:tag:sgln-96:3.061414112345.0.5678 (partition 0: the location reference has no digits).
    expect(decodeEpc('3260393243F164000000162E')?.uri).toBe('urn:epc:id:sgln:061414112345..5678');
  });

  it('pads the GSRN service reference to 17 digits with the company prefix', () => {
    expect(decodeEpc('2D74257BF400003039000000')?.uri).toBe('urn:epc:id:gsrn:0614141.0000012345');
  });
});

describe('EpcCache', () => {
  it('caches both answers', () => {
    const cache = new EpcCache({ limit: 2 });
    expect(cache.get(SGTIN_96)?.gtin).toBe('80614141123458');
    expect(cache.get('E2001026760E017915907125')).toBeUndefined();
    expect(cache.get(SGTIN_96)?.serial).toBe('6789');
  });

  it('works without options and does not count a plain "not an EPC" as an error', () => {
    const cache = new EpcCache();
    expect(cache.get(SGTIN_96_PARTITION_7)).toBeUndefined();
    expect(cache.get(SGTIN_96)?.scheme).toBe('sgtin-96');
    expect(cache.errors).toBe(0);
  });

  it('counts a decoder that throws, reports it once, and caches the miss', () => {
    const failure = new TypeError("Cannot read properties of undefined (reading 'a')");
    const decode = vi.fn((_hex: string) => {
      throw failure;
    });
    const onError = vi.fn();
    const cache = new EpcCache({ decode, onError });
    expect(cache.get(SGTIN_96_PARTITION_7)).toBeUndefined();
    expect(cache.get(SGTIN_96_PARTITION_7)).toBeUndefined();
    expect(cache.errors).toBe(1);
    expect(decode).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledExactlyOnceWith(failure, SGTIN_96_PARTITION_7);
  });

  it('survives an onError callback that throws', () => {
    const cache = new EpcCache({
      decode: () => {
        throw new Error('decoder broke');
      },
      onError: () => {
        throw new Error('reporter broke too');
      },
    });
    expect(() => cache.get(SGTIN_96)).not.toThrow();
    expect(cache.errors).toBe(1);
  });

  it('starts over when full', () => {
    const decode = vi.fn(decodeEpc);
    const cache = new EpcCache({ limit: 1, decode });
    cache.get(SGTIN_96);
    cache.get('E2001026760E017915907125');
    cache.get(SGTIN_96);
    expect(decode).toHaveBeenCalledTimes(3);
  });
});
