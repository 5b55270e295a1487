import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Controller } from '../../src/app/controller.js';
import { loadConfigFile } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import type { EngagementAnswer } from '../../src/domain/engagement/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import { FakePort } from '../helpers/fake-port.js';
import {
  COLA,
  COLA_REF,
  colaTag,
  JUICE,
  JUICE_REF,
  juiceTag,
  strangerTag,
} from '../kits/domain/engagement-rig.js';
import { play, runOnLikeReplay, type ShelfGateway, startGateway } from './harness.js';
import { SHELF_PORT, writeShelfCapture } from './shelf-capture.js';

/**
 * A shop shelf read by one ThingMagic reader (antenna 1 = zone `shelf`), replayed through the
 * controller. Rounds every 250 ms from 1 s; an item on the shelf on [from, to) is last read at the
 * last round before `to`, and departs 3000 ms (the zone's hold-off) after that read:
 *
 *   cola …1001  on [1 s, 20 s) and [50 s, …): last read 19.75 s, picked up (reported 22.75 s),
 *               back at 50 s → put back after 50 - 19.75 = 30.25 s
 *   juice …2001 on [1 s, 30 s): last read 29.75 s, picked up (reported 32.75 s), paid at 60 s → bought
 *   stranger    on [1 s, 40 s): a tag of no catalog product: no event, counted as unknown
 *   cola …1002, juice …2002: never touched
 *
 * Store day: 22 November 2026 in Berlin (10:00 UTC is 11:00 there).
 */
const STARTED_AT = '2026-11-22T10:00:00.000Z';
const T0 = Date.parse(STARTED_AT);
const DAY = '2026-11-22';
const END_MS = 120_000;

const SHELF_ITEMS = [
  { tag: colaTag(1001), on: [[1000, 20_000] as [number, number], [50_000, END_MS] as [number, number]] },
  { tag: colaTag(1002), on: [[1000, END_MS] as [number, number]] },
  { tag: juiceTag(2001), on: [[1000, 30_000] as [number, number]] },
  { tag: juiceTag(2002), on: [[1000, END_MS] as [number, number]] },
  { tag: strangerTag(1), on: [[1000, 40_000] as [number, number]] },
];

const config = configSchema.parse({
  gatewayId: 'shelf-gw',
  readers: [{ id: SHELF_PORT, driver: 'thingmagic', port: 'replay:shelf', antennaZones: { '1': 'shelf' } }],
  zones: [{ id: 'shelf', departAfterMs: 3000 }],
  engagement: { zones: ['shelf'], putBackWithinMs: 60_000, timeZone: 'Europe/Berlin' },
});

let dir: string;
const gateways: ShelfGateway[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rfid-engagement-'));
});
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.controller.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function gatewayAt(
  startMs: number,
  dataDir = ':memory:',
  ports?: ReadonlyMap<string, FakePort>,
): Promise<ShelfGateway> {
  const gateway = await startGateway({
    config,
    startMs,
    dataDir,
    products: [COLA, JUICE],
    ...(ports ? { ports } : {}),
  });
  gateways.push(gateway);
  return gateway;
}

/** The `tags.paid` event alone, as `tags/paid` emits it at a point of sale. */
const pay = (tags: string[]) => (gateway: ShelfGateway) =>
  gateway.controller.bus.emit({ type: 'tags.paid', tags, until: '2026-11-22T11:00:00.000Z' });

function funnelEvents(events: readonly GatewayEvent[]) {
  return events
    .filter((event) => event.type.startsWith('product.') || event.type === 'tags.paid')
    .map((event) => {
      const { id: _id, seq: _seq, gateway: _gateway, ...rest } = event;
      return rest;
    });
}

async function figures(gateway: ShelfGateway, from = DAY, to = from): Promise<EngagementAnswer> {
  const answer = await gateway.request('engagement/get', { from, to });
  if (!answer.ok) throw new Error(answer.error);
  return answer.data as EngagementAnswer;
}

describe('a shelf replayed through the controller', () => {
  it('emits a pick-up and put-back, a pick-up then sale, nothing for untouched items', async () => {
    const file = join(dir, 'shelf.jsonl');
    writeShelfCapture(file, { startedAt: STARTED_AT, firstRoundMs: 1000, endMs: END_MS, items: SHELF_ITEMS });
    const gateway = await gatewayAt(T0);
    play(gateway, file, [{ t: 60_000, run: pay([juiceTag(2001)]) }]);

    expect(funnelEvents(gateway.events)).toEqual([
      {
        type: 'product.pickedUp',
        ts: '2026-11-22T10:00:22.750Z',
        zone: 'shelf',
        tag: colaTag(1001),
        product: COLA_REF,
      },
      {
        type: 'product.pickedUp',
        ts: '2026-11-22T10:00:32.750Z',
        zone: 'shelf',
        tag: juiceTag(2001),
        product: JUICE_REF,
      },
      {
        type: 'product.putBack',
        ts: '2026-11-22T10:00:50.000Z',
        zone: 'shelf',
        tag: colaTag(1001),
        product: COLA_REF,
        awayMs: 30_250,
      },
      {
        type: 'tags.paid',
        ts: '2026-11-22T10:01:00.000Z',
        tags: [juiceTag(2001)],
        until: '2026-11-22T11:00:00.000Z',
      },
    ]);
    expect(await figures(gateway)).toEqual({
      from: DAY,
      to: DAY,
      timeZone: 'Europe/Berlin',
      days: [
        {
          day: DAY,
          products: [
            { ...COLA_REF, pickedUp: 1, putBack: 1, bought: 0, conversion: 0 },
            { ...JUICE_REF, pickedUp: 1, putBack: 0, bought: 1, conversion: 1 },
          ],
          totals: { pickedUp: 2, putBack: 1, bought: 1, conversion: 0.5 },
        },
      ],
      products: [
        { ...COLA_REF, pickedUp: 1, putBack: 1, bought: 0, conversion: 0 },
        { ...JUICE_REF, pickedUp: 1, putBack: 0, bought: 1, conversion: 1 },
      ],
      totals: { pickedUp: 2, putBack: 1, bought: 1, conversion: 0.5 },
    });
    expect(gateway.engagement().stats).toMatchObject({
      pickedUp: 2,
      putBack: 1,
      bought: 1,
      pending: 0,
      unknownProduct: 1,
    });
  });

  it('answers tags/paid from a till on a shelf-only gateway (no exit monitor) and counts the sale as bought', async () => {
    const file = join(dir, 'shelf.jsonl');
    writeShelfCapture(file, { startedAt: STARTED_AT, firstRoundMs: 1000, endMs: END_MS, items: SHELF_ITEMS });
    expect(config.exitMonitor).toBeUndefined();
    const gateway = await gatewayAt(T0);
    let answer: ReturnType<ShelfGateway['request']> | undefined;
    // As the till sends it: juice …2001 left the shelf at 29.75 s and is paid at 60 s.
    const till = (target: ShelfGateway) => {
      answer = target.request('tags/paid', {
        tags: [juiceTag(2001).toLowerCase()],
        reference: 'TILL-2-0815',
      });
    };
    play(gateway, file, [{ t: 60_000, run: till }]);
    expect(await answer).toEqual({
      ok: true,
      data: { marked: 1, until: '2026-11-23T10:01:00.000Z', reference: 'TILL-2-0815' },
    });
    expect(funnelEvents(gateway.events).filter((event) => event.type === 'tags.paid')).toEqual([
      {
        type: 'tags.paid',
        ts: '2026-11-22T10:01:00.000Z',
        tags: [juiceTag(2001)],
        until: '2026-11-23T10:01:00.000Z',
        reference: 'TILL-2-0815',
      },
    ]);
    expect((await figures(gateway)).products).toEqual([
      { ...COLA_REF, pickedUp: 1, putBack: 1, bought: 0, conversion: 0 },
      { ...JUICE_REF, pickedUp: 1, putBack: 0, bought: 1, conversion: 1 },
    ]);
  });

  it('offers tags/paid with the shipped shelf config', async () => {
    const shipped = loadConfigFile(fileURLToPath(new URL('../../config/shelf.json', import.meta.url)));
    expect(shipped.engagement).toBeDefined();
    expect(shipped.exitMonitor).toBeUndefined();
    const controller = Controller.create(shipped, {
      mode: 'replay',
      clock: new VirtualClock(T0),
      logger: silentLogger(),
      dataDir: ':memory:',
      mqtt: undefined,
      drainMs: 0,
    });
    try {
      expect(controller.requests.get('tags/paid')).toMatchObject({ changesState: true });
    } finally {
      await controller.stop();
    }
  });

  it('does not count what is still on the shelf as picked up when the replay command runs on after the capture', async () => {
    const file = join(dir, 'shelf.jsonl');
    writeShelfCapture(file, { startedAt: STARTED_AT, firstRoundMs: 1000, endMs: END_MS, items: SHELF_ITEMS });
    const gateway = await gatewayAt(T0);
    play(gateway, file, [{ t: 60_000, run: pay([juiceTag(2001)]) }]);
    // The end of the capture is the reader going silent after its last round (119.75 s): stalled
    // 2.5 s later (122.25 s), before the 3 s hold-off of the items still on the shelf runs out, so
    // they are held, not picked up.
    await runOnLikeReplay(gateway);
    const stalled = gateway.events.filter((event) => event.type === 'reader.status');
    expect(stalled.map((event) => [event.type === 'reader.status' && event.state, event.ts])).toEqual([
      ['stalled', '2026-11-22T10:02:02.250Z'],
    ]);
    expect(
      gateway.events
        .filter((event) => Date.parse(event.ts) > Date.parse('2026-11-22T10:01:59.750Z'))
        .map((event) => event.type),
    ).not.toContain('product.pickedUp');
    expect((await figures(gateway)).totals).toEqual({ pickedUp: 2, putBack: 1, bought: 1, conversion: 0.5 });
    expect(gateway.engagement().stats).toMatchObject({ pending: 0, ended: 0 });
  });

  it('does not take an unplugged reader for everything being picked up', async () => {
    // The reader reads nothing from 20 s to 50 s (unplugged); cola …1001 is taken meanwhile.
    const file = join(dir, 'unplugged.jsonl');
    const out: [number, number][] = [
      [1000, 20_000],
      [50_000, 70_000],
    ];
    writeShelfCapture(file, {
      startedAt: STARTED_AT,
      firstRoundMs: 1000,
      endMs: 70_000,
      items: [
        { tag: colaTag(1001), on: [[1000, 20_000]] },
        { tag: colaTag(1002), on: out },
        { tag: juiceTag(2001), on: out },
      ],
    });
    const port = new FakePort(SHELF_PORT);
    const gateway = await gatewayAt(T0, ':memory:', new Map([[SHELF_PORT, port]]));
    play(gateway, file, [
      { t: 20_000, run: () => port.unplug('unplugged') },
      { t: 50_000, run: () => port.plugIn() },
    ]);
    gateway.clock.advanceTo(T0 + 70_000);
    expect(funnelEvents(gateway.events)).toEqual([]);
    // Gone during the outage: when is unknown, so it is not counted.
    expect(gateway.engagement().stats).toMatchObject({ pickedUp: 0, leftWhileOffline: 1 });
    const departed = gateway.events.filter((event) => event.type === 'tag.departed');
    expect(departed.map((event) => [event.ts, event.type === 'tag.departed' && event.tag])).toEqual([
      ['2026-11-22T10:00:53.000Z', colaTag(1001)],
    ]);
  });

  it('keeps figures and open pick-ups across a restart on a SQLite file', async () => {
    const dataDir = join(dir, 'data');
    // Before: cola …1001 leaves at 19.75 s, juice …2001 at 24.75 s; the gateway stops at 30 s.
    const before = join(dir, 'before.jsonl');
    writeShelfCapture(before, {
      startedAt: STARTED_AT,
      firstRoundMs: 1000,
      endMs: 30_000,
      items: [
        { tag: colaTag(1001), on: [[1000, 20_000]] },
        { tag: colaTag(1002), on: [[1000, 30_000]] },
        { tag: juiceTag(2001), on: [[1000, 25_000]] },
      ],
    });
    const first = await gatewayAt(T0, dataDir);
    play(first, before, []);
    first.clock.advanceTo(T0 + 30_000);
    expect(first.engagement().stats).toMatchObject({ pickedUp: 2, pending: 2 });
    await first.controller.stop();

    // After, from 40 s: cola …1001 is back at 45 s; cola …1002 went while the gateway was down (never
    // read again, so no pick-up); juice …2001 is paid at 48 s, inside its window.
    const after = join(dir, 'after.jsonl');
    writeShelfCapture(after, {
      startedAt: '2026-11-22T10:00:40.000Z',
      firstRoundMs: 5000,
      endMs: 30_000,
      items: [{ tag: colaTag(1001), on: [[5000, 30_000]] }],
    });
    const second = await gatewayAt(T0 + 40_000, dataDir);
    expect(second.engagement().stats).toMatchObject({ pending: 2 });
    play(second, after, [{ t: 8000, run: pay([juiceTag(2001)]) }]);
    second.clock.advanceTo(T0 + 40_000 + 30_000);

    expect(funnelEvents(second.events).filter((event) => event.type === 'product.putBack')).toEqual([
      {
        type: 'product.putBack',
        ts: '2026-11-22T10:00:45.000Z',
        zone: 'shelf',
        tag: colaTag(1001),
        product: COLA_REF,
        awayMs: 25_250,
      },
    ]);
    expect(second.engagement().stats).toMatchObject({
      pickedUp: 0,
      putBack: 1,
      bought: 1,
      leftWhileDown: 1,
      pending: 0,
    });
    expect((await figures(second)).products).toEqual([
      { ...COLA_REF, pickedUp: 1, putBack: 1, bought: 0, conversion: 0 },
      { ...JUICE_REF, pickedUp: 1, putBack: 0, bought: 1, conversion: 1 },
    ]);
  });

  it('answers engagement/get errors through the controller', async () => {
    const gateway = await gatewayAt(T0);
    expect(await gateway.request('engagement/get', { from: '2026-11-31', to: DAY })).toEqual({
      ok: false,
      error: 'from: expected a store day YYYY-MM-DD',
    });
    expect(await gateway.request('engagement/get', { from: DAY, to: '2026-11-01' })).toEqual({
      ok: false,
      error: `to: must not be before from (from ${DAY}, to 2026-11-01)`,
    });
    expect(gateway.controller.requests.get('engagement/get')).toMatchObject({
      owner: 'engagement',
      changesState: false,
    });
  });
});
