import {
  type EventLoopUtilization,
  type IntervalHistogram,
  monitorEventLoopDelay,
  performance,
} from 'node:perf_hooks';

export interface LagSample {
  /** Lag percentiles and maximum since the previous sample, in seconds; 0 when nothing was sampled. */
  p50Seconds: number;
  p99Seconds: number;
  maxSeconds: number;
  /** Share of the interval the loop spent running callbacks (0..1). */
  utilization: number;
  /** Whether the lag histogram ran during the interval (its zeros mean "idle", not "no lag"). */
  sampled: boolean;
}

/**
 * Event-loop lag for the scrapes, sampled the way `MetricsCollector` samples it for `<base>/metrics`:
 * `monitorEventLoopDelay` at 50 ms, switched on only after an interval whose event-loop utilization
 * reached 1 %, and off after an idle one. A histogram that always runs wakes an idle process
 * every `resolution` ms: 7-8 ms of CPU per second at prom-client's default 10 ms, measured on the
 * 2-core development machine, four times the whole gateway's idle budget.
 *
 * The interval is the time between two scrapes. A second scrape within `MIN_INTERVAL_MS` (two
 * Prometheus servers, an operator's curl) gets the previous figures rather than a meaningless
 * sliver. When scrapes stop, the histogram is switched off after `UNREAD_OFF_MS`: nobody reads it.
 * Lag is real time, so these timers are real ones (unref'd), not the gateway's clock.
 */
export class OnDemandLag {
  static readonly RESOLUTION_MS = 50;
  static readonly BUSY_UTILIZATION = 0.01;
  static readonly MIN_INTERVAL_MS = 1000;
  static readonly UNREAD_OFF_MS = 120_000;
  private readonly histogram: IntervalHistogram;
  private enabled = false;
  private closed = false;
  private lastElu: EventLoopUtilization;
  private lastAt: number;
  private last: LagSample = { p50Seconds: 0, p99Seconds: 0, maxSeconds: 0, utilization: 0, sampled: false };
  private unreadTimer: NodeJS.Timeout | undefined;

  constructor() {
    this.histogram = monitorEventLoopDelay({ resolution: OnDemandLag.RESOLUTION_MS });
    this.lastElu = performance.eventLoopUtilization();
    this.lastAt = performance.now();
  }

  /** Whether the histogram runs now. */
  get sampling(): boolean {
    return this.enabled;
  }

  /** Figures since the previous call (or the previous ones, within `MIN_INTERVAL_MS`). */
  take(): LagSample {
    const now = performance.now();
    if (this.closed || now - this.lastAt < OnDemandLag.MIN_INTERVAL_MS) return this.last;
    this.lastAt = now;
    const sampled = this.enabled && this.histogram.count > 0;
    // percentile() walks the histogram's buckets: skipped when it holds nothing.
    const lag = sampled
      ? {
          p50Seconds: this.lagSeconds(this.histogram.percentile(50)),
          p99Seconds: this.lagSeconds(this.histogram.percentile(99)),
          maxSeconds: this.lagSeconds(this.histogram.max),
        }
      : { p50Seconds: 0, p99Seconds: 0, maxSeconds: 0 };
    this.histogram.reset();
    const elu = performance.eventLoopUtilization();
    const active = elu.active - this.lastElu.active;
    const total = active + elu.idle - this.lastElu.idle;
    const utilization = total > 0 ? active / total : 0;
    this.lastElu = elu;
    this.switchTo(utilization >= OnDemandLag.BUSY_UTILIZATION);
    this.last = { ...lag, utilization, sampled };
    return this.last;
  }

  close(): void {
    this.closed = true;
    this.switchTo(false);
  }

  private switchTo(on: boolean): void {
    if (this.unreadTimer) clearTimeout(this.unreadTimer);
    this.unreadTimer = undefined;
    if (on && !this.enabled) this.histogram.enable();
    if (!on && this.enabled) this.histogram.disable();
    this.enabled = on;
    if (!on) return;
    this.unreadTimer = setTimeout(() => this.switchTo(false), OnDemandLag.UNREAD_OFF_MS);
    this.unreadTimer.unref();
  }

  /** The histogram's samples include its own interval; subtracted to report the lag. */
  private lagSeconds(nanoseconds: number): number {
    return Math.max(0, nanoseconds / 1e9 - OnDemandLag.RESOLUTION_MS / 1000);
  }
}
