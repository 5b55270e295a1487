import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from '../../src/app/controller.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import type { EventBody, GatewayEvent } from '../../src/shared/events.js';
import { tap } from '../helpers/features.js';
import { COLA, SOLD, UNSOLD, WATER } from './door-capture.js';
import { requester } from './replay.js';

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const HOUR = 3_600_000;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const config = configSchema.parse({
  gatewayId: 'exit-gw',
  doors: [{ id: 'front', path: ['inside', 'outside'] }],
  exitMonitor: { doors: ['front'], unknownTags: 'alarm' },
});

/** The service with no readers on a store in `dataDir`, started at `at` on a virtual clock. */
async function boot(dataDir: string, at: number) {
  const clock = new VirtualClock(at);
  const events: GatewayEvent[] = [];
  const controller = Controller.create(config, {
    mode: 'run',
    clock,
    logger: silentLogger(),
    dataDir,
    mqtt: undefined,
    drainMs: 0,
    extraFeatures: [tap('test-events', ({ bus }) => bus.on('test', '*', (event) => events.push(event)))],
  });
  await controller.start();
  const request = requester(controller, clock);
  /** What the core emits when a tag walks the door's path. */
  const exit = (tag: string) => {
    const moved: EventBody = {
      ...{ type: 'tag.moved', zone: 'outside', from: 'inside', to: 'outside', direction: 'exit' },
      ...{ reader: 'door', antenna: 2, rssi: -55, tag, reads: 12 },
    };
    controller.bus.emit(moved);
  };
  const alarmed = () => events.flatMap((event) => (event.type === 'security.alarm' ? [event.tag] : []));
  const rows = () =>
    controller.store.db.prepare('SELECT tag, until FROM exit_monitor_paid ORDER BY tag').all() as Array<{
      tag: string;
      until: number;
    }>;
  return { controller, clock, events, request, exit, alarmed, rows };
}

describe('paid marks across a restart (real SQLite file)', () => {
  it('survive the restart, and still expire', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rfid-exit-'));
    dirs.push(dataDir);
    const first = await boot(dataDir, T0);
    await first.request('catalog/set', { products: [COLA, WATER] });
    expect(await first.request('tags/paid', { tags: [SOLD], ttlMs: 2 * HOUR })).toEqual({
      transaction: null,
      status: 'ok',
      data: { marked: 1, until: '2026-11-22T12:00:00.000Z' },
    });
    await first.controller.stop();

    // An hour later (the catalog is persisted too): still paid; the other tag never was.
    const second = await boot(dataDir, T0 + HOUR);
    second.exit(SOLD);
    second.exit(UNSOLD);
    expect(second.alarmed()).toEqual([UNSOLD]);
    await second.controller.stop();

    // Three hours later: the mark has expired, so the tag alarms; the start-up purged its row.
    const third = await boot(dataDir, T0 + 3 * HOUR);
    expect(third.rows()).toEqual([]);
    third.exit(SOLD);
    expect(third.alarmed()).toEqual([SOLD]);
    expect(third.events.find((event) => event.type === 'security.alarm')).toMatchObject({
      product: { sku: 'WATER-05' },
      detail: 'not paid',
    });
    await third.controller.stop();
  });

  it('purges a mark that expired while the gateway ran, on its timer', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rfid-exit-'));
    dirs.push(dataDir);
    const gateway = await boot(dataDir, T0);
    await gateway.request('tags/paid', { tags: [SOLD, UNSOLD], ttlMs: 10 * 60_000 });
    await gateway.request('tags/paid', { tags: [UNSOLD], ttlMs: HOUR });
    expect(gateway.rows()).toHaveLength(2);
    gateway.clock.advanceTo(T0 + 10 * 60_000);
    expect(gateway.rows()).toEqual([{ tag: UNSOLD, until: T0 + HOUR }]);
    gateway.clock.advanceTo(T0 + HOUR);
    expect(gateway.rows()).toEqual([]);
    await gateway.controller.stop();
  });
});
