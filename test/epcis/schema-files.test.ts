import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_SCHEMA_ID, documentErrors, eventErrors, SCHEMA_DIR, schemaFiles } from './epcis-schema.js';

/** `| \`file\` | bytes | \`sha256\` |` rows of SOURCE.md. */
function listedSums(): Map<string, string> {
  const source = readFileSync(`${SCHEMA_DIR}SOURCE.md`, 'utf8');
  const rows = [...source.matchAll(/^\| `([^`]+)` \| \d+ \| `([0-9a-f]{64})` \|$/gm)];
  return new Map(rows.map((row) => [row[1] as string, row[2] as string]));
}

/** A document written by hand from devices.md §4: a sale, as the standard's facts describe one. */
const HAND_WRITTEN = {
  '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-11-22T10:00:26.500Z',
  epcisBody: {
    eventList: [
      {
        type: 'ObjectEvent',
        eventTime: '2026-11-22T10:00:26.500Z',
        eventTimeZoneOffset: '+01:00',
        eventID: 'urn:uuid:6a1d5f6e-0d6b-5c3a-9a55-5f0c6f1d2e3b',
        action: 'DELETE',
        epcList: ['urn:epc:id:sgtin:0614141.812345.6790'],
        bizStep: 'retail_selling',
        disposition: 'retail_sold',
        readPoint: { id: 'urn:epc:id:sgln:0614141.00777.0' },
      },
    ],
  },
};

describe('the bundled EPCIS 2.0 JSON Schema (test/schemas/epcis)', () => {
  it('is byte for byte what SOURCE.md lists (sha256), and every schema file is listed', () => {
    const listed = listedSums();
    expect([...listed.keys()].sort()).toEqual([...schemaFiles(), 'LICENSE'].sort());
    for (const [name, sum] of listed) {
      const actual = createHash('sha256')
        .update(readFileSync(`${SCHEMA_DIR}${name}`))
        .digest('hex');
      expect(actual, name).toBe(sum);
    }
  });

  it("is GS1's document schema, draft-07", () => {
    const schema = JSON.parse(readFileSync(`${SCHEMA_DIR}EPCISDocument.schema.json`, 'utf8')) as {
      $id: string;
      $schema: string;
    };
    expect(schema.$id).toBe(DOCUMENT_SCHEMA_ID);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('accepts a hand-written sale, as a document and as a standalone ObjectEvent', () => {
    expect(documentErrors(HAND_WRITTEN)).toEqual([]);
    const [event] = HAND_WRITTEN.epcisBody.eventList;
    expect(eventErrors('ObjectEvent', { '@context': HAND_WRITTEN['@context'], ...event })).toEqual([]);
  });

  // Without these, a validator that accepted anything would pass every other test.
  it.each([
    ['no schemaVersion', (d: Record<string, unknown>) => delete d.schemaVersion],
    ['no @context', (d: Record<string, unknown>) => delete d['@context']],
    ['a creationDate that is no date-time', (d: Record<string, unknown>) => (d.creationDate = '22.11.2026')],
    ['an unknown top-level field', (d: Record<string, unknown>) => (d.gateway = 'gw1')],
  ])('refuses a document with %s', (_what, spoil) => {
    const copy = structuredClone(HAND_WRITTEN) as unknown as Record<string, unknown>;
    spoil(copy);
    expect(documentErrors(copy)).not.toEqual([]);
  });

  it.each([
    ['no eventTimeZoneOffset', { eventTimeZoneOffset: undefined }],
    ['an offset without a sign', { eventTimeZoneOffset: '01:00' }],
    ['an action that is not ADD, OBSERVE or DELETE', { action: 'SELL' }],
    ['a bizStep the CBV does not have', { bizStep: 'selling' }],
    ['a disposition the CBV does not have', { disposition: 'sold' }],
    ['an EPC that is no URI', { epcList: ['3034257BF7194E4000001A86'] }],
    [
      'the same EPC twice',
      { epcList: ['urn:epc:id:sgtin:0614141.812345.6790', 'urn:epc:id:sgtin:0614141.812345.6790'] },
    ],
    ['neither epcList nor quantityList', { epcList: undefined }],
    ['a quantity element without its class', { epcList: undefined, quantityList: [{ quantity: 1 }] }],
    ['a field the ObjectEvent does not have', { zone: 'fridge' }],
  ])('refuses an ObjectEvent with %s', (_what, change) => {
    const copy = structuredClone(HAND_WRITTEN);
    const event = { ...copy.epcisBody.eventList[0], ...change } as Record<string, unknown>;
    for (const [key, value] of Object.entries(event)) if (value === undefined) delete event[key];
    copy.epcisBody.eventList = [event as (typeof copy.epcisBody.eventList)[number]];
    expect(documentErrors(copy)).not.toEqual([]);
  });
});
