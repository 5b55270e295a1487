import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/app/event-bus.js';
import { configSchema } from '../../src/config/schema.js';
import { defaultRules } from '../../src/domain/rules/defaults.js';
import { RuleEngine } from '../../src/domain/rules/engine.js';
import type { ProductLookup } from '../../src/domain/rules/match.js';
import { RateLimit } from '../../src/domain/rules/rate-limit.js';
import { createLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import type { EventBody } from '../../src/shared/events.js';
import type { BusCommands } from '../../src/shared/extension.js';
import { Store } from '../../src/store/index.js';

const START = Date.parse('2026-11-30T10:00:00.000Z');
// An SGTIN-96 of company 0614141, item 812345 (the TDS example), and a tag of no product.
const COLA_TAG = '3074257BF7194E4000001A85';
const STRANGER = 'E2000017221101441890ABCD';

const stores: Store[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

const products: ProductLookup = Object.assign(
  (tag: string) =>
    tag === COLA_TAG
      ? { sku: 'COLA', gtin: '00614141123452', name: 'Cola 0.5 l', category: 'drinks' }
      : undefined,
  { bySku: (sku: string) => (sku === 'COLA' ? { category: 'drinks' } : undefined) },
);

function setup(rules: unknown[], options: { failActuator?: string; mqtt?: boolean } = {}) {
  const clock = new VirtualClock(START);
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void lines.push(line) },
  });
  const store = Store.open({ dataDir: ':memory:', clock, logger });
  stores.push(store);
  const bus = new EventBus({ gateway: 'gw1', clock, logger, journal: store.outbox, store });
  const commands: Array<BusCommands['actuator.set'] | BusCommands['display.show']> = [];
  bus.handle('actuator.set', async (input) => {
    if (input.actuator === options.failActuator)
      throw new Error(`${input.actuator}: port /dev/ttyUSB9 is gone`);
    commands.push(input);
  });
  bus.handle('display.show', async (input) => {
    commands.push(input);
  });
  const published: Array<{ topic: string; payload: string }> = [];
  // The broker's link answers `mqtt.publish` when there is one.
  if (options.mqtt) {
    bus.handle('mqtt.publish', async ({ topic, payload }) => {
      published.push({ topic, payload });
    });
  }
  const config = configSchema.parse({ rules });
  const engine = new RuleEngine(config.rules, { bus, clock, logger, products });
  engine.start();
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { bus, clock, engine, commands, published, lines, settle };
}

const arrived = (tag: string, zone = 'exit'): EventBody => ({
  type: 'tag.arrived',
  zone,
  reader: 'door',
  antenna: 1,
  rssi: -50,
  tag,
  reads: 1,
});

describe('RuleEngine', () => {
  it('fires on its event type and filter only, with the product looked up from the tag', async () => {
    const { bus, commands, engine, settle } = setup([
      {
        id: 'drinks-leaving',
        on: 'tag.arrived',
        when: { zone: 'exit', category: 'drinks' },
        do: [{ pulse: { actuator: 'light', ms: 2000 } }, { show: { display: 'door', template: 'alarm' } }],
      },
    ]);
    bus.emit(arrived(COLA_TAG, 'shelf')); // another zone
    bus.emit(arrived(STRANGER)); // no product
    bus.emit({ type: 'sensor.changed', sensor: 'io', channel: 'door', value: 'open', zone: 'exit' });
    bus.emit(arrived(COLA_TAG));
    await settle();
    expect(commands).toEqual([
      { actuator: 'light', value: 'on', pulseMs: 2000, reason: 'rule drinks-leaving' },
      { display: 'door', template: 'alarm', data: { tag: COLA_TAG, product: 'Cola 0.5 l' } },
    ]);
    expect(engine.stats['drinks-leaving']).toEqual({ fired: 1, suppressed: 0, failed: 0 });
  });

  it('matches tags by GS1 pattern and by hex prefix', async () => {
    const { bus, engine, settle } = setup([
      {
        id: 'by-pattern',
        on: 'tag.arrived',
        when: { tag: 'urn:epc:pat:sgtin-96:*.0614141.812345.*' },
        do: [{ set: { actuator: 'a', value: '1' } }],
      },
      {
        id: 'by-prefix',
        on: 'tag.arrived',
        when: { tag: 'E200' },
        do: [{ set: { actuator: 'a', value: '2' } }],
      },
    ]);
    bus.emit(arrived(COLA_TAG));
    bus.emit(arrived(STRANGER));
    await settle();
    expect(engine.stats['by-pattern']?.fired).toBe(1);
    expect(engine.stats['by-prefix']?.fired).toBe(1);
  });

  it('limits its rate per tag: one firing per tag per window, each tag on its own', async () => {
    const { bus, clock, engine, commands, settle } = setup([
      {
        id: 'buzz',
        on: 'security.alarm',
        when: { kind: 'unpaid_exit' },
        do: [{ pulse: { actuator: 'buzzer', ms: 500 } }],
        rateLimit: { count: 1, perMs: 60_000, per: 'tag' },
      },
    ]);
    const alarm = (tag: string): EventBody => ({ type: 'security.alarm', kind: 'unpaid_exit', tag });
    bus.emit(alarm('AA01'));
    bus.emit(alarm('AA01'));
    bus.emit(alarm('BB02'));
    clock.advanceTo(START + 60_001);
    bus.emit(alarm('AA01'));
    await settle();
    expect(commands).toHaveLength(3);
    expect(engine.stats.buzz).toEqual({ fired: 3, suppressed: 1, failed: 0 });
  });

  it('counts and logs a failed action with the rule, the event and the error; the rest goes on', async () => {
    const { bus, engine, commands, lines, settle } = setup(
      [
        {
          id: 'alarm',
          on: 'security.alarm',
          do: [{ pulse: { actuator: 'buzzer', ms: 500 } }, { pulse: { actuator: 'light', ms: 500 } }],
        },
      ],
      { failActuator: 'buzzer' },
    );
    const seen: string[] = [];
    bus.on('test', '*', (event) => seen.push(event.type));
    // The buzzer's port is gone: its pulse fails, the light still flashes, events still flow.
    bus.emit({ type: 'security.alarm', kind: 'unpaid_exit', tag: 'AA01' });
    bus.emit(arrived(STRANGER));
    await settle();
    expect(seen).toEqual(['security.alarm', 'tag.arrived']);
    expect(commands.map((command) => ('actuator' in command ? command.actuator : ''))).toEqual(['light']);
    expect(engine.stats.alarm).toEqual({ fired: 1, failed: 1, suppressed: 0 });
    const failure = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === 'rule action failed');
    expect(failure).toMatchObject({ rule: 'alarm', seq: 1, type: 'security.alarm' });
    expect(JSON.stringify(failure)).toContain('/dev/ttyUSB9 is gone');
  });

  it('publishes the event, or the given payload, and fails (counted) without a broker', async () => {
    const rules = [
      { id: 'forward', on: 'purchase.refused', do: [{ publish: { topic: 'alerts/refused' } }] },
      {
        id: 'fixed',
        on: 'purchase.refused',
        do: [{ publish: { topic: 'alerts/fixed', payload: { light: 'red' } } }],
      },
    ];
    const withBroker = setup(rules, { mqtt: true });
    withBroker.bus.emit({ type: 'purchase.refused', cabinet: 'fridge', reason: 'unknown_card' });
    await withBroker.settle();
    expect(withBroker.published.map((message) => message.topic)).toEqual(['alerts/refused', 'alerts/fixed']);
    expect(JSON.parse(withBroker.published[0]?.payload ?? '{}')).toMatchObject({
      type: 'purchase.refused',
      seq: 1,
    });
    expect(JSON.parse(withBroker.published[1]?.payload ?? '{}')).toEqual({ light: 'red' });

    const without = setup(rules);
    without.bus.emit({ type: 'purchase.refused', cabinet: 'fridge', reason: 'unknown_card' });
    await without.settle();
    expect(without.engine.stats.forward?.failed).toBe(1);
  });

  it('leaves out disabled rules', async () => {
    const { bus, commands, settle } = setup([
      { id: 'off', on: 'tag.arrived', enabled: false, do: [{ set: { actuator: 'a', value: '1' } }] },
    ]);
    bus.emit(arrived(COLA_TAG));
    await settle();
    expect(commands).toEqual([]);
  });
});

describe('defaultRules', () => {
  it('turns the exit monitor alarm section into a rule on unpaid exits', () => {
    const config = configSchema.parse({
      doors: [{ id: 'front', path: ['inside', 'outside'] }],
      exitMonitor: {
        doors: ['front'],
        alarm: { actuators: ['buzzer', 'light'], pulseMs: 2500, display: 'door' },
      },
    });
    expect(defaultRules(config)).toEqual([
      {
        id: 'default:unpaid-exit',
        on: ['security.alarm'],
        when: { kind: ['unpaid_exit'] },
        do: [
          { pulse: { actuator: 'buzzer', value: 'on', ms: 2500 } },
          { pulse: { actuator: 'light', value: 'on', ms: 2500 } },
          { show: { display: 'door', template: 'alarm' } },
        ],
        enabled: true,
      },
    ]);
    expect(defaultRules(configSchema.parse({}))).toEqual([]);
  });
});

describe('RateLimit', () => {
  it('is a sliding window, and forgets the oldest key past its cap', () => {
    const limit = new RateLimit(2, 1000, 2);
    expect([limit.take('a', 0), limit.take('a', 500), limit.take('a', 999)]).toEqual([true, true, false]);
    expect(limit.take('a', 1001)).toBe(true); // the one at 0 has left the window
    limit.take('b', 1001);
    limit.take('c', 1001); // 'a' was used longest ago and goes
    expect(limit.take('a', 1002)).toBe(true);
  });
});
