import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { Clock } from '../shared/clock.js';
import type { OutboxStats } from '../store/types.js';
import type { DevicePipeline } from './device-pipeline.js';

export interface ReaderMetrics {
  state: 'online' | 'offline' | 'error';
  reads: number;
  readsPerSec: number;
  /** Reads per second by antenna number (only antennas that were read). */
  antennas: Record<string, number>;
  frames: number;
  decodeErrors: number;
  droppedBytes: number;
}

export interface MetricsPayload {
  ts: string;
  uptimeSec: number;
  readers: Record<string, ReaderMetrics>;
  core: Record<string, number>;
  outbox?: {
    depth: number;
    bytes: number;
    oldestAgeMs: number | null;
    dropped: number;
    deadLettered: number;
  };
  broker?: { connected: boolean; connects: number; disconnects: number };
  eventLoopLagMs: { p50: number; p99: number; max: number };
  memory: { rssBytes: number; heapUsedBytes: number };
}

interface Previous {
  at: number;
  reads: number;
  antennas: Float64Array;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/**
 * Counters and gauges for `<base>/metrics`: rates are computed from the difference with the
 * previous sample, so the payload says what happened since the last one.
 */
export class MetricsCollector {
  private readonly previous = new Map<string, Previous>();
  private readonly lag: IntervalHistogram;
  /** The histogram's samples include its own sampling interval; subtracted to report the lag. */
  private static readonly LAG_RESOLUTION_MS = 10;
  private readonly startedAt: number;

  constructor(
    private readonly devices: readonly DevicePipeline[],
    private readonly coreStats: () => object,
    private readonly clock: Clock,
    private readonly outboxStats?: () => OutboxStats,
    private readonly brokerStats?: () => { connected: boolean; connects: number; disconnects: number },
  ) {
    this.startedAt = clock.now();
    this.lag = monitorEventLoopDelay({ resolution: MetricsCollector.LAG_RESOLUTION_MS });
    this.lag.enable();
  }

  sample(): MetricsPayload {
    const now = this.clock.now();
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
        state: device.connectionState,
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
      eventLoopLagMs: {
        p50: this.lagMs(this.lag.percentile(50)),
        p99: this.lagMs(this.lag.percentile(99)),
        max: this.lagMs(this.lag.max),
      },
      memory: { rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed },
    };
    this.lag.reset();
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

  private lagMs(nanoseconds: number): number {
    return Math.max(0, round(nanoseconds / 1e6 - MetricsCollector.LAG_RESOLUTION_MS, 2));
  }

  close(): void {
    this.lag.disable();
  }
}
