import {
  createHistogram,
  type EventLoopUtilization,
  performance,
  type RecordableHistogram,
} from 'node:perf_hooks';
import type { EngineStats } from '../core/index.js';
import type { MqttClientStats } from '../mqtt/client.js';
import type { Clock } from '../shared/clock.js';
import type { BusStats } from '../shared/extension.js';
import type { StoreHealth } from '../store/store.js';
import type { OutboxStats } from '../store/types.js';
import type { DeviceCounters, DeviceState, ReaderFaults, TagQuery } from './reading-services.js';

export interface DeviceFigures {
  readonly id: string;
  readonly state: DeviceState;
  readonly counters: DeviceCounters;
  /** Reads since start by antenna number (0 = the reader does not say), antennas that were read only. */
  readonly antennaReads: ReadonlyArray<readonly [antenna: number, reads: number]>;
  readonly ingestFailures: number;
}

/** Everything the gateway counts, read at one instant: what `<base>/metrics` and `/metrics` render. */
export interface Figures {
  /** Clock time of the reading. */
  readonly at: number;
  /** Clock time the collector was made (the gateway's start). */
  readonly startedAt: number;
  readonly devices: readonly DeviceFigures[];
  readonly core: Readonly<EngineStats>;
  readonly faults: ReaderFaults;
  readonly bus: BusStats;
  readonly store: StoreHealth;
  /** With a broker only: without one, events are not journalled and there is no outbox to watch. */
  readonly outbox: OutboxStats | undefined;
  readonly broker: MqttClientStats | undefined;
  readonly memory: { readonly rssBytes: number; readonly heapUsedBytes: number };
  /** What features count about themselves (rules, exit monitor, engagement, displays), by name. */
  readonly features: Readonly<Record<string, unknown>>;
}

export interface FigureSources {
  readonly clock: Clock;
  readonly tags: TagQuery;
  readonly bus: { readonly stats: BusStats };
  readonly store: { health(outbox?: OutboxStats): StoreHealth; readonly outbox: { stats(): OutboxStats } };
  /** The broker's connection; with it, events go through the outbox. */
  readonly broker: { stats(): MqttClientStats } | undefined;
  /** Each feature's own counters, read with the rest. */
  readonly features: () => Record<string, unknown>;
}

/** Event-loop figures over a window: from one `take()` to the next. */
export interface LoopFigures {
  /** Lag percentiles and maximum in the window, ms; 0 when nothing was sampled. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Share of the window the loop spent running callbacks (0..1). */
  readonly utilization: number;
  /** Whether lag was sampled during the window (its zeros mean "idle", not "no lag"). */
  readonly sampled: boolean;
}

export interface LoopWindow {
  /** Figures since the previous call (or the previous ones, within the window's `minIntervalMs`). */
  take(): LoopFigures;
  /** Stops feeding this window. */
  close(): void;
}

/**
 * Memory changes slowly and costs three system calls to read (/proc/self/stat): with metrics every
 * second it is read at most this often, and the readings in between repeat it.
 */
const MEMORY_MAX_AGE_MS = 10_000;

/**
 * The one collector of the gateway's figures. `read()` gathers every counter in one pass (one outbox
 * query, at most, and the store's own look at the disk); the outputs keep what they need between
 * readings (a rate is the difference with their previous reading) and each has its own event-loop
 * window.
 */
export class GatewayFigures {
  readonly startedAt: number;
  readonly loop = new LoopMonitor();
  private memory: { at: number; figures: Figures['memory'] } | undefined;

  constructor(private readonly sources: FigureSources) {
    this.startedAt = sources.clock.now();
  }

  read(): Figures {
    const { clock, tags, bus, store, broker, features } = this.sources;
    const devices: DeviceFigures[] = [];
    for (const device of tags.devices()) {
      const antennaReads: Array<readonly [number, number]> = [];
      for (const antenna of device.antennasRead)
        antennaReads.push([antenna, device.antennaReads[antenna] as number]);
      devices.push({
        id: device.id,
        state: device.state,
        counters: device.counters,
        antennaReads,
        ingestFailures: device.ingestFailures,
      });
    }
    const outbox = store.outbox.stats();
    const at = clock.now();
    return {
      at,
      startedAt: this.startedAt,
      devices,
      core: { ...tags.coreStats() },
      faults: tags.faults(),
      bus: bus.stats,
      store: store.health(outbox),
      outbox: broker ? outbox : undefined,
      broker: broker?.stats(),
      memory: this.memoryAt(at),
      features: features(),
    };
  }

  private memoryAt(at: number): Figures['memory'] {
    const seen = this.memory;
    if (seen !== undefined && at >= seen.at && at - seen.at < MEMORY_MAX_AGE_MS) return seen.figures;
    const usage = process.memoryUsage();
    const figures = { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed };
    this.memory = { at, figures };
    return figures;
  }
}

/**
 * Event-loop lag, sampled only while the loop has work: a timer every `RESOLUTION_MS` measures how
 * late it fires, and runs from a window's `take()` after a busy interval (utilization of at least
 * `BUSY_UTILIZATION`) to one after an idle interval. A timer that always ran would wake an idle
 * process 20 times a second for nothing (a histogram at 10 ms resolution cost an idle gateway 7-15 ms
 * of CPU per second on the 2-core development machine); a busy one pays at most 20 extra wake-ups per
 * second. A callback that blocks the loop for longer than the resolution is always seen; shorter
 * delays are sampled. When no window is read for `UNREAD_OFF_MS`, sampling stops: nobody looks.
 * Lag is real time, so these timers are real ones (unref'd), not the gateway's clock.
 *
 * Every window gets every sample, so `<base>/metrics` and the scrapes each see their own interval.
 */
export class LoopMonitor {
  static readonly RESOLUTION_MS = 50;
  static readonly BUSY_UTILIZATION = 0.01;
  static readonly UNREAD_OFF_MS = 120_000;
  private readonly windows = new Set<Window>();
  private timer: NodeJS.Timeout | undefined;
  private due = 0;
  private unreadTimer: NodeJS.Timeout | undefined;

  /** Whether lag is being sampled now. */
  get sampling(): boolean {
    return this.timer !== undefined;
  }

  /**
   * A window of its own. Within `minIntervalMs` of its previous `take()`, a window answers with the
   * previous figures (two Prometheus servers, an operator's curl) rather than a meaningless sliver.
   */
  window(options: { minIntervalMs?: number } = {}): LoopWindow {
    const window = new Window(this, options.minIntervalMs ?? 0);
    this.windows.add(window);
    return window;
  }

  /** @internal a window's `take()` decides: its interval was busy or not. */
  switchTo(on: boolean): void {
    if (this.unreadTimer) clearTimeout(this.unreadTimer);
    this.unreadTimer = undefined;
    if (on && this.timer === undefined && this.windows.size > 0) this.arm();
    if (!on && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.timer === undefined) return;
    this.unreadTimer = setTimeout(() => this.switchTo(false), LoopMonitor.UNREAD_OFF_MS);
    this.unreadTimer.unref();
  }

  /** @internal */
  remove(window: Window): void {
    this.windows.delete(window);
    if (this.windows.size === 0) this.switchTo(false);
  }

  private arm(): void {
    this.due = performance.now() + LoopMonitor.RESOLUTION_MS;
    this.timer = setTimeout(this.tick, LoopMonitor.RESOLUTION_MS);
    this.timer.unref();
  }

  private readonly tick = (): void => {
    // Nanoseconds, at least 1: a histogram takes positive integers.
    const lateNs = Math.max(1, Math.round((performance.now() - this.due) * 1e6));
    for (const window of this.windows) window.record(lateNs);
    this.arm();
  };
}

class Window implements LoopWindow {
  private readonly lag: RecordableHistogram = createHistogram();
  private lastElu: EventLoopUtilization = performance.eventLoopUtilization();
  private lastAt = Number.NEGATIVE_INFINITY;
  private last: LoopFigures = { p50Ms: 0, p99Ms: 0, maxMs: 0, utilization: 0, sampled: false };
  private closed = false;

  constructor(
    private readonly monitor: LoopMonitor,
    private readonly minIntervalMs: number,
  ) {}

  record(lateNs: number): void {
    this.lag.record(lateNs);
  }

  take(): LoopFigures {
    const now = performance.now();
    if (this.closed || now - this.lastAt < this.minIntervalMs) return this.last;
    this.lastAt = now;
    const lag = this.lag;
    const sampled = lag.count > 0;
    // percentile() walks the histogram's buckets: skipped when it holds nothing.
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const figures = sampled
      ? { p50Ms: ms(lag.percentile(50)), p99Ms: ms(lag.percentile(99)), maxMs: ms(lag.max) }
      : { p50Ms: 0, p99Ms: 0, maxMs: 0 };
    lag.reset();
    const elu = performance.eventLoopUtilization();
    const active = elu.active - this.lastElu.active;
    const total = active + elu.idle - this.lastElu.idle;
    // A ratio by definition; the two clocks behind it can put it a hair above 1 on a saturated loop.
    const utilization = total > 0 ? Math.min(1, Math.max(0, active / total)) : 0;
    this.lastElu = elu;
    this.monitor.switchTo(utilization >= LoopMonitor.BUSY_UTILIZATION);
    this.last = { ...figures, utilization, sampled };
    return this.last;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.monitor.remove(this);
  }
}
