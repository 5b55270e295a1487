/**
 * The EPCIS extension in a whole gateway: cycle counts on the clock (a shelf reader fed frames of the
 * simulator), sales and door passages from the bus, each `epcis.event` a valid EPCIS 2.0 document.
 * The expected ObjectEvents are written by hand from devices.md §4 and the CBV vocabulary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { engineChecks } from '../../src/app/config-checks.js';
import { replayCapture } from '../../src/app/replay.js';
import { epcisSchema } from '../../src/config/integrations.js';
import { loadConfigFile } from '../../src/config/load.js';
import { type EpcisService, epcisRecorder } from '../../src/integrations/epcis/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import { SOLD, UNKNOWN, UNSOLD } from '../exit-monitor/door-capture.js';
import { tap } from '../helpers/features.js';
import { expectValidDocument } from './epcis-schema.js';
import {
  COLA_11,
  COLA_11_URI,
  EVENT_ID,
  GUM_CLASS,
  GUM_TAG,
  SHELF_SGLN,
  STRANGER,
  shelfConfig,
  startShelf,
  WATER_12,
  WATER_12_URI,
} from './gateway.js';

const SHELF = { id: SHELF_SGLN };

/** A cycle count of the shelf as devices.md §4 and CBV describe it, at `eventTime`. */
function count(
  eventTime: string,
  epcList: string[],
  quantityList?: Array<{ epcClass: string; quantity: number }>,
) {
  return {
    type: 'ObjectEvent',
    eventTime,
    eventTimeZoneOffset: '+00:00',
    eventID: expect.stringMatching(EVENT_ID),
    action: 'OBSERVE',
    epcList,
    ...(quantityList ? { quantityList } : {}),
    bizStep: 'cycle_counting',
    readPoint: SHELF,
    bizLocation: SHELF,
  };
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('EPCIS cycle counts', () => {
  it('counts the shelf on every minute as time passes, read or not', async () => {
    const gateway = await startShelf({ config: shelfConfig(), startIso: '2026-11-22T10:00:30.000Z' });
    gateway.readUntil([COLA_11, WATER_12, GUM_TAG, STRANGER], '2026-11-22T10:01:10.000Z');
    // The reader reads an empty field after 10:01:10: every tag departs 3 s later; the 10:02 count
    // finds the shelf empty.
    gateway.readUntil([], '2026-11-22T10:09:30.000Z');
    gateway.readUntil([COLA_11], '2026-11-22T10:10:10.000Z');
    gateway.readUntil([], '2026-11-22T10:12:00.000Z');
    await gateway.controller.stop();

    const minute = (m: number) => `2026-11-22T10:${String(m).padStart(2, '0')}:00.000Z`;
    const empty = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => count(minute(from + i), []));
    expect(gateway.objectEvents()).toEqual([
      count(minute(1), [COLA_11_URI, WATER_12_URI], [{ epcClass: GUM_CLASS, quantity: 1 }]),
      // An empty shelf is counted too: an empty count is evidence that nothing is there.
      ...empty(2, 9),
      count(minute(10), [COLA_11_URI]),
      // The cola departed at 10:10:13.
      ...empty(11, 12),
    ]);
    const envelopes = gateway.epcis();
    expect(envelopes.map(({ kind, zone, ts, unidentified }) => ({ kind, zone, ts, unidentified }))).toEqual(
      Array.from({ length: 12 }, (_, i) => ({
        kind: 'cycle_count',
        zone: 'shelf',
        ts: minute(i + 1),
        unidentified: i === 0 ? 1 : undefined,
      })),
    );
    for (const envelope of envelopes) {
      expect(envelope.document.creationDate).toBe(envelope.ts);
      expectValidDocument(envelope.document);
    }
    expect(new Set(gateway.objectEvents().map((event) => event.eventID)).size).toBe(12);
    expect(gateway.controller.service('epcis')?.stats).toEqual({
      events: { sale: 0, exit: 0, entry: 0, cycle_count: 12 },
      unidentified: 1,
      staleCountsSkipped: 0,
    });
  });

  it('counts on every interval in `run`, whether anything happens or not', async () => {
    const gateway = await startShelf({
      config: shelfConfig(),
      startIso: '2026-11-22T10:00:30.000Z',
      mode: 'run',
    });
    gateway.readUntil([COLA_11], '2026-11-22T10:02:30.000Z');
    gateway.readUntil([], '2026-11-22T10:05:00.000Z');
    await gateway.controller.stop();
    expect(gateway.objectEvents()).toEqual([
      count('2026-11-22T10:01:00.000Z', [COLA_11_URI]),
      count('2026-11-22T10:02:00.000Z', [COLA_11_URI]),
      count('2026-11-22T10:03:00.000Z', []),
      count('2026-11-22T10:04:00.000Z', []),
      count('2026-11-22T10:05:00.000Z', []),
    ]);
  });

  it('counts at multiples of the interval since the epoch: hourly counts come on the hour', async () => {
    const gateway = await startShelf({
      config: shelfConfig({
        epcis: { countZones: ['shelf'], cycleCountIntervalMs: 3_600_000, locations: { shelf: SHELF_SGLN } },
      }),
      startIso: '2026-11-22T10:59:50.000Z',
      mode: 'run',
    });
    gateway.readUntil([WATER_12], '2026-11-22T11:00:10.000Z');
    gateway.readUntil([], '2026-11-22T12:00:00.000Z');
    await gateway.controller.stop();
    expect(gateway.objectEvents()).toEqual([
      count('2026-11-22T11:00:00.000Z', [WATER_12_URI]),
      count('2026-11-22T12:00:00.000Z', []),
    ]);
  });

  it('does not count a zone while a reader of it is offline (its tags are held, not seen)', async () => {
    const gateway = await startShelf({ config: shelfConfig(), startIso: '2026-11-22T10:00:30.000Z' });
    gateway.readUntil([COLA_11], '2026-11-22T10:01:20.000Z');
    gateway.controller.bus.emit({
      type: 'reader.status',
      reader: 'shelf',
      state: 'offline',
      reason: 'unplugged',
    });
    gateway.at('2026-11-22T10:02:10.000Z');
    gateway.controller.bus.emit({ type: 'reader.status', reader: 'shelf', state: 'online' });
    gateway.readUntil([COLA_11], '2026-11-22T10:03:10.000Z');
    await gateway.controller.stop();
    expect(gateway.objectEvents()).toEqual([
      count('2026-11-22T10:01:00.000Z', [COLA_11_URI]),
      count('2026-11-22T10:03:00.000Z', [COLA_11_URI]),
    ]);
    expect(gateway.controller.service('epcis')?.stats.staleCountsSkipped).toBe(1);
  });

  it('does not count a zone whose reader went silent: no empty count, its tags held (the end of a capture)', async () => {
    const gateway = await startShelf({ config: shelfConfig(), startIso: '2026-11-22T10:00:30.000Z' });
    gateway.readUntil([COLA_11, WATER_12], '2026-11-22T10:01:10.000Z');
    // No frame after the last round at 10:01:09.8, not even a heartbeat: stalled 2.5 s later.
    gateway.at('2026-11-22T10:03:30.000Z');
    await gateway.controller.stop();
    expect(gateway.objectEvents()).toEqual([count('2026-11-22T10:01:00.000Z', [COLA_11_URI, WATER_12_URI])]);
    expect(gateway.controller.service('epcis')?.stats.staleCountsSkipped).toBe(2);
    expect(gateway.events.filter((event) => event.type === 'tag.departed')).toEqual([]);
    expect(
      gateway.events.flatMap((event) => (event.type === 'reader.status' ? [[event.state, event.ts]] : [])),
    ).toEqual([['stalled', '2026-11-22T10:01:12.300Z']]);
  });

  it('does not list a tag restored after a restart until a reader sees it again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rfid-epcis-'));
    dirs.push(dataDir);
    const run = { config: shelfConfig(), mode: 'run' as const, dataDir };
    const first = await startShelf({ ...run, startIso: '2026-11-22T10:00:30.000Z' });
    first.readUntil([COLA_11, WATER_12], '2026-11-22T10:00:40.000Z');
    await first.controller.stop();

    // Back at 10:00:50: both are restored, neither is read before 10:01; the cola is read after it.
    const second = await startShelf({ ...run, startIso: '2026-11-22T10:00:50.000Z', catalog: false });
    second.at('2026-11-22T10:01:00.000Z');
    second.readUntil([COLA_11], '2026-11-22T10:02:10.000Z');
    await second.controller.stop();
    expect(second.objectEvents()).toEqual([
      count('2026-11-22T10:01:00.000Z', []),
      count('2026-11-22T10:02:00.000Z', [COLA_11_URI]),
    ]);
  });

  it('refuses to start when a counted zone has no reader (or only a card reader)', async () => {
    await expect(
      startShelf({
        config: shelfConfig({ epcis: { countZones: ['shelf', 'backroom'] } }),
        startIso: '2026-11-22T10:00:00.000Z',
        catalog: false,
      }),
    ).rejects.toThrow(/epcis failed to start: epcis\.countZones: no reader covers "backroom"/);
  });
});

describe('EPCIS sales from purchase.completed', () => {
  /** A purchase as the purchases extension emits it (src/shared/events.ts), for a cabinet the config does not have. */
  function purchase(items: Array<{ tag: string; uri?: string; gtin?: string; sku?: string }>) {
    return {
      type: 'purchase.completed' as const,
      session: '0b7e4a52-2f57-4c8e-9a59-0d8c7b1f3e21',
      cabinet: 'till-7',
      customer: 'cust-0017',
      items,
      total: 0,
      currency: 'EUR',
      returned: [],
      foreign: [],
      confidence: 'certain' as const,
      settleMs: 1500,
    };
  }

  it('names EPCs, counts GTIN-only items by class, leaves out and counts the rest', async () => {
    const gateway = await startShelf({ config: shelfConfig(), startIso: '2026-11-22T10:00:30.000Z' });
    gateway.controller.bus.emit(
      purchase([
        { tag: COLA_11, uri: COLA_11_URI, gtin: '80614141123458' },
        { tag: GUM_TAG, gtin: '04012345000016', sku: 'GUM' },
        { tag: STRANGER },
      ]),
    );
    // Nothing taken: nothing sold. Nothing EPCIS can name: no event, only counted.
    gateway.controller.bus.emit(purchase([]));
    gateway.controller.bus.emit(purchase([{ tag: STRANGER }, { tag: 'E280117000000208AB12CD37' }]));
    await gateway.controller.stop();

    const purchaseEvent = gateway.events.find((event) => event.type === 'purchase.completed') as GatewayEvent;
    const [sale, ...others] = gateway.epcis();
    expect(others).toEqual([]);
    expect(sale).toMatchObject({
      type: 'epcis.event',
      kind: 'sale',
      // The cabinet is not in this config: its id names the zone, and there is no location for it.
      zone: 'till-7',
      source: purchaseEvent.id,
      unidentified: 1,
      ts: '2026-11-22T10:00:30.000Z',
    });
    expect(sale?.document.epcisBody.eventList).toEqual([
      {
        type: 'ObjectEvent',
        eventTime: '2026-11-22T10:00:30.000Z',
        eventTimeZoneOffset: '+00:00',
        eventID: expect.stringMatching(EVENT_ID),
        action: 'OBSERVE',
        epcList: [COLA_11_URI],
        quantityList: [{ epcClass: GUM_CLASS, quantity: 1 }],
        bizStep: 'retail_selling',
        disposition: 'retail_sold',
      },
    ]);
    expectValidDocument(sale?.document);
    expect(gateway.controller.service('epcis')?.stats).toMatchObject({
      events: { sale: 1 },
      unidentified: 3,
    });
  });

  it('writes the offset of the store time zone (engagement.timeZone) with each time', async () => {
    const gateway = await startShelf({
      config: shelfConfig({ engagement: { zones: ['shelf'], timeZone: 'Europe/Berlin' } }),
      startIso: '2026-11-22T10:00:30.000Z',
    });
    gateway.controller.bus.emit(purchase([{ tag: COLA_11, uri: COLA_11_URI }]));
    await gateway.controller.stop();
    expect(gateway.objectEvents().map((event) => [event.eventTime, event.eventTimeZoneOffset])).toEqual([
      ['2026-11-22T10:00:30.000Z', '+01:00'],
    ]);
  });
});

describe('EPCIS door passages from tag.moved', () => {
  const CAPTURE = fileURLToPath(new URL('../exit-monitor/door-exit.jsonl', import.meta.url));
  const CONFIG = fileURLToPath(new URL('../../config/exit-door.json', import.meta.url));
  const INSIDE = 'urn:epc:id:sgln:0614141.00777.1';
  const OUTSIDE = 'urn:epc:id:sgln:0614141.00777.2';

  function door(eventTime: string, epc: string, readPoint: string) {
    return {
      type: 'ObjectEvent',
      eventTime,
      eventTimeZoneOffset: '+00:00',
      eventID: expect.stringMatching(EVENT_ID),
      action: 'OBSERVE',
      epcList: [epc],
      bizStep: 'entering_exiting',
      readPoint: { id: readPoint },
    };
  }

  it('records each exit and entry of the door scenario at the zone the tag was read in', async () => {
    const config = {
      ...loadConfigFile(CONFIG, engineChecks),
      epcis: epcisSchema.parse({ locations: { inside: INSIDE, outside: OUTSIDE } }),
    };
    const events: GatewayEvent[] = [];
    let epcis: EpcisService | undefined;
    const recorder = epcisRecorder();
    await replayCapture({
      file: CAPTURE,
      config,
      speed: 0,
      logger: silentLogger(),
      extraFeatures: [
        recorder.feature,
        tap('test-events', ({ bus }) => bus.on('test', '*', (event) => events.push(event))),
      ],
      prepare: (controller) => {
        epcis = controller.service('epcis');
      },
    });
    // The scenario (test/exit-monitor/door-capture.ts): at 3.6 s the sold water, the unsold cola and
    // a tag of no scheme cross inside → outside; the cola comes back at 6.6 s and leaves at 8 s.
    // The tag of no scheme (no EPC URI, no GTIN) is left out and counted.
    const expected = [
      door('2026-11-22T10:00:03.600Z', 'urn:epc:id:sgtin:0614141.812346.1', OUTSIDE),
      door('2026-11-22T10:00:03.600Z', 'urn:epc:id:sgtin:0614141.812345.2', OUTSIDE),
      door('2026-11-22T10:00:06.600Z', 'urn:epc:id:sgtin:0614141.812345.2', INSIDE),
      door('2026-11-22T10:00:08.000Z', 'urn:epc:id:sgtin:0614141.812345.2', OUTSIDE),
    ];
    const envelopes = events.filter(
      (event): event is Extract<GatewayEvent, { type: 'epcis.event' }> => event.type === 'epcis.event',
    );
    expect(envelopes.flatMap((event) => event.document.epcisBody.eventList)).toEqual(expected);
    const moves = events.filter((event) => event.type === 'tag.moved' && event.tag !== UNKNOWN);
    expect(envelopes.map(({ kind, zone, source }) => ({ kind, zone, source }))).toEqual([
      {
        kind: 'exit',
        zone: 'outside',
        source: moves.find((m) => m.type === 'tag.moved' && m.tag === SOLD)?.id,
      },
      {
        kind: 'exit',
        zone: 'outside',
        source: moves.filter((m) => m.type === 'tag.moved' && m.tag === UNSOLD)[0]?.id,
      },
      {
        kind: 'entry',
        zone: 'inside',
        source: moves.filter((m) => m.type === 'tag.moved' && m.tag === UNSOLD)[1]?.id,
      },
      {
        kind: 'exit',
        zone: 'outside',
        source: moves.filter((m) => m.type === 'tag.moved' && m.tag === UNSOLD)[2]?.id,
      },
    ]);
    for (const envelope of envelopes) expectValidDocument(envelope.document);
    expect(epcis?.stats).toEqual({
      events: { sale: 0, exit: 3, entry: 1, cycle_count: 0 },
      unidentified: 1,
      staleCountsSkipped: 0,
    });
    // The replay's document: the same events, in order, valid.
    const document = recorder.document();
    expect(document?.epcisBody.eventList).toEqual(expected);
    expectValidDocument(document);
  });
});

describe('the epcis feature', () => {
  const partsOf = async (config: ReturnType<typeof shelfConfig>) => {
    const gateway = await startShelf({ config, startIso: '2026-11-22T10:00:00.000Z', catalog: false });
    const parts = gateway.controller.parts.filter((part) => part === 'epcis');
    await gateway.controller.stop();
    return parts.length;
  };

  it('is built only when the config enables it', async () => {
    const withSection = shelfConfig();
    const { epcis: _section, ...withoutSection } = withSection;
    const disabled = shelfConfig({ epcis: { enabled: false } });
    expect(await partsOf(withSection)).toBe(1);
    expect(await partsOf(withoutSection)).toBe(0);
    expect(await partsOf(disabled)).toBe(0);
  });
});
