/** The one SGTIN-96 encoder (shared/sgtin.ts), checked against the TDS example and the decoder. */
import { describe, expect, it } from 'vitest';
import { sgtin96, sgtin96Bytes } from '../shared/sgtin.js';
import { decodeEpc } from './epc.js';

describe('sgtin96', () => {
  it('encodes the Tag Data Standard example and the tags the project writes', () => {
    // TDS 2.1 §E.3: urn:epc:id:sgtin:0614141.812345.6789, filter 3 → 3074257BF7194E4000001A85.
    expect(sgtin96({ itemReference: 812345, serial: 6789, filter: 3 })).toBe('3074257BF7194E4000001A85');
    expect(decodeEpc(sgtin96({ itemReference: 812346, serial: 101 }))).toMatchObject({
      uri: 'urn:epc:id:sgtin:0614141.812346.101',
    });
    expect(
      Buffer.from(sgtin96Bytes({ itemReference: 812345, serial: 6789, filter: 3 })).toString('hex'),
    ).toBe('3074257bf7194e4000001a85');
  });

  it('takes the partition from the company prefix length', () => {
    const twelve = sgtin96({ companyPrefix: '061414100000', itemReference: 8, serial: 1 });
    expect(decodeEpc(twelve)).toMatchObject({ uri: 'urn:epc:id:sgtin:061414100000.8.1' });
    const six = sgtin96({ companyPrefix: '061414', itemReference: 1234567, serial: 2 });
    expect(decodeEpc(six)).toMatchObject({ uri: 'urn:epc:id:sgtin:061414.1234567.2' });
  });

  it('names what does not fit', () => {
    expect(() => sgtin96({ itemReference: 1_000_000, serial: 1 })).toThrow(
      'item reference 1000000 does not fit 6 digits',
    );
    expect(() => sgtin96({ itemReference: 1, serial: 2 ** 38 })).toThrow('does not fit 38 bits');
    expect(() => sgtin96({ companyPrefix: '12345', itemReference: 1, serial: 1 })).toThrow('6 to 12 digits');
  });
});
