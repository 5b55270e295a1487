import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.js';
import { VirtualClock } from '../shared/clock.js';
import type { GatewayEvent } from '../shared/events.js';
import { Store } from '../store/index.js';
import { EventBus } from './event-bus.js';

const START = Date.parse('2026-11-30T10:00:00.000Z');

interface LogLine {
  level: number;
  msg: string;
  seq?: number;
  type?: string;
  listener?: string;
}

const stores: Store[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function setup() {
  const clock = new VirtualClock(START);
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void lines.push(line) },
  });
  const store = Store.open({ dataDir: ':memory:', clock, logger });
  stores.push(store);
  store.migrate('bus-test', ['CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)']);
  const bus = new EventBus({ gateway: 'gw1', clock, logger, journal: store.outbox, store });
  const logs = () => lines.map((line) => JSON.parse(line) as LogLine);
  const committed = () => {
    store.outbox.commit();
    return store.outbox.pending(0, 1000).map((record) => JSON.parse(record.payload) as GatewayEvent);
  };
  return { clock, store, bus, logs, committed };
}

const arrived = (tag: string) =>
  ({ type: 'tag.arrived', zone: 'fridge', reader: 'r1', antenna: 1, rssi: -50, tag, reads: 1 }) as const;

describe('EventBus', () => {
  it('queues an event emitted by a listener after the one being handled: causal seq, nothing lost', () => {
    const { bus, logs, committed } = setup();
    const seen: Array<[string, number, string]> = [];
    bus.on('reactor', 'tag.arrived', (event) => {
      seen.push(['reactor', event.seq, event.type]);
      bus.emit({ type: 'sensor.changed', sensor: 'io', channel: 'light', value: 'on', zone: 'fridge' });
    });
    bus.on('recorder', '*', (event) => seen.push(['recorder', event.seq, event.type]));

    bus.emit(arrived('AA01'));

    // The recorder sees the arrival before the effect, though the effect was emitted mid-arrival.
    expect(seen).toEqual([
      ['reactor', 1, 'tag.arrived'],
      ['recorder', 1, 'tag.arrived'],
      ['recorder', 2, 'sensor.changed'],
    ]);
    expect(committed().map((event) => [event.seq, event.type])).toEqual([
      [1, 'tag.arrived'],
      [2, 'sensor.changed'],
    ]);
    expect(logs().filter((line) => line.level >= 50)).toEqual([]);
  });

  it('keeps delivering to the other listeners when one throws, and logs it with seq and type', () => {
    const { bus, logs, committed } = setup();
    const got: number[] = [];
    bus.on('broken', '*', () => {
      throw new Error('boom');
    });
    bus.on('healthy', '*', (event) => got.push(event.seq));

    bus.emit(arrived('AA01'));
    bus.emit(arrived('AA02'));

    expect(got).toEqual([1, 2]);
    expect(committed().map((event) => event.seq)).toEqual([1, 2]);
    expect(bus.stats.listenerErrors).toEqual({ broken: 2 });
    const errors = logs().filter((line) => line.level === 50);
    expect(errors.map((line) => [line.listener, line.seq, line.type])).toEqual([
      ['broken', 1, 'tag.arrived'],
      ['broken', 2, 'tag.arrived'],
    ]);
  });

  it('subscribes by type: a listener only gets the types it asked for', () => {
    const { bus } = setup();
    const types: string[] = [];
    bus.on('sensors', ['sensor.changed', 'reader.status'], (event) => types.push(event.type));
    bus.emit(arrived('AA01'));
    bus.emit({ type: 'reader.status', reader: 'r1', state: 'online' });
    bus.emit({ type: 'sensor.changed', sensor: 'io', channel: 'door', value: 'open', zone: 'fridge' });
    expect(types).toEqual(['reader.status', 'sensor.changed']);
  });

  it('commits a state change and its events together, before any listener sees them', () => {
    const { bus, store } = setup();
    const seenDurable: boolean[] = [];
    bus.on('checker', 'sensor.changed', (event) => {
      seenDurable.push(store.outbox.pending(0, 100).some((record) => record.seq === event.seq));
    });
    bus.transaction(() => {
      store.db.prepare('INSERT INTO counter (id, value) VALUES (1, 1)').run();
      bus.emit({ type: 'sensor.changed', sensor: 'io', channel: 'door', value: 'open', zone: 'fridge' });
    });
    expect(seenDurable).toEqual([true]);
    expect(store.db.prepare('SELECT value FROM counter').all()).toEqual([{ value: 1 }]);
  });

  it('rolls back both the state and its events when the transaction fails; seq goes on without a gap', () => {
    const { bus, store, committed } = setup();
    const seen: number[] = [];
    bus.on('recorder', '*', (event) => seen.push(event.seq));
    bus.emit(arrived('AA01'));

    expect(() =>
      bus.transaction(() => {
        store.db.prepare('INSERT INTO counter (id, value) VALUES (1, 1)').run();
        bus.emit({ type: 'sensor.changed', sensor: 'io', channel: 'door', value: 'open', zone: 'fridge' });
        throw new Error('payment refused');
      }),
    ).toThrow('payment refused');

    bus.emit(arrived('AA02'));
    expect(store.db.prepare('SELECT count(*) AS n FROM counter').get()).toEqual({ n: 0 });
    expect(seen).toEqual([1, 2]);
    expect(committed().map((event) => [event.seq, event.type])).toEqual([
      [1, 'tag.arrived'],
      [2, 'tag.arrived'],
    ]);
  });

  it('a transaction run by a listener delivers its events in seq order with the queued ones', () => {
    const { bus, store, committed } = setup();
    const order: Array<[number, string]> = [];
    bus.on('purchases', 'tag.arrived', () => {
      bus.emit({ type: 'reader.status', reader: 'r1', state: 'online' });
      bus.transaction(() => {
        store.db.prepare('INSERT INTO counter (id, value) VALUES (1, 1)').run();
        bus.emit({ type: 'sensor.changed', sensor: 'io', channel: 'door', value: 'open', zone: 'fridge' });
      });
    });
    bus.on('recorder', '*', (event) => order.push([event.seq, event.type]));
    bus.emit(arrived('AA01'));
    const seqs = order.map(([seq]) => seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(order.map(([, type]) => type).sort()).toEqual(['reader.status', 'sensor.changed', 'tag.arrived']);
    expect(committed().map((event) => event.seq)).toEqual([1, 2, 3]);
  });

  it('counts seq in memory without a journal, from the given start', () => {
    const clock = new VirtualClock(START);
    const bus = new EventBus({
      gateway: 'gw1',
      clock,
      logger: createLogger({ level: 'silent' }),
      firstSeq: 41,
    });
    const seqs: number[] = [];
    bus.on('recorder', '*', (event) => seqs.push(event.seq));
    bus.emit(arrived('AA01'));
    expect(() =>
      bus.transaction(() => {
        bus.emit(arrived('AA02'));
        throw new Error('no');
      }),
    ).toThrow('no');
    bus.emit(arrived('AA03'));
    expect(seqs).toEqual([41, 42]);
  });

  it('routes a command to its one handler and rejects when nobody handles it', async () => {
    const { bus } = setup();
    await expect(
      bus.command('actuator.set', { actuator: 'lock', value: 'open', reason: 'test' }),
    ).rejects.toThrow('nothing handles "actuator.set"');
    const calls: string[] = [];
    bus.handle('actuator.set', async (input) => {
      calls.push(`${input.actuator}=${input.value}`);
    });
    expect(() => bus.handle('actuator.set', async () => {})).toThrow('two handlers');
    await bus.command('actuator.set', { actuator: 'lock', value: 'open', reason: 'test' });
    expect(calls).toEqual(['lock=open']);
  });

  it('a nested transaction that fails undoes only its own rows and events', () => {
    const { bus, store, committed } = setup();
    bus.transaction(() => {
      store.db.prepare('INSERT INTO counter (id, value) VALUES (1, 1)').run();
      bus.emit(arrived('AA01'));
      expect(() =>
        bus.transaction(() => {
          store.db.prepare('INSERT INTO counter (id, value) VALUES (2, 2)').run();
          bus.emit(arrived('AA02'));
          throw new Error('inner');
        }),
      ).toThrow('inner');
    });
    expect(store.db.prepare('SELECT id FROM counter').all()).toEqual([{ id: 1 }]);
    expect(committed().map((event) => [event.seq, event.type === 'tag.arrived' ? event.tag : ''])).toEqual([
      [1, 'AA01'],
    ]);
  });

  it('an event the journal refuses is not delivered with a borrowed seq, and fails its transaction', () => {
    const { bus, store, committed, logs } = setup();
    const seen: number[] = [];
    bus.on('recorder', '*', (event) => seen.push(event.seq));
    // JSON cannot carry a BigInt: the outbox refuses the event.
    const unserialisable = { ...arrived('BAD'), reads: 10n as unknown as number };
    bus.emit(unserialisable);
    bus.emit(arrived('AA01'));
    expect(seen).toEqual([1]);
    expect(() =>
      bus.transaction(() => {
        store.db.prepare('INSERT INTO counter (id, value) VALUES (1, 1)').run();
        bus.emit(unserialisable);
      }),
    ).toThrow();
    expect(store.db.prepare('SELECT count(*) AS n FROM counter').get()).toEqual({ n: 0 });
    bus.emit(arrived('AA02'));
    expect(seen).toEqual([1, 2]);
    expect(committed().map((event) => event.seq)).toEqual([1, 2]);
    expect(bus.stats.journalErrors).toBe(2);
    expect(logs().filter((line) => line.level === 50)).toHaveLength(2);
  });
});
