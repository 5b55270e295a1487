import { describe, expect, it } from 'vitest';
import { decodeEpc, EpcCache } from './epc.js';

describe('decodeEpc', () => {
  it('decodes the SGTIN-96 example of the EPC Tag Data Standard', () => {
    // TDS: urn:epc:id:sgtin:0614141.812345.6789 with filter 3 is 3074257BF7194E4000001A85; the GTIN
    // is indicator 8 + 0614141 + 12345 + check digit 8.
    expect(decodeEpc('3074257BF7194E4000001A85')).toEqual({
      scheme: 'sgtin-96',
      uri: 'urn:epc:id:sgtin:0614141.812345.6789',
      gtin: '80614141123458',
      serial: '6789',
    });
  });

  it('leaves identifiers that are not EPCs alone', () => {
    expect(decodeEpc('0500207B32')).toBeUndefined(); // EM4100 ID
    expect(decodeEpc('E2001026760E017915907125')).toBeUndefined(); // proprietary header E2
    expect(decodeEpc('000000000000000000001545')).toBeUndefined();
  });

  it('caches both answers', () => {
    const cache = new EpcCache(2);
    expect(cache.get('3074257BF7194E4000001A85')?.gtin).toBe('80614141123458');
    expect(cache.get('E2001026760E017915907125')).toBeUndefined();
    expect(cache.get('3074257BF7194E4000001A85')?.serial).toBe('6789');
  });
});
