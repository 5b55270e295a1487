import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/app/event-bus.js';
import { configSchema } from '../../src/config/schema.js';
import { AlarmBook } from '../../src/domain/alarms/index.js';
import { ConsoleLive, KEPT_EVENTS } from '../../src/integrations/http/console/live.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import { Store } from '../../src/store/index.js';

const CONFIG = {
  sensors: [{ id: 'io', driver: 'lines', port: '/dev/ttyACM0' }],
  readers: [{ id: 'uhf', driver: 'thingmagic', port: '/dev/ttyUSB0', zone: 'fridge' }],
  actuators: [{ id: 'lock', driver: 'lines', device: 'io', channel: 'lock' }],
  cabinets: [{ id: 'c1', zone: 'fridge', door: { sensor: 'io' }, lock: 'lock', currency: 'EUR' }],
};

function setup() {
  const config = configSchema.parse(CONFIG);
  const bus = new EventBus({ gateway: 'gw', clock: new VirtualClock(0), logger: silentLogger() });
  return { bus, live: new ConsoleLive(config, bus) };
}

describe("the console's live state", () => {
  it("follows a cabinet's session from the card to its outcome: authorised, open, settling, sold", () => {
    const { bus, live } = setup();
    const door = (value: string) =>
      bus.emit({ type: 'sensor.changed', sensor: 'io', channel: 'door', value, zone: 'fridge' });
    const state = () => live.now().cabinets[0];
    bus.emit({ type: 'purchase.started', session: 's1', cabinet: 'c1', customer: 'cust-1', via: 'card' });
    expect(state()?.session?.state).toBe('authorised');
    bus.emit({ type: 'actuator.changed', actuator: 'lock', value: 'open', reason: 'session s1' });
    door('open');
    expect(state()).toMatchObject({
      door: 'open',
      lock: 'open',
      session: { state: 'open', customer: 'cust-1' },
    });
    door('closed');
    expect(state()?.session?.state).toBe('settling');
    bus.emit({
      type: 'purchase.completed',
      ...{ session: 's1', cabinet: 'c1', customer: 'cust-1', items: [], total: 250, currency: 'EUR' },
      ...{ returned: [], foreign: [], confidence: 'certain', settleMs: 900 },
    });
    expect(state()).toMatchObject({ session: undefined, last: { type: 'purchase.completed', total: 250 } });
    bus.emit({
      type: 'purchase.cancelled',
      ...{ session: 's2', cabinet: 'c1', customer: 'cust-1', reason: 'undecided', confidence: 'uncertain' },
    });
    expect(state()?.last?.type).toBe('purchase.uncertain');
    live.close();
  });

  it("never keeps or sends a card id: a refused card and the card reader's reads show their last 4 digits", () => {
    const config = configSchema.parse({
      ...CONFIG,
      readers: [
        ...CONFIG.readers,
        { id: 'badge', driver: 'em4100-ascii', port: '/dev/ttyUSB1', zone: 'door' },
      ],
      cabinets: [{ ...CONFIG.cabinets[0], cardReader: 'badge' }],
    });
    const bus = new EventBus({ gateway: 'gw', clock: new VirtualClock(0), logger: silentLogger() });
    const live = new ConsoleLive(config, bus);
    const read = { antenna: 1, rssi: null, reads: 1 };
    bus.emit({ type: 'tag.arrived', zone: 'door', reader: 'badge', tag: '0415AB7B32', ...read });
    bus.emit({ type: 'purchase.refused', cabinet: 'c1', reason: 'unknown card', card: '0415AB7B32' });
    // A product's tag is no card: shown whole.
    bus.emit({ type: 'tag.arrived', zone: 'fridge', reader: 'uhf', tag: 'E2801160600002', ...read });
    const kept = JSON.stringify(live.since(0));
    expect(kept).not.toContain('0415AB');
    expect(live.since(0)).toMatchObject([
      { type: 'tag.arrived', reader: 'badge', tag: '••••7B32' },
      { type: 'purchase.refused', card: '••••7B32', reason: 'unknown card' },
      { type: 'tag.arrived', reader: 'uhf', tag: 'E2801160600002' },
    ]);
    live.close();
  });

  it('keeps the last events and the open alarms, bounded however long it runs', () => {
    const { bus, live } = setup();
    for (let index = 0; index < KEPT_EVENTS + 100; index++)
      bus.emit({ type: 'security.alarm', kind: 'door_left_open', cabinet: 'c1' });
    expect(live.since(0)).toHaveLength(KEPT_EVENTS);
    expect(live.since(0)[0]?.seq).toBe(101);
    expect(live.since(KEPT_EVENTS + 98).map((event) => event.seq)).toEqual([
      KEPT_EVENTS + 99,
      KEPT_EVENTS + 100,
    ]);
    expect(live.now().alarms.length).toBeLessThanOrEqual(50);
    expect(live.now().lastSeq).toBe(KEPT_EVENTS + 100);
    live.close();
  });

  it("shows the alarm book's open alarms: still there after a restart, gone once acknowledged", () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rfid-live-alarms-'));
    const clock = new VirtualClock(0);
    const logger = silentLogger();
    const config = configSchema.parse(CONFIG);
    const start = () => {
      const store = Store.open({ dataDir, clock, logger });
      const book = new AlarmBook(store, { clock, logger });
      const bus = new EventBus({
        gateway: 'gw',
        clock,
        logger,
        store,
        firstSeq: store.outbox.stats().lastSeq + 1,
      });
      bus.on('alarms', 'security.alarm', (event) => book.record(event));
      return { store, book, bus, live: new ConsoleLive(config, bus, book) };
    };
    try {
      const before = start();
      before.bus.emit({ type: 'security.alarm', kind: 'door_left_open', cabinet: 'c1' });
      before.bus.emit({
        type: 'security.alarm',
        kind: 'unpaid_exit',
        door: 'front',
        product: { sku: 'C', name: 'Cola' },
      });
      before.live.close();
      before.store.close();

      const after = start();
      const { alarms, openAlarms } = after.live.now();
      expect(openAlarms).toBe(2);
      expect(alarms).toEqual([
        expect.objectContaining({ kind: 'unpaid_exit', door: 'front', product: 'Cola' }),
        expect.objectContaining({ kind: 'door_left_open', cabinet: 'c1' }),
      ]);
      after.book.acknowledge([alarms[0]?.id as string], 'console', undefined);
      expect(after.live.now()).toMatchObject({ openAlarms: 1, alarms: [{ kind: 'door_left_open' }] });
      after.live.close();
      after.store.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
