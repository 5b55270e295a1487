import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/app/event-bus.js';
import { configSchema } from '../../src/config/schema.js';
import { RuleEngine } from '../../src/domain/rules/engine.js';
import { createLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import type { BusCommands } from '../../src/shared/extension.js';
import { Store } from '../../src/store/index.js';

/** Rules over sensor values: `above`, `below` and `forMs`, on the virtual clock. */
const START = Date.parse('2026-11-30T10:00:00.000Z');
const MIN = 60_000;

const stores: Store[] = [];
const engines: RuleEngine[] = [];
afterEach(() => {
  for (const engine of engines.splice(0)) engine.stop();
  for (const store of stores.splice(0)) store.close();
});

function setup(when: Record<string, unknown>) {
  const clock = new VirtualClock(START);
  const logger = createLogger({ level: 'silent' });
  const store = Store.open({ dataDir: ':memory:', clock, logger });
  stores.push(store);
  const bus = new EventBus({ gateway: 'gw1', clock, logger, journal: store.outbox, store });
  const pulses: Array<BusCommands['actuator.set'] & { at: number }> = [];
  bus.handle('actuator.set', async (input) => {
    pulses.push({ ...input, at: clock.now() - START });
  });
  const config = configSchema.parse({
    rules: [
      {
        id: 'warm',
        on: 'sensor.changed',
        when: { sensor: 'io', channel: 'temperature', ...when },
        do: [{ pulse: { actuator: 'light', ms: 1000 } }],
      },
    ],
  });
  const engine = new RuleEngine(config.rules, { bus, clock, logger, products: () => undefined });
  engines.push(engine);
  engine.start();
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const reading = async (atMs: number, value: string | number, channel = 'temperature', sensor = 'io') => {
    clock.advanceTo(START + atMs);
    bus.emit({ type: 'sensor.changed', sensor, channel, value, zone: 'fridge' });
    await settle();
  };
  const advance = async (atMs: number) => {
    clock.advanceTo(START + atMs);
    await settle();
  };
  return { engine, pulses, reading, advance };
}

describe('rules with above and below', () => {
  it('fire once when the value crosses above, and again only after it has come back down', async () => {
    const { engine, pulses, reading } = setup({ above: 8 });
    await reading(0, 4);
    await reading(1000, 8); // at the limit is not above it
    await reading(2000, 8.5);
    await reading(3000, 9.5);
    await reading(4000, 12);
    await reading(5000, 7);
    await reading(6000, 9);
    expect(pulses.map((pulse) => pulse.at)).toEqual([2000, 6000]);
    expect(engine.stats.warm).toEqual({ fired: 2, suppressed: 0, failed: 0 });
  });

  it('fire below a number, and between two with both', async () => {
    const cold = setup({ below: 2 });
    await cold.reading(0, 4);
    await cold.reading(1000, 1.5);
    await cold.reading(2000, -1);
    expect(cold.pulses.map((pulse) => pulse.at)).toEqual([1000]);

    const band = setup({ above: 2, below: 8 });
    await band.reading(0, 1); // below the band
    await band.reading(1000, 5); // into it
    await band.reading(2000, 6);
    await band.reading(3000, 9); // out above
    await band.reading(4000, 7); // in again
    expect(band.pulses.map((pulse) => pulse.at)).toEqual([1000, 4000]);
  });

  it('with forMs, fire only when the value has stayed there that long, once per crossing', async () => {
    const { pulses, reading, advance } = setup({ above: 8, forMs: 15 * MIN });
    await reading(0, 9); // a short excursion: the door held open
    await reading(10 * MIN, 6);
    await advance(30 * MIN);
    expect(pulses).toEqual([]);
    await reading(31 * MIN, 9.5);
    await reading(40 * MIN, 10.5); // still above: the count goes on from 31 min
    await advance(46 * MIN - 1);
    expect(pulses).toEqual([]);
    await advance(46 * MIN);
    expect(pulses.map((pulse) => pulse.at)).toEqual([46 * MIN]);
    await advance(120 * MIN); // above for hours: still once
    expect(pulses).toHaveLength(1);
    // Re-armed when it comes down: the next long excursion fires again.
    await reading(121 * MIN, 5);
    await reading(122 * MIN, 9);
    await advance(137 * MIN);
    expect(pulses.map((pulse) => pulse.at)).toEqual([46 * MIN, 137 * MIN]);
  });

  it('keep each sensor and channel on its own, and ignore values that are not numbers', async () => {
    const { pulses, reading, advance } = setup({ above: 8, forMs: MIN, channel: ['temperature', 'temp2'] });
    await reading(0, 9, 'temperature');
    await reading(30_000, 3, 'temp2'); // another channel does not end this one's crossing
    await reading(40_000, 'err', 'temperature'); // nor does a value that is not a number
    await reading(50_000, 'door-open', 'door'); // a channel the rule does not name
    await advance(MIN);
    expect(pulses.map((pulse) => pulse.at)).toEqual([MIN]);
    await reading(2 * MIN, '9.5', 'temp2'); // a decimal in a string is a number
    await advance(3 * MIN);
    expect(pulses.map((pulse) => pulse.at)).toEqual([MIN, 3 * MIN]);
  });
});
