import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/app/event-bus.js';
import { configSchema } from '../../src/config/schema.js';
import { ConsoleLive } from '../../src/integrations/http/console/live.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';

const fridgeConfig = () =>
  configSchema.parse({
    sensors: [{ id: 'io', driver: 'lines', port: '/dev/ttyACM0' }],
    readers: [{ id: 'uhf', driver: 'thingmagic', port: '/dev/ttyUSB0', zone: 'fridge' }],
    actuators: [{ id: 'lock', driver: 'lines', device: 'io', channel: 'lock' }],
    cabinets: [{ id: 'c1', zone: 'fridge', door: { sensor: 'io' }, lock: 'lock', currency: 'EUR' }],
  });

describe("the console's live state names the customer in session", () => {
  it('with the name the purchases give for a consenting customer, asked afresh each time', () => {
    const config = fridgeConfig();
    const bus = new EventBus({ gateway: 'gw', clock: new VirtualClock(0), logger: silentLogger() });
    const names = new Map([['cust-1', 'Mei']]);
    const live = new ConsoleLive(config, bus, undefined, (customer) => names.get(customer));
    const session = () => live.now().cabinets[0]?.session;
    bus.emit({ type: 'purchase.started', session: 's1', cabinet: 'c1', customer: 'cust-1', via: 'card' });
    expect(session()).toMatchObject({ customer: 'cust-1', name: 'Mei' });
    // Consent withdrawn mid-session: the name is gone at the next look, none was kept.
    names.delete('cust-1');
    expect(session()).toMatchObject({ customer: 'cust-1' });
    expect(session()).not.toHaveProperty('name');
    expect(JSON.stringify(live.since(0))).not.toContain('Mei');
    bus.emit({
      type: 'purchase.cancelled',
      session: 's1',
      cabinet: 'c1',
      customer: 'cust-1',
      reason: 'timeout',
    });
    bus.emit({ type: 'purchase.started', session: 's2', cabinet: 'c1', customer: 'cust-2', via: 'card' });
    expect(session()).toMatchObject({ customer: 'cust-2' });
    expect(session()).not.toHaveProperty('name');
    live.close();
  });

  it("shows the cabinet's last sale as stored until the next one, looking it up once", () => {
    const config = fridgeConfig();
    const bus = new EventBus({ gateway: 'gw', clock: new VirtualClock(0), logger: silentLogger() });
    const asked: string[] = [];
    const stored = {
      body: {
        type: 'purchase.completed' as const,
        ...{ session: 's0', cabinet: 'c1', customer: 'cust-1', confidence: 'certain' as const },
        items: [{ tag: '3034257BF7194E4000000001', sku: 'cola', name: 'Cola', unitPrice: 250 }],
        ...{ returned: [], foreign: [], total: 250, currency: 'EUR', settleMs: 900 },
      },
      atMs: Date.parse('2026-12-06T18:00:00.000Z'),
    };
    const live = new ConsoleLive(config, bus, undefined, undefined, (cabinet) => {
      asked.push(cabinet);
      return stored;
    });
    const last = () => live.now().cabinets[0]?.last;
    expect(last()).toEqual({
      type: 'purchase.completed',
      ts: '2026-12-06T18:00:00.000Z',
      total: 250,
      currency: 'EUR',
      items: 1,
    });
    // Asked again: kept, not looked up again.
    expect(last()?.total).toBe(250);
    expect(asked).toEqual(['c1']);
    bus.emit({
      type: 'purchase.cancelled',
      session: 's1',
      cabinet: 'c1',
      customer: 'cust-2',
      reason: 'timeout',
    });
    expect(last()).toMatchObject({ type: 'purchase.cancelled', items: 0, reason: 'timeout' });
    expect(asked).toEqual(['c1']);
    live.close();
  });
});
