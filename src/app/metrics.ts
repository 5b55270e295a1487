import {
  type EventLoopUtilization,
  type IntervalHistogram,
  monitorEventLoopDelay,
  performance,
} from 'node:perf_hooks';
import type { Clock } from '../shared/clock.js';
import type { MetricsPayload, ReaderMetrics } from '../shared/payloads.js';
import type { OutboxStats } from '../store/types.js';
import type { DeviceView } from './reading-services.js';

export type { MetricsPayload, ReaderMetrics };

interface Previous {
  at: number;
  reads: number;
  antennas: Float64Array;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/**
 * Counters and gauges for `<base>/metrics`: rates are computed from the difference with the
 * previous sample, so the payload says what happened since the last one.
 *
 * Event-loop lag comes from `monitorEventLoopDelay`, whose libuv timer wakes the process every
 * `resolution` ms even when nothing else would: at 10 ms that alone cost an idle gateway 10-15 ms of
 * CPU per second on a 2-vCPU VM, and ~25 µs per read at 200 reads/s. So it samples every 50 ms, and
 * only while the loop has work: each sample switches it on when the event-loop utilization of the
 * interval just ended reached `BUSY_UTILIZATION` and off when it did not. An idle gateway wakes only
 * for its own timers; a busy one pays at most 20 extra wakeups per second. A callback that blocks the
 * loop for longer than 50 ms is always seen; shorter delays are sampled.
 */
export class MetricsCollector {
  private readonly previous = new Map<string, Previous>();
  private readonly lag: IntervalHistogram;
  /** The histogram's samples include its own sampling interval; subtracted to report the lag. */
  private static readonly LAG_RESOLUTION_MS = 50;
  /**
   * Above this share of the interval spent running callbacks, lag is worth measuring. An idle
   * gateway publishing metrics every second runs about 0.1 %; 200 reads/s about 3 %.
   */
  static readonly BUSY_UTILIZATION = 0.01;
  private readonly startedAt: number;
  private lagEnabled = false;
  private lastElu: EventLoopUtilization;

  constructor(
    private readonly devices: readonly DeviceView[],
    private readonly coreStats: () => object,
    private readonly clock: Clock,
    private readonly outboxStats?: () => OutboxStats,
    private readonly brokerStats?: () => { connected: boolean; connects: number; disconnects: number },
  ) {
    this.startedAt = clock.now();
    this.lag = monitorEventLoopDelay({ resolution: MetricsCollector.LAG_RESOLUTION_MS });
    this.lastElu = performance.eventLoopUtilization();
  }

  /** Whether the lag histogram runs (it does from a sample after a busy interval to one after an idle one). */
  get lagSampling(): boolean {
    return this.lagEnabled;
  }

  sample(): MetricsPayload {
    const now = this.clock.now();
    const memory = process.memoryUsage();
    const readers: Record<string, ReaderMetrics> = {};
    for (const device of this.devices) {
      const counters = device.counters;
      const previous = this.previous.get(device.id);
      const seconds = previous ? Math.max((now - previous.at) / 1000, 0.001) : 0;
      const antennas: Record<string, number> = {};
      device.antennaReads.forEach((count, antenna) => {
        if (count === 0) return;
        const before = previous?.antennas[antenna] ?? 0;
        antennas[String(antenna)] = seconds > 0 ? round((count - before) / seconds) : 0;
      });
      readers[device.id] = {
        state: device.state,
        reads: counters.reads,
        readsPerSec: previous && seconds > 0 ? round((counters.reads - previous.reads) / seconds) : 0,
        antennas,
        frames: counters.frames,
        decodeErrors: counters.errors,
        droppedBytes: counters.droppedBytes,
      };
      this.previous.set(device.id, { at: now, reads: counters.reads, antennas: device.antennaReads.slice() });
    }
    const payload: MetricsPayload = {
      ts: new Date(now).toISOString(),
      uptimeSec: Math.round((now - this.startedAt) / 1000),
      readers,
      core: { ...this.coreStats() } as Record<string, number>,
      eventLoopLagMs: this.takeLag(),
      eventLoopUtilization: this.takeUtilization(),
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
    };
    if (this.outboxStats) {
      const stats = this.outboxStats();
      payload.outbox = {
        depth: stats.depth,
        bytes: stats.bytes,
        oldestAgeMs: stats.oldestCommittedAt === null ? null : now - stats.oldestCommittedAt,
        dropped: Object.values(stats.dropped).reduce((sum, count) => sum + count, 0),
        deadLettered: stats.deadLettered,
      };
    }
    if (this.brokerStats) payload.broker = this.brokerStats();
    return payload;
  }

  /** Lag since the previous sample (zeros when the histogram was off or saw no sample), then reset. */
  private takeLag(): MetricsPayload['eventLoopLagMs'] {
    // percentile() walks the histogram's buckets (~0.1 ms): skipped when there is nothing in it.
    if (this.lag.count === 0) return { p50: 0, p99: 0, max: 0 };
    const lag = {
      p50: this.lagMs(this.lag.percentile(50)),
      p99: this.lagMs(this.lag.percentile(99)),
      max: this.lagMs(this.lag.max),
    };
    this.lag.reset();
    return lag;
  }

  /** Utilization since the previous sample; switches lag sampling on or off for the next interval. */
  private takeUtilization(): number {
    const elu = performance.eventLoopUtilization();
    const active = elu.active - this.lastElu.active;
    const total = active + elu.idle - this.lastElu.idle;
    const utilization = total > 0 ? active / total : 0;
    this.lastElu = elu;
    const busy = utilization >= MetricsCollector.BUSY_UTILIZATION;
    if (busy && !this.lagEnabled) this.lag.enable();
    if (!busy && this.lagEnabled) this.lag.disable();
    this.lagEnabled = busy;
    return round(utilization, 4);
  }

  private lagMs(nanoseconds: number): number {
    return Math.max(0, round(nanoseconds / 1e6 - MetricsCollector.LAG_RESOLUTION_MS, 2));
  }

  close(): void {
    if (this.lagEnabled) this.lag.disable();
    this.lagEnabled = false;
  }
}
