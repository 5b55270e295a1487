import { describe, expect, it } from 'vitest';
import { eventIdFor, gtinClass, objectsOf, timeZoneOffset, uuidV5 } from './mapping.js';

describe('uuidV5', () => {
  it('gives the RFC 4122 name-based UUID (vector: Python uuid.uuid5(NAMESPACE_DNS, "www.example.com"))', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('refuses a namespace that is no UUID', () => {
    expect(() => uuidV5('gw1', 'x')).toThrow(/not a UUID/);
  });
});

describe('eventIdFor', () => {
  it('is a version 5 UUID URN, the same for the same name and different for another', () => {
    const id = eventIdFor('sale 4b0c1d2e-0000-4000-8000-000000000001');
    expect(id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventIdFor('sale 4b0c1d2e-0000-4000-8000-000000000001')).toBe(id);
    expect(eventIdFor('exit 4b0c1d2e-0000-4000-8000-000000000001')).not.toBe(id);
  });
});

describe('timeZoneOffset', () => {
  const winter = Date.parse('2026-11-22T10:00:00Z');
  const summer = Date.parse('2026-07-01T10:00:00Z');
  it.each([
    ['UTC', winter, '+00:00'],
    ['Europe/Berlin', winter, '+01:00'],
    ['Europe/Berlin', summer, '+02:00'],
    ['Asia/Kolkata', winter, '+05:30'],
    ['America/St_Johns', winter, '-03:30'],
    ['America/New_York', summer, '-04:00'],
    ['Pacific/Kiritimati', winter, '+14:00'],
    ['Europe/London', winter, '+00:00'],
  ])('%s at %i is %s', (zone, atMs, offset) => {
    expect(timeZoneOffset(atMs, zone)).toBe(offset);
  });

  it('is +00:00 for a zone Intl does not know', () => {
    expect(timeZoneOffset(winter, 'Mars/Olympus_Mons')).toBe('+00:00');
  });
});

describe('objectsOf', () => {
  it('lists EPC URIs once each, counts GTIN-only tags per class, and counts the rest as unidentified', () => {
    expect(
      objectsOf([
        {
          tag: '3034257BF7194E4000001A85',
          uri: 'urn:epc:id:sgtin:0614141.812345.6789',
          gtin: '80614141123458',
        },
        { tag: '0500207B32', gtin: '04012345000016', sku: 'GUM' },
        { tag: '3034257BF7194E4000001A85', uri: 'urn:epc:id:sgtin:0614141.812345.6789' },
        { tag: '0500207B33', gtin: '04012345000016', sku: 'GUM' },
        { tag: 'E280117000000208AB12CD34' },
        { tag: '0500207B34', sku: 'NO-GTIN' },
      ]),
    ).toEqual({
      epcList: ['urn:epc:id:sgtin:0614141.812345.6789'],
      quantityList: [{ epcClass: 'https://id.gs1.org/01/04012345000016', quantity: 2 }],
      unidentified: 2,
    });
  });

  it('names a GTIN class by its GS1 Digital Link URI', () => {
    expect(gtinClass('80614141123458')).toBe('https://id.gs1.org/01/80614141123458');
  });
});
