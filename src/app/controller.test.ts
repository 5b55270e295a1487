import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { createLogger } from '../observability/logger.js';
import { VirtualClock } from '../shared/clock.js';
import { type AnyFeature, defineFeature } from '../shared/feature.js';
import { Controller, StartupError } from './controller.js';

const START = Date.parse('2026-11-30T10:00:00.000Z');

declare module '../shared/feature.js' {
  interface Services {
    /** A service no built-in feature provides (a feature an integrator forgot to list). */
    scale: { grams(): number };
  }
}

function build(extraFeatures: AnyFeature[]) {
  const config = configSchema.parse({
    gatewayId: 'gw1',
    readers: [{ id: 'fridge', driver: 'thingmagic', port: 'replay:unused.jsonl' }],
  });
  const lines: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => void lines.push(line) },
  });
  const controller = Controller.create(config, {
    mode: 'replay',
    clock: new VirtualClock(START),
    logger,
    dataDir: ':memory:',
    mqtt: undefined,
    drainMs: 0,
    extraFeatures,
  });
  return { controller, lines };
}

/** A feature that records its start and stop, and takes a turn of the event loop for each. */
function recording(name: string, log: string[], failStart = false): AnyFeature {
  return defineFeature({
    name,
    build: () => ({
      name,
      async start() {
        await new Promise((resolve) => setImmediate(resolve));
        if (failStart) throw new Error(`${name} cannot reach its device`);
        log.push(`start ${name}`);
      },
      async stop() {
        log.push(`stop ${name} begins`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`stop ${name} ends`);
      },
    }),
  });
}

describe('Controller', () => {
  it('starts the parts in order and stops them in reverse, each stop awaited before the next', async () => {
    const log: string[] = [];
    const { controller } = build([recording('a', log), recording('b', log)]);
    expect(controller.parts).toEqual(['catalog', 'inventory', 'a', 'b', 'readers']);
    await controller.start();
    await controller.stop();
    expect(log).toEqual([
      'start a',
      'start b',
      'stop b begins',
      'stop b ends',
      'stop a begins',
      'stop a ends',
    ]);
  });

  it('on a start-up failure stops what started, closes the store and names the part', async () => {
    const log: string[] = [];
    const { controller, lines } = build([
      recording('a', log),
      recording('b', log, true),
      recording('c', log),
    ]);
    const failure = await controller.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StartupError);
    expect((failure as StartupError).part).toBe('b');
    expect((failure as Error).message).toBe('b failed to start: b cannot reach its device');
    // The failing part is stopped too: it may have opened something before it failed.
    expect(log).toEqual(['start a', 'stop b begins', 'stop b ends', 'stop a begins', 'stop a ends']);
    expect(() => controller.store.db.prepare('SELECT 1').get()).toThrow(/not open/);
    expect(lines.some((line) => line.includes('"part":"b"') && line.includes('start-up failed'))).toBe(true);
  });

  it('keeps stopping the other parts when one fails to stop', async () => {
    const log: string[] = [];
    const failingStop = defineFeature({
      name: 'stuck',
      build: () => ({
        name: 'stuck',
        start() {},
        stop() {
          throw new Error('port wedged');
        },
      }),
    });
    const { controller, lines } = build([recording('a', log), failingStop]);
    await controller.start();
    await controller.stop();
    expect(log).toEqual(['start a', 'stop a begins', 'stop a ends']);
    expect(
      lines.some((line) => line.includes('"part":"stuck"') && line.includes('did not stop cleanly')),
    ).toBe(true);
  });

  it('refuses at build time a feature that needs what nobody provides, naming it', () => {
    const needy = defineFeature({
      name: 'needy',
      needs: ['scale'],
      build: () => ({ name: 'needy', start() {}, stop() {} }),
    });
    expect(() => build([needy])).toThrow('feature "needy" needs "scale", which no feature provides');
  });

  it('leaves out a feature whose needed service the config did not ask for, and gives optional ones when there', () => {
    const seen: string[] = [];
    const withoutBroker = defineFeature({
      name: 'broker-user',
      needs: ['mqtt'],
      build: () => {
        seen.push('broker-user built');
        return { name: 'broker-user', start() {}, stop() {} };
      },
    });
    const catalogUser = defineFeature({
      name: 'catalog-user',
      uses: ['catalog', 'engagement'],
      build: ({ uses }) => {
        seen.push(
          `catalog ${uses.catalog ? 'given' : 'absent'}, engagement ${uses.engagement ? 'given' : 'absent'}`,
        );
        return { name: 'catalog-user', start() {}, stop() {} };
      },
    });
    const { controller } = build([withoutBroker, catalogUser]);
    // No broker in this controller: the feature that needs one is not built; the catalog is always
    // there, engagement only with its config section.
    expect(seen).toEqual(['catalog given, engagement absent']);
    expect(controller.parts).toEqual(['catalog', 'inventory', 'catalog-user', 'readers']);
    expect(controller.service('catalog')).toBeDefined();
    expect(controller.service('engagement')).toBeUndefined();
    controller.store.close();
  });
});
