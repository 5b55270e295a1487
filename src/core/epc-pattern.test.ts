import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileEpcPattern, matchesEpc96 } from './epc-pattern.js';
import { fromHex } from './hex.js';

// epc-tds is CommonJS (`module.exports = TDS`) while its typings declare an ES default export.
const tds = createRequire(import.meta.url)('epc-tds') as typeof import('epc-tds').default;

/** DESIGN.md event envelope example: urn:epc:id:sgtin:0614141.812345.6789, filter 3. */
const DESIGN_SGTIN = '3074257BF7194E4000001A85';
/** protocols.md §4.4, Chafon UHFReader288 test frame RESP_TAGS_2 (wabson/chafon-rfid): SGTIN-96, partition 6. */
const CHAFON_RESP_TAGS_2_EPC = '3039606303C74380001A0559';
/** protocols.md §6, sllurp tests/test_all.py TestDecodeROAccessReport, first EPC-96: SGTIN-96, partition 1. */
const LLRP_SLLURP_EPC = '3005FB63AC1F3841EC880467';
/** protocols.md §3.5, IND903 real-time inventory frame (espinr/activioty): an E2 (TID-style) header, not GS1. */
const R2000_IND903_EPC = 'E200301666130121155074EF';

function matches(pattern: string, hex: string): boolean {
  const bytes = fromHex(hex);
  return matchesEpc96(compileEpcPattern(pattern), bytes, 0, bytes.length);
}

describe('compileEpcPattern', () => {
  it('matches the DESIGN.md SGTIN-96 by company, item and serial, and wildcards', () => {
    expect(matches('urn:epc:pat:sgtin-96:3.0614141.*.*', DESIGN_SGTIN)).toBe(true);
    expect(matches('urn:epc:pat:sgtin-96:*.0614141.812345.*', DESIGN_SGTIN)).toBe(true);
    expect(matches('urn:epc:pat:sgtin-96:3.0614141.812345.6789', DESIGN_SGTIN)).toBe(true);
    expect(matches('urn:epc:pat:sgtin-96:*.*.*.*', DESIGN_SGTIN)).toBe(true);
  });

  it('rejects a different filter, company, item, serial or scheme', () => {
    expect(matches('urn:epc:pat:sgtin-96:1.0614141.*.*', DESIGN_SGTIN)).toBe(false);
    expect(matches('urn:epc:pat:sgtin-96:3.0614142.*.*', DESIGN_SGTIN)).toBe(false);
    expect(matches('urn:epc:pat:sgtin-96:3.0614141.812346.*', DESIGN_SGTIN)).toBe(false);
    expect(matches('urn:epc:pat:sgtin-96:3.0614141.812345.6788', DESIGN_SGTIN)).toBe(false);
    // Same digits, other partition: 06141410 is an 8-digit company prefix.
    expect(matches('urn:epc:pat:sgtin-96:3.06141418.12345.*', DESIGN_SGTIN)).toBe(false);
    expect(matches('urn:epc:pat:sscc-96:*.*.*', DESIGN_SGTIN)).toBe(false);
  });

  it('matches real EPCs from the protocol fact sheet', () => {
    expect(matches('urn:epc:pat:sgtin-96:1.360844.0990478.*', CHAFON_RESP_TAGS_2_EPC)).toBe(true);
    expect(matches('urn:epc:pat:sgtin-96:0.68100645113.97.8263304295', LLRP_SLLURP_EPC)).toBe(true);
    expect(matches('urn:epc:pat:sgtin-96:*.*.*.*', R2000_IND903_EPC)).toBe(false);
  });

  it('needs exactly 12 bytes', () => {
    const pattern = compileEpcPattern('urn:epc:pat:sgtin-96:*.*.*.*');
    const bytes = fromHex(`${DESIGN_SGTIN}00`);
    expect(matchesEpc96(pattern, bytes, 0, 12)).toBe(true);
    expect(matchesEpc96(pattern, bytes, 0, 13)).toBe(false);
    expect(matchesEpc96(pattern, bytes, 1, 12)).toBe(false);
  });

  it.each([
    ['urn:epc:id:sgtin:0614141.812345.6789', 'must start with "urn:epc:pat:"'],
    ['urn:epc:pat:sgtin-198:3.0614141.*.*', 'unsupported scheme "sgtin-198"'],
    ['urn:epc:pat:sgtin-96:3.0614141.*', 'takes 4 dot-separated fields'],
    ['urn:epc:pat:sgtin-96:8.0614141.*.*', 'filter 8 does not fit in 3 bits'],
    ['urn:epc:pat:sgtin-96:3.06141.*.*', 'must have 6 to 12 digits'],
    ['urn:epc:pat:sgtin-96:3.0614141.81234.*', 'exactly 6 digits'],
    ['urn:epc:pat:sgtin-96:3.0614141.812345.06789', 'without leading zeros'],
    ['urn:epc:pat:sgtin-96:3.0614141.812345.274877906944', 'does not fit in 38 bits'],
    ['urn:epc:pat:sgtin-96:3.*.812345.*', 'after a "*" company prefix'],
    ['urn:epc:pat:sgtin-96:3.0614141.*.6789', 'after a "*" reference'],
    ['urn:epc:pat:sgtin-96:3.061414a.*.*', 'decimal digits'],
  ])('rejects %s naming the pattern', (pattern, reason) => {
    expect(() => compileEpcPattern(pattern)).toThrow(`Invalid EPC pattern "${pattern}"`);
    expect(() => compileEpcPattern(pattern)).toThrow(reason);
  });

  it('accepts an empty zero-digit reference (SGLN-96 with a 12-digit company prefix)', () => {
    const sgln = new tds.Sgln96().setFilter(1).setPartition(0).setCompany(614141123456).setExtension(7);
    expect(matches('urn:epc:pat:sgln-96:1.614141123456..7', sgln.toHexString())).toBe(true);
    expect(matches('urn:epc:pat:sgln-96:1.614141123456..8', sgln.toHexString())).toBe(false);
  });
});

/** Random valid EPCs built by epc-tds (an independent implementation of the TDS) for each scheme. */
const partition = fc.integer({ min: 0, max: 6 });
const filter = fc.integer({ min: 0, max: 7 });
const companyDigits = [12, 11, 10, 9, 8, 7, 6];
const upTo = (digits: number) =>
  fc.integer({ min: 0, max: Math.min(10 ** digits - 1, Number.MAX_SAFE_INTEGER) });

const encoded = fc.oneof(
  fc.tuple(filter, partition, fc.nat(), fc.nat(), upTo(11)).map(([f, p, company, item, serial]) =>
    new tds.Sgtin96()
      .setFilter(f)
      .setPartition(p)
      .setCompanyPrefix(company % 10 ** (companyDigits[p] as number))
      .setItemReference(item % 10 ** (13 - (companyDigits[p] as number)))
      .setSerial(serial),
  ),
  fc.tuple(filter, partition, fc.nat(), fc.nat()).map(([f, p, company, reference]) =>
    new tds.Sscc96()
      .setFilter(f)
      .setPartition(p)
      .setCompanyPrefix(company % 10 ** (companyDigits[p] as number))
      .setSerialReference(reference % 10 ** (17 - (companyDigits[p] as number))),
  ),
  fc.tuple(filter, partition, fc.nat(), fc.nat(), upTo(12)).map(([f, p, company, location, extension]) =>
    new tds.Sgln96()
      .setFilter(f)
      .setPartition(p)
      .setCompany(company % 10 ** (companyDigits[p] as number))
      .setLocation(location % 10 ** (12 - (companyDigits[p] as number)))
      .setExtension(extension),
  ),
  fc.tuple(filter, partition, fc.nat(), fc.nat(), upTo(11)).map(([f, p, company, asset, serial]) =>
    new tds.Grai96()
      .setFilter(f)
      .setPartition(p)
      .setCompanyPrefix(company % 10 ** (companyDigits[p] as number))
      .setAssetType(asset % 10 ** (12 - (companyDigits[p] as number)))
      .setSerial(serial),
  ),
  fc.tuple(filter, partition, fc.nat(), upTo(15)).map(([f, p, company, asset]) =>
    new tds.Giai96()
      .setFilter(f)
      .setPartition(p)
      .setCompanyPrefix(company % 10 ** (companyDigits[p] as number))
      .setAssetReference(BigInt(asset % 10 ** (25 - (companyDigits[p] as number)))),
  ),
);

describe('compileEpcPattern against epc-tds', () => {
  it('the tag URI as a pattern matches the tag; with a field wildcarded it still does', () => {
    fc.assert(
      fc.property(encoded, fc.integer({ min: 0, max: 3 }), (epc, wildcardFrom) => {
        const hex = epc.toHexString();
        const fields = epc.toTagURI().replace('urn:epc:tag:', 'urn:epc:pat:').split(':');
        const values = (fields[4] as string).split('.');
        expect(matches(`${fields.slice(0, 4).join(':')}:${values.join('.')}`, hex)).toBe(true);
        // Wildcard a suffix of the fields (and the filter), as the grammar requires.
        const wild = values.map((value, index) => (index === 0 || index >= wildcardFrom + 1 ? '*' : value));
        expect(matches(`${fields.slice(0, 4).join(':')}:${wild.join('.')}`, hex)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a change in any bit the pattern fixes makes it miss', () => {
    fc.assert(
      fc.property(encoded, fc.integer({ min: 0, max: 95 }), (epc, bit) => {
        const hex = epc.toHexString();
        const pattern = compileEpcPattern(epc.toTagURI().replace('urn:epc:tag:', 'urn:epc:pat:'));
        const bytes = fromHex(hex);
        bytes[bit >> 3] = (bytes[bit >> 3] as number) ^ (0x80 >> (bit & 7));
        const fixed = ((pattern.mask[bit >> 5] as number) >>> (31 - (bit & 31))) & 1;
        expect(matchesEpc96(pattern, bytes, 0, 12)).toBe(fixed === 0);
      }),
      { numRuns: 300 },
    );
  });
});
