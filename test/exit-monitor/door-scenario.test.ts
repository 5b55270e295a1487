import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engineChecks } from '../../src/app/config-checks.js';
import { loadConfigFile } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import { COLA, doorCaptureText, SOLD, UNKNOWN, UNSOLD, WATER } from './door-capture.js';
import { type Gateway, replayDoorCapture } from './replay.js';

const CAPTURE = fileURLToPath(new URL('./door-exit.jsonl', import.meta.url));
const CONFIG = fileURLToPath(new URL('../../config/exit-door.json', import.meta.url));

/** The example config, as `run` would load it, with the exit monitor's settings for one test. */
function config(exit: Partial<NonNullable<GatewayConfig['exitMonitor']>> = {}): GatewayConfig {
  const loaded = loadConfigFile(CONFIG, engineChecks);
  if (!loaded.exitMonitor) throw new Error('config/exit-door.json has no exitMonitor section');
  return { ...loaded, exitMonitor: { ...loaded.exitMonitor, ...exit } };
}

async function loadCatalog({ request }: Gateway): Promise<void> {
  const answer = await request('catalog/set', { products: [COLA, WATER] });
  expect(answer).toMatchObject({ status: 'ok', data: { added: 2 } });
}

/** Paid at the till, before the capture starts: the point of sale's `tags/paid`. */
async function soldAtTheTill(gateway: Gateway, ttlMs?: number): Promise<void> {
  await loadCatalog(gateway);
  const answer = await gateway.request('tags/paid', {
    transaction: 7,
    tags: [SOLD.toLowerCase()],
    reference: 'till-1/0815',
    ...(ttlMs === undefined ? {} : { ttlMs }),
  });
  expect(answer).toMatchObject({ transaction: 7, status: 'ok', data: { marked: 1 } });
}

/** [ms since the capture's start, tag, what] for the door's events. */
function timeline(events: GatewayEvent[], startedAt: number) {
  return events.flatMap((event) => {
    const at = Date.parse(event.ts) - startedAt;
    if (event.type === 'tag.moved') return [[at, event.tag, `${event.from}→${event.to} ${event.direction}`]];
    if (event.type === 'security.alarm') return [[at, event.tag, `alarm ${event.kind} ${event.door}`]];
    return [];
  });
}

const alarmsOf = (events: GatewayEvent[]) => events.filter((event) => event.type === 'security.alarm');

describe('exit door scenario (one reader, antenna 1 inside, antenna 2 outside)', () => {
  it('the committed capture is what door-capture.ts writes', () => {
    expect(readFileSync(CAPTURE, 'utf8')).toBe(doorCaptureText());
  });

  it('lets the sold item out silently, alarms once for the unsold one, and alarms for the unknown tag', async () => {
    const { events, stats, startedAt } = await replayDoorCapture({
      file: CAPTURE,
      config: config({ unknownTags: 'alarm' }),
      prepare: (gateway) => soldAtTheTill(gateway),
    });
    // The moves, as the scenario makes them (door-capture.ts): every tag crosses at 3.6 s, the unsold
    // cola turns back at 6.6 s and crosses again at 8 s. Only the first crossing of each unpaid tag
    // alarms; the unsold cola's second crossing is 4.4 s after its alarm, well inside the minute.
    // Each alarm comes right after the move that caused it (the frames of a round are in the order
    // sold, unsold, unknown).
    expect(timeline(events, startedAt)).toEqual([
      [3600, SOLD, 'inside→outside exit'],
      [3600, UNSOLD, 'inside→outside exit'],
      [3600, UNSOLD, 'alarm unpaid_exit front'],
      [3600, UNKNOWN, 'inside→outside exit'],
      [3600, UNKNOWN, 'alarm unpaid_exit front'],
      [6600, UNSOLD, 'outside→inside entry'],
      [8000, UNSOLD, 'inside→outside exit'],
    ]);
    // No tag departs between its crossings (600 ms gaps, 2 s hold-off): each departs 2 s after its last read.
    const presence = events.flatMap((event) =>
      event.type === 'tag.arrived' || event.type === 'tag.departed'
        ? [[Date.parse(event.ts) - startedAt, event.tag, `${event.type} ${event.zone}`]]
        : [],
    );
    expect(presence).toEqual([
      [1000, SOLD, 'tag.arrived inside'],
      [1000, UNSOLD, 'tag.arrived inside'],
      [1000, UNKNOWN, 'tag.arrived inside'],
      [6400, SOLD, 'tag.departed outside'],
      [7000, UNKNOWN, 'tag.departed outside'],
      [12_000, UNSOLD, 'tag.departed outside'],
    ]);
    const [unsold, unknown] = alarmsOf(events);
    expect(unsold).toEqual({
      ...{
        id: expect.any(String),
        seq: expect.any(Number),
        ts: '2026-11-22T10:00:03.600Z',
        gateway: 'exit-gw',
      },
      type: 'security.alarm',
      kind: 'unpaid_exit',
      door: 'front',
      zone: 'outside',
      tag: UNSOLD,
      product: { sku: 'COLA-033', gtin: '80614141123458', name: 'Cola 0.33 l' },
      detail: 'not paid',
    });
    expect(unknown).toMatchObject({
      tag: UNKNOWN,
      zone: 'outside',
      detail: 'not paid; tag not in the catalog',
    });
    expect(unknown).not.toHaveProperty('product');
    expect(events.filter((event) => event.type === 'tags.paid')).toMatchObject([
      { tags: [SOLD], until: '2026-11-23T10:00:00.000Z', reference: 'till-1/0815' },
    ]);
    expect(stats).toMatchObject({ exits: 4, paidExits: 1, alarms: 2, suppressed: 1, failures: 0 });
  });

  it('logs the unknown tag instead when unknownTags is log, and says nothing when it is ignore', async () => {
    for (const policy of ['log', 'ignore'] as const) {
      const { events, stats } = await replayDoorCapture({
        file: CAPTURE,
        config: config({ unknownTags: policy }),
        prepare: (gateway) => soldAtTheTill(gateway),
      });
      expect(alarmsOf(events).map((alarm) => alarm.tag)).toEqual([UNSOLD]);
      expect(stats).toMatchObject({
        alarms: 1,
        unknownLogged: policy === 'log' ? 1 : 0,
        unknownIgnored: policy === 'ignore' ? 1 : 0,
      });
    }
  });

  it('lets an item sold in a completed purchase out', async () => {
    const { events } = await replayDoorCapture({
      file: CAPTURE,
      config: config({ unknownTags: 'ignore' }),
      prepare: async (gateway) => {
        await loadCatalog(gateway);
        gateway.controller.bus.emit({
          type: 'purchase.completed',
          session: 'session-1',
          cabinet: 'fridge-1',
          customer: 'cust-0017',
          items: [{ tag: SOLD, sku: 'WATER-05', unitPrice: 180, currency: 'EUR' }],
          total: 180,
          currency: 'EUR',
          returned: [],
          foreign: [],
          confidence: 'certain',
          settleMs: 750,
        });
      },
    });
    expect(alarmsOf(events).map((alarm) => alarm.tag)).toEqual([UNSOLD]);
  });

  it('alarms for an item whose paid mark expired before it reached the door', async () => {
    const { events } = await replayDoorCapture({
      file: CAPTURE,
      config: config({ unknownTags: 'ignore' }),
      // Paid at 0 s for 2 s; it crosses at 3.6 s.
      prepare: (gateway) => soldAtTheTill(gateway, 2000),
    });
    expect(alarmsOf(events)).toMatchObject([
      {
        tag: SOLD,
        product: { sku: 'WATER-05', gtin: '80614141123465', name: 'Water 0.5 l' },
        detail: 'paid mark expired at 2026-11-22T10:00:02.000Z',
        ts: '2026-11-22T10:00:03.600Z',
      },
      { tag: UNSOLD, detail: 'not paid' },
    ]);
  });
});
