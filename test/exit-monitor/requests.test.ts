import { describe, expect, it } from 'vitest';
import { Controller } from '../../src/app/controller.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import { tap } from '../helpers/features.js';
import { SOLD, UNSOLD } from './door-capture.js';
import { requester } from './replay.js';

const T0 = Date.parse('2026-11-22T10:00:00.000Z');

async function boot() {
  const clock = new VirtualClock(T0);
  const events: GatewayEvent[] = [];
  const controller = Controller.create(
    configSchema.parse({
      doors: [{ id: 'front', path: ['inside', 'outside'] }],
      exitMonitor: { doors: ['front'] },
    }),
    {
      mode: 'run',
      clock,
      logger: silentLogger(),
      dataDir: ':memory:',
      mqtt: undefined,
      drainMs: 0,
      extraFeatures: [tap('test-events', ({ bus }) => bus.on('test', '*', (event) => events.push(event)))],
    },
  );
  await controller.start();
  const rows = () => controller.store.db.prepare('SELECT count(*) FROM exit_monitor_paid').pluck().get();
  return { controller, events, rows, request: requester(controller, clock) };
}

const tags = (count: number) =>
  Array.from({ length: count }, (_, index) => `E200${index.toString(16).toUpperCase().padStart(8, '0')}`);

describe('tags/paid validation', () => {
  it.each([
    ['bad hex', { tags: [SOLD, 'E2003412XYZ0'] }, 'tags[1]: expected hex digits, got "E2003412XYZ0"'],
    [
      'half a byte',
      { tags: ['E20034120'] },
      'tags[0]: expected whole bytes (an even number of hex digits), got "E20034120"',
    ],
    ['too many tags', { tags: tags(1001) }, 'tags: at most 1000 tags per request'],
    ['no tags', { tags: [] }, 'tags: give at least one tag'],
    ['no tags field', {}, 'tags: Required'],
    ['a tag that is a number', { tags: [42] }, 'tags[0]: expected string, received number'],
    [
      'a ttl past 90 days',
      { tags: [SOLD], ttlMs: 90 * 86_400_000 + 1 },
      'ttlMs: at most 7776000000 ms (90 days)',
    ],
    ['a ttl in seconds', { tags: [SOLD], ttlMs: 60 }, 'ttlMs: at least 1000 ms'],
    ['a fractional ttl', { tags: [SOLD], ttlMs: 1500.5 }, 'ttlMs: expected whole milliseconds'],
    ['a long reference', { tags: [SOLD], reference: 'r'.repeat(129) }, 'reference: at most 128 characters'],
    ['a misspelt field', { tags: [SOLD], ttl: 1000 }, 'ttl: unknown field'],
  ])('refuses %s with a clear error and marks nothing', async (_, payload, error) => {
    const { controller, events, rows, request } = await boot();
    expect(await request('tags/paid', { transaction: 'pos-1', ...payload })).toEqual({
      transaction: 'pos-1',
      status: 'error',
      error,
    });
    expect(rows()).toBe(0);
    expect(events).toEqual([]);
    await controller.stop();
  });

  it('takes 1000 tags, uppercases them and counts a repeated one once', async () => {
    const { controller, events, rows, request } = await boot();
    const many = tags(999).map((tag) => tag.toLowerCase());
    const answer = await request('tags/paid', {
      tags: [...many, UNSOLD, UNSOLD.toLowerCase()].slice(0, 1000),
    });
    expect(answer).toEqual({
      transaction: null,
      status: 'ok',
      data: { marked: 1000, until: '2026-11-23T10:00:00.000Z' },
    });
    expect(rows()).toBe(1000);
    const paid = events.filter((event) => event.type === 'tags.paid');
    expect(paid).toHaveLength(1);
    expect(paid[0]).toMatchObject({ tags: expect.arrayContaining([UNSOLD, tags(1)[0]]) });
    await controller.stop();
  });
});
