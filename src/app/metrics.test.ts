import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../shared/clock.js';
import { MetricsCollector } from './metrics.js';

const spin = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Keeps the event loop busy, as a burst of reads would.
  }
};

describe('MetricsCollector', () => {
  let collector: MetricsCollector | undefined;
  afterEach(() => collector?.close());

  it('samples event-loop lag only after a busy interval, and reports the utilization of each', async () => {
    collector = new MetricsCollector([], () => ({ tags: 0 }), systemClock);
    // Nothing wakes an idle process to measure lag: the histogram starts off.
    expect(collector.lagSampling).toBe(false);

    spin(60);
    const busy = collector.sample();
    expect(busy.eventLoopUtilization).toBeGreaterThan(0.5);
    expect(busy.eventLoopLagMs).toEqual({ p50: 0, p99: 0, max: 0 });
    expect(collector.lagSampling).toBe(true);

    // A callback that blocks past the 50 ms sampling interval shows up as lag.
    await sleep(120);
    spin(150);
    await sleep(80);
    const blocked = collector.sample();
    expect(blocked.eventLoopLagMs.max).toBeGreaterThan(50);
    expect(collector.lagSampling).toBe(true);

    // An idle interval switches it off (the test runner's own work may keep a few intervals above 1 %).
    let idle = collector.sample();
    for (let attempt = 0; attempt < 10 && collector.lagSampling; attempt++) {
      await sleep(500);
      idle = collector.sample();
    }
    expect(idle.eventLoopUtilization).toBeLessThan(MetricsCollector.BUSY_UTILIZATION);
    expect(collector.lagSampling).toBe(false);
    expect(idle.memory.rssBytes).toBeGreaterThan(idle.memory.heapUsedBytes);
    expect(idle.core).toEqual({ tags: 0 });
  });
});
