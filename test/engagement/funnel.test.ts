import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { ENGAGEMENT_MIGRATIONS } from '../../src/domain/engagement/engagement-store.js';
import { engagementFeature } from '../../src/domain/engagement/index.js';
import type { EngagementAnswer } from '../../src/domain/engagement/request.js';
import type { TodayPayload } from '../../src/domain/engagement/retained.js';
import type { RequestRegistry } from '../../src/mqtt/request-registry.js';
import type { FeatureInput } from '../../src/shared/feature.js';
import {
  COLA_REF,
  colaTag,
  engagementRig,
  JUICE_REF,
  juiceTag,
  type Rig,
  type RigOptions,
  strangerTag,
} from '../kits/domain/engagement-rig.js';

/** 11:00 in Berlin (CET, UTC+1) on Sunday 22 November 2026. */
const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const DAY = '2026-11-22';
const HOLD_OFF = 3000;
const WINDOW = 60_000;

const rigs: Rig[] = [];
afterEach(() => {
  for (const rig of rigs.splice(0)) rig.stop();
});

async function setup(options: Partial<RigOptions> = {}): Promise<Rig> {
  const rig = await engagementRig({
    startMs: T0,
    ...options,
    engagement: { timeZone: 'Europe/Berlin', putBackWithinMs: WINDOW, ...options.engagement },
  });
  rigs.push(rig);
  return rig;
}

async function figures(rig: Rig, from = DAY, to = from): Promise<EngagementAnswer> {
  const answer = await rig.request('engagement/get', { from, to });
  if (!answer.ok) throw new Error(answer.error);
  return answer.data as EngagementAnswer;
}

/** The counts of one product on one day, as `engagement/get` answers them. */
async function countsOf(rig: Rig, sku: string, day = DAY) {
  const answer = await figures(rig, day);
  const product = answer.days[0]?.products.find((candidate) => candidate.sku === sku);
  if (!product) return undefined;
  const { pickedUp, putBack, bought, conversion } = product;
  return { pickedUp, putBack, bought, conversion };
}

describe('engagement funnel', () => {
  it('is a pick-up when a product leaves its shelf, and a put-back when it returns within the window', async () => {
    const rig = await setup();
    const tag = colaTag(1);
    // Last read at T0 + 10 s: the core reports the departure its hold-off later.
    rig.departed(T0 + 10_000 + HOLD_OFF, tag);
    rig.arrived(T0 + 40_000, tag);
    const engagementEvents = rig.events.filter((event) => event.type.startsWith('product.'));
    expect(engagementEvents).toMatchObject([
      { type: 'product.pickedUp', zone: 'shelf', tag, product: COLA_REF, ts: '2026-11-22T10:00:13.000Z' },
      {
        type: 'product.putBack',
        zone: 'shelf',
        tag,
        product: COLA_REF,
        awayMs: 30_000,
        ts: '2026-11-22T10:00:40.000Z',
      },
    ]);
    expect(await countsOf(rig, 'COLA-033')).toEqual({ pickedUp: 1, putBack: 1, bought: 0, conversion: 0 });
    expect(rig.engagement.stats).toMatchObject({ pickedUp: 1, putBack: 1, pending: 0 });
  });

  it('ends the funnel when the window passes: a later return is no put-back; the boundary is inclusive', async () => {
    const rig = await setup();
    rig.departed(T0 + 10_000 + HOLD_OFF, colaTag(1));
    rig.departed(T0 + 10_000 + HOLD_OFF, colaTag(2));
    rig.arrived(T0 + 10_000 + WINDOW, colaTag(2));
    rig.clock.advanceTo(T0 + 10_000 + WINDOW + 1000);
    expect(rig.engagement.stats).toMatchObject({ pickedUp: 2, putBack: 1, ended: 1, pending: 0 });
    expect(rig.store.db.prepare('SELECT count(*) AS n FROM engagement_pending').get()).toEqual({ n: 0 });
    rig.arrived(T0 + 10_000 + WINDOW + 5000, colaTag(1));
    expect(rig.ofType('product.putBack').map((event) => event.tag)).toEqual([colaTag(2)]);
    expect(await countsOf(rig, 'COLA-033')).toEqual({ pickedUp: 2, putBack: 1, bought: 0, conversion: 0 });
  });

  it('counts a sale of a picked-up item as bought, once, and ignores sales of items never seen leaving', async () => {
    const rig = await setup();
    rig.departed(T0 + 10_000 + HOLD_OFF, juiceTag(1));
    rig.paid(T0 + 30_000, [juiceTag(1), juiceTag(9)]);
    // The same item reported again by another sales channel.
    rig.emitAt(T0 + 31_000, {
      type: 'purchase.completed',
      ...{ session: 's1', cabinet: 'c1', customer: 'cust-1', total: 220, currency: 'EUR' },
      items: [{ tag: juiceTag(1), sku: 'OJ-025' }],
      ...{ returned: [], foreign: [], confidence: 'certain', settleMs: 500 },
    });
    expect(await countsOf(rig, 'OJ-025')).toEqual({ pickedUp: 1, putBack: 0, bought: 1, conversion: 1 });
    expect(rig.engagement.stats).toMatchObject({ bought: 1, pending: 0 });
  });

  it('counts a sale that comes before the departure is reported, but not one long before the item left', async () => {
    const rig = await setup();
    // Scan-and-go: paid at 20 s while still in the antenna's field, last read at 21 s.
    rig.paid(T0 + 20_000, [juiceTag(3)]);
    rig.departed(T0 + 21_000 + HOLD_OFF, juiceTag(3));
    // Paid at T0, left 100 s later (more than the window): not this pick-up's sale.
    rig.paid(T0 + 25_000, [juiceTag(4)]);
    rig.departed(T0 + 125_000 + HOLD_OFF, juiceTag(4));
    expect(await countsOf(rig, 'OJ-025')).toEqual({ pickedUp: 2, putBack: 0, bought: 1, conversion: 0.5 });
    expect(rig.ofType('product.pickedUp').map((event) => event.tag)).toEqual([juiceTag(3), juiceTag(4)]);
  });

  it('does not count a sale after the window', async () => {
    const rig = await setup();
    rig.departed(T0 + 10_000 + HOLD_OFF, juiceTag(1));
    rig.paid(T0 + 10_000 + WINDOW + 1, [juiceTag(1)]);
    expect(await countsOf(rig, 'OJ-025')).toEqual({ pickedUp: 1, putBack: 0, bought: 0, conversion: 0 });
    expect(rig.engagement.stats).toMatchObject({ ended: 1, pending: 0 });
  });

  it('computes the conversion per product and over all (of the sums), null without pick-ups', async () => {
    const rig = await setup();
    for (const serial of [1, 2, 3, 4]) rig.departed(T0 + 10_000 + serial, colaTag(serial));
    rig.paid(T0 + 20_000, [colaTag(2)]);
    rig.arrived(T0 + 21_000, colaTag(3));
    rig.departed(T0 + 30_000, juiceTag(1));
    rig.paid(T0 + 31_000, [juiceTag(1)]);
    const answer = await figures(rig);
    expect(answer.days).toEqual([
      {
        day: DAY,
        products: [
          { ...COLA_REF, pickedUp: 4, putBack: 1, bought: 1, conversion: 0.25 },
          { ...JUICE_REF, pickedUp: 1, putBack: 0, bought: 1, conversion: 1 },
        ],
        totals: { pickedUp: 5, putBack: 1, bought: 2, conversion: 0.4 },
      },
    ]);
    expect(answer.totals).toEqual({ pickedUp: 5, putBack: 1, bought: 2, conversion: 0.4 });
    const empty = await figures(rig, '2026-11-01', '2026-11-21');
    expect(empty).toMatchObject({ days: [], products: [], totals: { pickedUp: 0, conversion: null } });
  });

  it('ignores tags of no product (counted), other zones, and tags that left while the gateway or reader was down', async () => {
    const rig = await setup();
    rig.departed(T0 + 5000, strangerTag(1));
    rig.departed(T0 + 5000, colaTag(1), 'backroom');
    // Restored at start-up and never read since.
    rig.departed(T0 + 13_000, colaTag(2), 'shelf', 0);
    // Held while the reader was offline and not read since it came back at 50 s: the core says so.
    rig.emitAt(T0 + 20_000, {
      type: 'reader.status',
      reader: 'shelf',
      state: 'offline',
      reason: 'unplugged',
    });
    rig.emitAt(T0 + 50_000, { type: 'reader.status', reader: 'shelf', state: 'online' });
    rig.departed(T0 + 50_000 + HOLD_OFF, colaTag(3), 'shelf', 5, true);
    // Read after the return, then gone: a real pick-up.
    rig.departed(T0 + 51_000 + HOLD_OFF, colaTag(4));
    expect(rig.ofType('product.pickedUp').map((event) => event.tag)).toEqual([colaTag(4)]);
    expect(rig.engagement.stats).toMatchObject({
      pickedUp: 1,
      unknownProduct: 1,
      leftWhileDown: 1,
      leftWhileOffline: 1,
    });
  });

  it('treats a move out of a watched zone as a pick-up and a move back as a put-back', async () => {
    const rig = await setup();
    const body = { reader: 'shelf', antenna: 2, rssi: -60, tag: colaTag(1), reads: 9, direction: null };
    rig.emitAt(T0 + 1000, { type: 'tag.moved', zone: 'basket', from: 'shelf', to: 'basket', ...body });
    rig.emitAt(T0 + 9000, { type: 'tag.moved', zone: 'shelf', from: 'basket', to: 'shelf', ...body });
    expect(rig.ofType('product.putBack')).toMatchObject([{ tag: colaTag(1), awayMs: 8000 }]);
    expect(await countsOf(rig, 'COLA-033')).toMatchObject({ pickedUp: 1, putBack: 1 });
  });

  it('counts a pick-up on the store day it left, and its put-back and sale on that day too', async () => {
    const rig = await setup();
    // 23:59:59 in Berlin on the 22nd; the departure is reported after midnight.
    const beforeMidnight = Date.parse('2026-11-22T22:59:59.000Z');
    rig.departed(beforeMidnight + HOLD_OFF, colaTag(1));
    rig.departed(beforeMidnight + HOLD_OFF, juiceTag(1));
    rig.arrived(beforeMidnight + 20_000, colaTag(1));
    rig.paid(beforeMidnight + 30_000, [juiceTag(1)]);
    // 00:00:00 on the 23rd: the next store day.
    rig.departed(Date.parse('2026-11-22T23:00:00.000Z') + HOLD_OFF, colaTag(2));
    const answer = await figures(rig, DAY, '2026-11-23');
    expect(answer.days.map(({ day, totals }) => ({ day, ...totals }))).toEqual([
      { day: DAY, pickedUp: 2, putBack: 1, bought: 1, conversion: 0.5 },
      { day: '2026-11-23', pickedUp: 1, putBack: 0, bought: 0, conversion: 0 },
    ]);
    expect(answer.products).toEqual([
      { ...COLA_REF, pickedUp: 2, putBack: 1, bought: 0, conversion: 0 },
      { ...JUICE_REF, pickedUp: 1, putBack: 0, bought: 1, conversion: 1 },
    ]);
  });

  it('purges days past retention when the store day changes, on the clock', async () => {
    const rig = await setup({ engagement: { retentionDays: 2 } });
    rig.departed(T0 + 13_000, colaTag(1));
    rig.departed(T0 + 86_400_000, colaTag(2));
    expect((await figures(rig, DAY, '2026-11-23')).days.map(({ day }) => day)).toEqual([DAY, '2026-11-23']);
    // 00:15 in Berlin on the 24th: the 23rd and the 24th are kept.
    rig.clock.advanceTo(Date.parse('2026-11-23T23:15:00.000Z'));
    expect((await figures(rig, DAY, '2026-11-24')).days.map(({ day }) => day)).toEqual(['2026-11-23']);
    const last = rig.retained.at(-1)?.payload as TodayPayload;
    expect(last).toMatchObject({ day: '2026-11-24', totals: { pickedUp: 0, conversion: null } });
  });

  it('keeps at most maxPending open pick-ups, ending the oldest', async () => {
    const rig = await setup({ options: { maxPending: 2 } });
    for (const serial of [1, 2, 3]) rig.departed(T0 + 10_000 + serial, colaTag(serial));
    expect(rig.engagement.stats).toMatchObject({ pickedUp: 3, pending: 2, evicted: 1 });
    rig.arrived(T0 + 20_000, colaTag(1));
    rig.arrived(T0 + 20_000, colaTag(3));
    expect(rig.ofType('product.putBack').map((event) => event.tag)).toEqual([colaTag(3)]);
  });

  it('survives a store that refuses the write: no event without its count, and the next one counts', async () => {
    const rig = await setup();
    rig.store.db.exec('ALTER TABLE engagement_daily RENAME TO engagement_daily_away');
    rig.departed(T0 + 13_000, colaTag(1));
    expect(rig.ofType('product.pickedUp')).toEqual([]);
    expect(rig.engagement.stats).toMatchObject({ pickedUp: 0, writeFailures: 1, pending: 0 });
    rig.store.db.exec('ALTER TABLE engagement_daily_away RENAME TO engagement_daily');
    rig.departed(T0 + 14_000, colaTag(2));
    expect(rig.ofType('product.pickedUp').map((event) => event.tag)).toEqual([colaTag(2)]);
  });
});

describe('engagement start-up', () => {
  it('stays off, without taking the gateway down, when its tables cannot be made', async () => {
    const rig = await setup({
      beforeStart: (store) => store.db.exec('CREATE TABLE engagement_daily (unrelated TEXT)'),
    });
    rig.departed(T0 + 13_000, colaTag(1));
    expect(rig.ofType('product.pickedUp')).toEqual([]);
    expect(await rig.request('engagement/get', { from: DAY, to: DAY })).toEqual({
      ok: false,
      error: 'engagement is off: its tables could not be set up (see the log)',
    });
  });

  it('drops stored pick-ups whose window ended while the gateway was down', async () => {
    const rig = await setup({
      beforeStart: (store) => {
        store.migrate('engagement', ENGAGEMENT_MIGRATIONS);
        const insert = store.db.prepare(
          "INSERT INTO engagement_pending VALUES (?, 'shelf', 'COLA-033', NULL, NULL, ?, '2026-11-22')",
        );
        insert.run(colaTag(1), T0 - WINDOW - 1);
        insert.run(colaTag(2), T0 - 1000);
      },
    });
    expect(rig.engagement.stats).toMatchObject({ pending: 1 });
    expect(rig.store.db.prepare('SELECT tag FROM engagement_pending').pluck().all()).toEqual([colaTag(2)]);
    rig.arrived(T0 + 1000, colaTag(2));
    expect(rig.ofType('product.putBack')).toMatchObject([
      { tag: colaTag(2), awayMs: 2000, product: { sku: 'COLA-033' } },
    ]);
  });
});

describe('retained <base>/engagement', () => {
  it("publishes today's figures at start, then at most once per 5 s after changes, and at stop", async () => {
    const rig = await setup();
    expect(rig.retained).toEqual([
      {
        topic: 'rfid/gw1/engagement',
        payload: {
          day: DAY,
          timeZone: 'Europe/Berlin',
          ts: '2026-11-22T10:00:00.000Z',
          products: [],
          omitted: 0,
          totals: { pickedUp: 0, putBack: 0, bought: 0, conversion: null },
        },
      },
    ]);
    rig.departed(T0 + 13_000, colaTag(1));
    rig.departed(T0 + 14_000, colaTag(2));
    rig.clock.advanceTo(T0 + 17_999);
    expect(rig.retained).toHaveLength(1);
    rig.clock.advanceTo(T0 + 18_000);
    expect(rig.retained).toHaveLength(2);
    expect(rig.retained[1]?.payload).toMatchObject({
      ts: '2026-11-22T10:00:18.000Z',
      products: [{ ...COLA_REF, pickedUp: 2, putBack: 0, bought: 0, conversion: 0 }],
      totals: { pickedUp: 2 },
    });
    rig.arrived(T0 + 20_000, colaTag(1));
    rig.engagement.stop();
    expect(rig.retained).toHaveLength(3);
    expect(rig.retained[2]?.payload).toMatchObject({ totals: { pickedUp: 2, putBack: 1 } });
  });

  it('publishes nothing without MQTT, and is not built without an engagement section', async () => {
    const rig = await setup({ mqtt: false });
    rig.departed(T0 + 13_000, colaTag(1));
    rig.clock.advanceTo(T0 + 60_000);
    expect(rig.retained).toEqual([]);
    const context = { config: configSchema.parse({}) } as unknown as FeatureInput<
      never,
      'catalog' | 'retained'
    >;
    expect(engagementFeature.build({ ...context, needs: {}, uses: {} })).toBeUndefined();
  });

  it('answers engagement/get as the engagement', async () => {
    const rig = await setup();
    expect(rig.context.requests).toBeDefined();
    expect((rig.context.requests as RequestRegistry).get('engagement/get')).toMatchObject({
      owner: 'engagement',
    });
  });
});

describe('engagement/get', () => {
  it('refuses bad days, reversed and too long ranges and unknown fields, naming the field', async () => {
    const rig = await setup();
    const ask = (document: unknown) => rig.request('engagement/get', document);
    expect(await ask({ from: '2026-02-30', to: '2026-03-01' })).toEqual({
      ok: false,
      error: 'from: expected a store day YYYY-MM-DD',
    });
    expect(await ask({ from: '2026-11-22' })).toEqual({ ok: false, error: 'to: Required' });
    expect(await ask({ from: '22.11.2026', to: 20261122 })).toEqual({
      ok: false,
      error: 'from: expected a store day YYYY-MM-DD; to: expected string, received number',
    });
    expect(await ask({ from: '2026-11-23', to: '2026-11-22' })).toEqual({
      ok: false,
      error: 'to: must not be before from (from 2026-11-23, to 2026-11-22)',
    });
    expect(await ask({ from: '2025-11-22', to: '2026-11-23' })).toEqual({
      ok: false,
      error: 'to: the range is 367 days, at most 366 (from 2025-11-22, to 2026-11-23)',
    });
    expect(await ask({ from: DAY, to: DAY, zone: 'shelf' })).toEqual({
      ok: false,
      error: 'zone: unknown field',
    });
    expect(await ask({ from: DAY, to: DAY, sku: '' })).toEqual({
      ok: false,
      error: 'sku: must not be empty',
    });
    expect(await ask({ from: '2027-11-22', to: '2028-11-21' })).toMatchObject({ ok: true });
  });

  it('answers one product when asked by sku', async () => {
    const rig = await setup();
    rig.departed(T0 + 13_000, colaTag(1));
    rig.departed(T0 + 13_000, juiceTag(1));
    const answer = await rig.request('engagement/get', { from: DAY, to: DAY, sku: 'OJ-025', transaction: 7 });
    expect(answer).toEqual({
      ok: true,
      data: {
        from: DAY,
        to: DAY,
        timeZone: 'Europe/Berlin',
        sku: 'OJ-025',
        days: [
          {
            day: DAY,
            products: [{ ...JUICE_REF, pickedUp: 1, putBack: 0, bought: 0, conversion: 0 }],
            totals: { pickedUp: 1, putBack: 0, bought: 0, conversion: 0 },
          },
        ],
        products: [{ ...JUICE_REF, pickedUp: 1, putBack: 0, bought: 0, conversion: 0 }],
        totals: { pickedUp: 1, putBack: 0, bought: 0, conversion: 0 },
      },
    });
  });
});
