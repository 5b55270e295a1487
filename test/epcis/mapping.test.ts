/**
 * The EPCIS mapping of each kind of fact, against JSON written by hand from devices.md §4 (the
 * EPCIS 2.0 document and ObjectEvent fields) and CBV 2.0 (retail_selling / retail_sold for a sale,
 * entering_exiting for a door, cycle_counting for a shelf count), and every document validated
 * against GS1's schema.
 */
import { describe, expect, it } from 'vitest';
import {
  cycleCountEvent,
  doorEvent,
  doorReadPointFor,
  type EventStamp,
  epcisDocument,
  eventIdFor,
  objectsOf,
  saleEvent,
} from '../../src/integrations/epcis/index.js';
import { eventErrors, expectValidDocument } from './epcis-schema.js';

const FRIDGE = 'urn:epc:id:sgln:0614141.00777.0';
const DOOR = 'urn:epc:id:sgln:0614141.00777.1';
const COLA_6790 = 'urn:epc:id:sgtin:0614141.812345.6790';
const JUICE_2002 = 'urn:epc:id:sgtin:0614141.812347.2002';

const stamp = (iso: string, offset: string, id: string): EventStamp => ({
  atMs: Date.parse(iso),
  timeZoneOffset: offset,
  eventID: id,
});

const SALE = saleEvent(
  objectsOf([
    { tag: '3034257BF7194EC0000007D2', uri: JUICE_2002, gtin: '80614141123472', sku: 'OJ-025' },
    { tag: '3034257BF7194E4000001A86', uri: COLA_6790, gtin: '80614141123458', sku: 'COLA-033' },
  ]),
  stamp('2026-11-22T10:00:26.500Z', '+01:00', 'urn:uuid:11111111-1111-5111-8111-111111111111'),
  { readPoint: FRIDGE, bizLocation: FRIDGE },
);

const SALE_JSON = {
  type: 'ObjectEvent',
  eventTime: '2026-11-22T10:00:26.500Z',
  eventTimeZoneOffset: '+01:00',
  eventID: 'urn:uuid:11111111-1111-5111-8111-111111111111',
  action: 'OBSERVE',
  epcList: ['urn:epc:id:sgtin:0614141.812347.2002', 'urn:epc:id:sgtin:0614141.812345.6790'],
  bizStep: 'retail_selling',
  disposition: 'retail_sold',
  readPoint: { id: 'urn:epc:id:sgln:0614141.00777.0' },
  bizLocation: { id: 'urn:epc:id:sgln:0614141.00777.0' },
};

const EXIT = doorEvent(
  objectsOf([{ tag: '3034257BF7194E4000001A85', uri: 'urn:epc:id:sgtin:0614141.812345.6789' }]),
  stamp('2026-11-22T10:00:03.600Z', '+00:00', 'urn:uuid:22222222-2222-5222-8222-222222222222'),
  DOOR,
);

const EXIT_JSON = {
  type: 'ObjectEvent',
  eventTime: '2026-11-22T10:00:03.600Z',
  eventTimeZoneOffset: '+00:00',
  eventID: 'urn:uuid:22222222-2222-5222-8222-222222222222',
  action: 'OBSERVE',
  epcList: ['urn:epc:id:sgtin:0614141.812345.6789'],
  bizStep: 'entering_exiting',
  readPoint: { id: 'urn:epc:id:sgln:0614141.00777.1' },
};

const COUNT = cycleCountEvent(
  objectsOf([
    { tag: '3034257BF7194E4000001A85', uri: 'urn:epc:id:sgtin:0614141.812345.6789' },
    { tag: '3034257BF7194E8000000065', uri: 'urn:epc:id:sgtin:0614141.812346.101' },
    // An EM4100 sticker the catalog maps to a product: its class, counted.
    { tag: '0500207B32', gtin: '04012345000016', sku: 'GUM' },
    { tag: '0500207B33', gtin: '04012345000016', sku: 'GUM' },
  ]),
  stamp('2026-11-22T11:00:00.000Z', '-05:00', 'urn:uuid:33333333-3333-5333-8333-333333333333'),
  { readPoint: FRIDGE, bizLocation: FRIDGE },
);

const COUNT_JSON = {
  type: 'ObjectEvent',
  eventTime: '2026-11-22T11:00:00.000Z',
  eventTimeZoneOffset: '-05:00',
  eventID: 'urn:uuid:33333333-3333-5333-8333-333333333333',
  action: 'OBSERVE',
  epcList: ['urn:epc:id:sgtin:0614141.812345.6789', 'urn:epc:id:sgtin:0614141.812346.101'],
  quantityList: [{ epcClass: 'https://id.gs1.org/01/04012345000016', quantity: 2 }],
  bizStep: 'cycle_counting',
  readPoint: { id: 'urn:epc:id:sgln:0614141.00777.0' },
  bizLocation: { id: 'urn:epc:id:sgln:0614141.00777.0' },
};

const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'];

describe('EPCIS mapping', () => {
  it('a purchase is an OBSERVE (the objects go on existing), retail_selling, retail_sold, of the EPCs taken, at the cabinet', () => {
    expect(SALE).toEqual(SALE_JSON);
  });

  it('a door passage is an OBSERVE, entering_exiting, read at the door, with no bizLocation', () => {
    expect(EXIT).toEqual(EXIT_JSON);
  });

  it("a door's default read point is a name-based UUID URN of the gateway, the door and the zone", () => {
    const outside = doorReadPointFor('gw1', 'front', 'outside');
    // UUID version 5 of "readPoint gw1 front outside" in EVENT_ID_NAMESPACE: the same on every run.
    expect(outside).toBe(eventIdFor('readPoint gw1 front outside'));
    expect(outside).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(
      new Set([
        outside,
        doorReadPointFor('gw1', 'front', 'inside'),
        doorReadPointFor('gw1', 'back', 'outside'),
        doorReadPointFor('gw2', 'front', 'outside'),
      ]).size,
    ).toBe(4);
    const exit = doorEvent(
      objectsOf([{ tag: '3034257BF7194E4000001A85', uri: 'urn:epc:id:sgtin:0614141.812345.6789' }]),
      stamp('2026-11-22T10:00:03.600Z', '+00:00', 'urn:uuid:22222222-2222-5222-8222-222222222222'),
      outside,
    );
    expectValidDocument(epcisDocument([exit], Date.parse(exit.eventTime)));
  });

  it('a shelf count is an OBSERVE, cycle_counting, EPCs and GTIN classes, at the shelf', () => {
    expect(COUNT).toEqual(COUNT_JSON);
  });

  it('an empty shelf is counted too: an empty epcList and no quantityList', () => {
    const empty = cycleCountEvent(
      objectsOf([]),
      stamp('2026-11-22T12:00:00.000Z', '+00:00', 'urn:uuid:44444444-4444-5444-8444-444444444444'),
      {},
    );
    expect(empty).toEqual({
      type: 'ObjectEvent',
      eventTime: '2026-11-22T12:00:00.000Z',
      eventTimeZoneOffset: '+00:00',
      eventID: 'urn:uuid:44444444-4444-5444-8444-444444444444',
      action: 'OBSERVE',
      epcList: [],
      bizStep: 'cycle_counting',
    });
    const document = epcisDocument([empty], Date.parse('2026-11-22T12:00:00.000Z'));
    expectValidDocument(document);
  });

  it('a tag with only a GTIN leaves the sale with an empty epcList and its class in quantityList', () => {
    const sale = saleEvent(
      objectsOf([{ tag: '0500207B32', gtin: '04012345000016' }]),
      stamp('2026-11-22T10:00:26.500Z', '+00:00', 'urn:uuid:55555555-5555-5555-8555-555555555555'),
      {},
    );
    expect(sale).toEqual({
      type: 'ObjectEvent',
      eventTime: '2026-11-22T10:00:26.500Z',
      eventTimeZoneOffset: '+00:00',
      eventID: 'urn:uuid:55555555-5555-5555-8555-555555555555',
      action: 'OBSERVE',
      epcList: [],
      quantityList: [{ epcClass: 'https://id.gs1.org/01/04012345000016', quantity: 1 }],
      bizStep: 'retail_selling',
      disposition: 'retail_sold',
    });
    expectValidDocument(epcisDocument([sale], Date.parse('2026-11-22T10:00:26.500Z')));
  });

  it.each([
    ['sale', SALE],
    ['door', EXIT],
    ['cycle count', COUNT],
  ])('a document of one %s is a valid EPCIS 2.0 document, its event a valid ObjectEvent', (_kind, event) => {
    const document = epcisDocument([event], Date.parse(event.eventTime));
    expect(document).toEqual({
      '@context': CONTEXT,
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: event.eventTime,
      epcisBody: { eventList: [event] },
    });
    expectValidDocument(document);
    expect(eventErrors('ObjectEvent', { '@context': CONTEXT, ...event })).toEqual([]);
  });

  it('a document with every kind of event is valid', () => {
    const document = epcisDocument([EXIT, SALE, COUNT], Date.parse('2026-11-22T11:00:00.001Z'));
    expect(document).toEqual({
      '@context': CONTEXT,
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-11-22T11:00:00.001Z',
      epcisBody: { eventList: [EXIT_JSON, SALE_JSON, COUNT_JSON] },
    });
    expectValidDocument(document);
  });
});
