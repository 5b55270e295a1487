import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyStats } from '../core/events.js';
import { VirtualClock } from '../shared/clock.js';
import type { StoreHealth } from '../store/store.js';
import type { OutboxStats } from '../store/types.js';
import { GatewayFigures, LoopMonitor, type LoopWindow } from './figures.js';
import type { TagQuery } from './reading-services.js';

const T0 = Date.parse('2026-11-30T10:00:00.000Z');

const spin = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Keeps the event loop busy, as a burst of reads would.
  }
};

describe('LoopMonitor', () => {
  const windows: LoopWindow[] = [];
  afterEach(() => {
    for (const window of windows.splice(0)) window.close();
  });

  it('samples event-loop lag only after a busy interval, and reports the utilization of each', async () => {
    const monitor = new LoopMonitor();
    const window = monitor.window();
    windows.push(window);
    // Nothing wakes an idle process to measure lag: sampling starts off.
    expect(monitor.sampling).toBe(false);

    spin(60);
    const busy = window.take();
    expect(busy.utilization).toBeGreaterThan(0.5);
    expect(busy).toMatchObject({ p50Ms: 0, p99Ms: 0, maxMs: 0, sampled: false });
    expect(monitor.sampling).toBe(true);

    // A callback that blocks past the 50 ms sampling interval shows up as lag.
    await sleep(120);
    spin(150);
    await sleep(80);
    const blocked = window.take();
    expect(blocked.maxMs).toBeGreaterThan(50);
    expect(blocked.sampled).toBe(true);
    expect(monitor.sampling).toBe(true);

    // An idle interval switches it off (the test runner's own work may keep a few intervals above 1 %).
    let idle = window.take();
    for (let attempt = 0; attempt < 10 && monitor.sampling; attempt++) {
      await sleep(500);
      idle = window.take();
    }
    expect(idle.utilization).toBeLessThan(LoopMonitor.BUSY_UTILIZATION);
    expect(monitor.sampling).toBe(false);
  });

  it('gives each window the samples of its own interval', async () => {
    const monitor = new LoopMonitor();
    const metrics = monitor.window();
    const scrapes = monitor.window({ minIntervalMs: 60_000 });
    windows.push(metrics, scrapes);
    spin(60);
    metrics.take();
    expect(monitor.sampling).toBe(true);
    scrapes.take();
    await sleep(120);
    spin(150);
    await sleep(80);
    // The block is in the window's interval once: its next interval starts afresh.
    const blocked = metrics.take();
    expect(blocked.maxMs).toBeGreaterThan(50);
    await sleep(120);
    expect(metrics.take().maxMs).toBeLessThan(blocked.maxMs);
    // Within its minimum interval, a window answers with its previous figures.
    const first = scrapes.take();
    expect(first).toBe(scrapes.take());
    // Closing every window stops the sampling: nobody reads it.
    metrics.close();
    scrapes.close();
    expect(monitor.sampling).toBe(false);
  });
});

describe('GatewayFigures', () => {
  it('reads the antennas that were read, the outbox only with a broker, and memory at most every 10 s', () => {
    const clock = new VirtualClock(T0);
    const pipelineLike = {
      id: 'shelf',
      kind: 'reader' as const,
      state: 'online' as const,
      counters: { bytes: 0, frames: 3, reads: 3, errors: 0, droppedBytes: 0 },
      antennaReads: Float64Array.from({ length: 256 }, (_, antenna) =>
        antenna === 2 ? 2 : antenna === 7 ? 1 : 0,
      ),
      antennasRead: [2, 7],
      ingestFailures: 0,
    };
    let outboxReads = 0;
    const sources = (broker: boolean) => ({
      clock,
      tags: {
        devices: () => [pipelineLike],
        coreStats: () => ({ ...emptyStats(), reads: 3 }),
        faults: () => ({ eventBuildErrors: 0, sweepErrors: 0, ingestFailures: 0 }),
      } as unknown as TagQuery,
      bus: { stats: { emitted: 0, listenerErrors: {}, journalErrors: 0 } },
      store: {
        health: () => ({}) as StoreHealth,
        outbox: {
          stats: () => {
            outboxReads++;
            return { depth: 0 } as OutboxStats;
          },
        },
      },
      broker: broker
        ? {
            stats: () => ({
              connected: true,
              connects: 1,
              disconnects: 0,
              reconnectAttempts: 0,
              lastError: null,
              url: 'mqtt://127.0.0.1:1883',
              node: 0,
              moves: 0,
            }),
          }
        : undefined,
      features: () => ({}),
    });
    const figures = new GatewayFigures(sources(true));
    const first = figures.read();
    expect(first.devices[0]?.antennaReads).toEqual([
      [2, 2],
      [7, 1],
    ]);
    expect(first.outbox).toEqual({ depth: 0 });
    expect(outboxReads).toBe(1);
    clock.advanceTo(T0 + 9_999);
    expect(figures.read().memory).toBe(first.memory);
    clock.advanceTo(T0 + 10_000);
    expect(figures.read().memory).not.toBe(first.memory);
    // Without a broker events are not journalled: no outbox figures.
    expect(new GatewayFigures(sources(false)).read().outbox).toBeUndefined();
  });
});
