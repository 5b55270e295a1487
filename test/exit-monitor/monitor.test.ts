import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/app/event-bus.js';
import { configSchema, type GatewayConfigInput } from '../../src/config/schema.js';
import { decodeEpc } from '../../src/core/epc.js';
import { CatalogExtension } from '../../src/domain/catalog/index.js';
import {
  ExitMonitor,
  exitMonitorFeature,
  PaidTags,
  PURGE_MIN_INTERVAL_MS,
} from '../../src/domain/exit-monitor/index.js';
import { RequestRegistry } from '../../src/mqtt/request-registry.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import type { EventBody, GatewayEvent } from '../../src/shared/events.js';
import type { FeatureContext } from '../../src/shared/feature.js';
import { sgtin96 } from '../../src/shared/sgtin.js';
import { Store } from '../../src/store/index.js';
import { requestRunner } from '../helpers/run-request.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const MINUTE = 60_000;
/** SGTIN-96 of GTIN 80614141123458 (the DESIGN.md example) with the given serial. */
const sgtin = (serial: number) => sgtin96({ itemReference: 812345, serial, filter: 3 });
const COLA = {
  sku: 'COLA-033',
  gtin: '80614141123458',
  name: 'Cola 0.33 l',
  unitPrice: 250,
  currency: 'EUR',
};
const UNKNOWN = 'E2801170000002AB12CD34EF';

/** A bus whose next `failures` transactions fail, as a full disk would fail them. */
class FlakyBus extends EventBus {
  failures = 0;
  override transaction<T>(fn: () => T): T {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('database or disk is full');
    }
    return super.transaction(fn);
  }
}

const running: Array<{ extensions: Array<{ stop(): void }>; store: Store }> = [];
afterEach(async () => {
  for (const { extensions, store } of running.splice(0)) {
    for (const extension of extensions.reverse()) await extension.stop();
    store.close();
  }
});

async function setup(exit: Partial<NonNullable<GatewayConfigInput['exitMonitor']>> = {}) {
  const clock = new VirtualClock(T0);
  const logger = silentLogger();
  const store = Store.open({ dataDir: ':memory:', clock, logger });
  const bus = new FlakyBus({ gateway: 'gw1', clock, logger, journal: store.outbox, store });
  const requests = new RequestRegistry();
  const config = configSchema.parse({
    doors: [{ id: 'front', path: ['inside', 'outside'] }],
    exitMonitor: { doors: ['front'], alarmIntervalMs: MINUTE, ...exit },
  });
  // Only what the catalog and the exit monitor use.
  const context: FeatureContext = { config, store, clock, logger, requests, bus };
  const catalog = new CatalogExtension(context);
  const settings = config.exitMonitor;
  if (!settings) throw new Error('the rig always configures an exit monitor');
  const paid = new PaidTags({ store, bus, clock, logger, requests, paidTtlMs: settings.paidTtlMs });
  const monitor = new ExitMonitor(context, settings, paid, catalog.catalog);
  const extensions = [catalog, paid, monitor];
  running.push({ extensions, store });
  catalog.start();
  paid.start();
  monitor.start();
  catalog.catalog.upsert([COLA]);
  const events: GatewayEvent[] = [];
  bus.on('test', '*', (event) => events.push(event));
  const exitOf = (tag: string, from = 'inside', to = 'outside'): EventBody => {
    const epc = decodeEpc(tag);
    return {
      ...{ type: 'tag.moved', zone: to, from, to, direction: from === 'inside' ? 'exit' : 'entry' },
      ...{ reader: 'door', antenna: 2, rssi: -50, tag, reads: 3 },
      ...(epc ? { epc } : {}),
    };
  };
  const run = requestRunner(requests);
  const request = (document: unknown) => run('tags/paid', document);
  const alarms = () => events.filter((event) => event.type === 'security.alarm');
  const rows = () =>
    store.db.prepare('SELECT tag, until, source, reference FROM exit_monitor_paid ORDER BY tag').all();
  return {
    clock,
    store,
    bus,
    context,
    events,
    exitOf,
    request,
    alarms,
    rows,
    monitor,
  };
}

describe('exit monitor extension', () => {
  it('is not built without an exitMonitor section', () => {
    const context = { config: configSchema.parse({}) } as unknown as FeatureContext;
    const paidTags = {} as PaidTags;
    expect(exitMonitorFeature.build({ ...context, needs: { paidTags }, uses: {} })).toBeUndefined();
  });

  it('alarms on an unpaid product leaving, once per interval, and stays silent for a paid one', async () => {
    const { clock, bus, exitOf, request, alarms, monitor } = await setup();
    expect(await request({ tags: [sgtin(1).toLowerCase()], reference: 'till-3/0042' })).toEqual({
      ok: true,
      data: { marked: 1, until: new Date(T0 + 86_400_000).toISOString(), reference: 'till-3/0042' },
    });
    bus.emit(exitOf(sgtin(1)));
    bus.emit(exitOf(sgtin(2)));
    clock.advanceTo(T0 + 10_000);
    bus.emit(exitOf(sgtin(2), 'outside', 'inside'));
    bus.emit(exitOf(sgtin(2)));
    expect(alarms()).toMatchObject([
      {
        type: 'security.alarm',
        kind: 'unpaid_exit',
        door: 'front',
        zone: 'outside',
        tag: sgtin(2),
        product: { sku: 'COLA-033', gtin: '80614141123458', name: 'Cola 0.33 l' },
        detail: 'not paid',
        ts: new Date(T0).toISOString(),
      },
    ]);
    // The interval runs from the alarm: a minute later the tag alarms again.
    clock.advanceTo(T0 + MINUTE);
    bus.emit(exitOf(sgtin(2)));
    expect(alarms()).toHaveLength(2);
    expect(monitor?.stats).toMatchObject({ exits: 4, paidExits: 1, alarms: 2, suppressed: 1, marked: 1 });
  });

  it('ignores entries, moves that are not the last step of a watched door, and other doors', async () => {
    const { bus, exitOf, alarms, monitor } = await setup();
    bus.emit(exitOf(sgtin(2), 'outside', 'inside'));
    bus.emit({ ...exitOf(sgtin(2), 'shelf', 'outside'), direction: 'exit' } as EventBody);
    bus.emit({ ...exitOf(sgtin(2)), direction: null } as EventBody);
    expect(alarms()).toEqual([]);
    expect(monitor?.stats.exits).toBe(0);
  });

  it('follows unknownTags for a tag that maps to no product', async () => {
    const alarm = await setup({ unknownTags: 'alarm' });
    alarm.bus.emit(alarm.exitOf(UNKNOWN));
    alarm.bus.emit(alarm.exitOf(UNKNOWN));
    expect(alarm.alarms()).toHaveLength(1);
    expect(alarm.alarms()[0]).not.toHaveProperty('product');
    expect(alarm.alarms()[0]).toMatchObject({ tag: UNKNOWN, detail: 'not paid; tag not in the catalog' });

    const log = await setup({ unknownTags: 'log' });
    log.bus.emit(log.exitOf(UNKNOWN));
    log.bus.emit(log.exitOf(UNKNOWN));
    expect(log.alarms()).toEqual([]);
    expect(log.monitor?.stats).toMatchObject({ unknownLogged: 2, suppressed: 1, alarms: 0 });

    const ignore = await setup({ unknownTags: 'ignore' });
    ignore.bus.emit(ignore.exitOf(UNKNOWN));
    expect(ignore.alarms()).toEqual([]);
    expect(ignore.monitor?.stats).toMatchObject({ unknownIgnored: 1, unknownLogged: 0, suppressed: 0 });
  });

  it('treats every item of a completed purchase as paid, silently', async () => {
    const { bus, events, exitOf, alarms, rows } = await setup();
    bus.emit(purchase([sgtin(5), sgtin(6)]));
    expect(rows()).toEqual([
      { tag: sgtin(5), until: T0 + 86_400_000, source: 'purchase', reference: 's-1' },
      { tag: sgtin(6), until: T0 + 86_400_000, source: 'purchase', reference: 's-1' },
    ]);
    bus.emit(exitOf(sgtin(5)));
    expect(alarms()).toEqual([]);
    expect(events.some((event) => event.type === 'tags.paid')).toBe(false);
  });

  it('keeps sold tags paid in memory while the store refuses them, and writes them when it takes them', async () => {
    const { clock, bus, exitOf, alarms, rows, monitor } = await setup();
    bus.failures = 1;
    bus.emit(purchase([sgtin(5)]));
    expect(rows()).toEqual([]);
    bus.emit(exitOf(sgtin(5)));
    expect(alarms()).toEqual([]);
    clock.advanceTo(T0 + 1000);
    expect(rows()).toHaveLength(1);
    expect(monitor?.stats).toMatchObject({ failures: 1, paidExits: 1 });
  });

  it('tries an alarm the outbox refused again at the next exit, instead of counting it as sent', async () => {
    const { clock, bus, exitOf, alarms, monitor } = await setup();
    bus.failures = 1;
    bus.emit(exitOf(sgtin(2)));
    expect(alarms()).toEqual([]);
    clock.advanceTo(T0 + 5000);
    bus.emit(exitOf(sgtin(2)));
    expect(alarms()).toHaveLength(1);
    expect(monitor?.stats).toMatchObject({ failures: 1, alarms: 1, suppressed: 0 });
  });

  it('answers a tags/paid the store refuses with an error, and marks nothing', async () => {
    const { bus, request, events, rows } = await setup();
    bus.failures = 1;
    expect(await request({ tags: [sgtin(1)] })).toEqual({ ok: false, error: 'database or disk is full' });
    expect(rows()).toEqual([]);
    expect(events).toEqual([]);
  });

  it('alarms on an expired mark, and purges expired marks on a timer set for the next expiry', async () => {
    const { clock, bus, exitOf, request, alarms, rows, monitor } = await setup();
    await request({ tags: [sgtin(1)], ttlMs: 2000 });
    await request({ tags: [sgtin(2)], ttlMs: 5 * MINUTE });
    clock.advanceTo(T0 + 2000);
    bus.emit(exitOf(sgtin(1)));
    expect(alarms()).toMatchObject([
      { tag: sgtin(1), detail: 'paid mark expired at 2026-11-22T10:00:02.000Z' },
    ]);
    // Purged no sooner than a minute after the last purge (at start), then at the next expiry: a
    // background chore, no reason for a replay's clock to run on.
    expect(clock.nextTimerAt()).toBeUndefined();
    expect(clock.nextTimerAt({ background: true })).toBe(T0 + PURGE_MIN_INTERVAL_MS);
    clock.advanceTo(T0 + PURGE_MIN_INTERVAL_MS);
    expect(rows()).toHaveLength(1);
    expect(clock.nextTimerAt({ background: true })).toBe(T0 + 5 * MINUTE);
    clock.advanceTo(T0 + 5 * MINUTE);
    expect(rows()).toEqual([]);
    // Nothing left to expire: no timer re-arms.
    expect(clock.nextTimerAt({ background: true })).toBeUndefined();
    expect(monitor?.stats.purged).toBe(2);
  });
});

function purchase(tags: string[]): EventBody {
  return {
    type: 'purchase.completed',
    session: 's-1',
    cabinet: 'fridge-1',
    customer: 'cust-1',
    items: tags.map((tag) => ({ tag, sku: 'COLA-033', unitPrice: 250, currency: 'EUR' })),
    total: 250 * tags.length,
    currency: 'EUR',
    returned: [],
    foreign: [],
    confidence: 'certain',
    settleMs: 800,
  };
}
