import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { BusEventCounts, LabelCounts } from './bus-counters.js';
import type { HttpContext } from './context.js';
import type { Figures, GatewayFigures, LoopFigures, LoopWindow } from './figures.js';
import type { HealthMonitor } from './health.js';
import { Mirrors, type Sample } from './mirror.js';
import { readerMetrics } from './reader-metrics.js';

/**
 * prom-client's default metrics, less its event-loop lag family. That family reads a
 * `monitorEventLoopDelay` histogram that runs for good at `eventLoopMonitoringPrecision` (10 ms by
 * default: 7-8 ms of CPU per second on an idle 2-core machine, see `LoopMonitor`), and its scrape
 * walks the histogram's buckets (~2 ms of CPU per scrape even when empty). Its histogram is given a
 * resolution of ~24 days, so that it never wakes the process, and its gauges are removed;
 * `rfid_gateway_event_loop_lag_*` take their place.
 */
const IDLE_PRECISION_MS = 2 ** 31 - 1;
const DEFAULT_LAG_GAUGES = ['', '_min', '_max', '_mean', '_stddev', '_p50', '_p90', '_p99'].map(
  (figure) => `nodejs_eventloop_lag${figure}_seconds`,
);
/**
 * prom-client's gauges whose names end in `_total`, which `promtool check metrics` (and the naming
 * conventions) keep for counters. Each is the sum of its per-type gauge without the suffix
 * (`sum(nodejs_active_handles)`), so nothing is lost by leaving them out.
 */
const NON_CONFORMING_DEFAULTS = ['handles', 'requests', 'resources'].map(
  (kind) => `nodejs_active_${kind}_total`,
);

/** Within this of the previous scrape, the event-loop figures of that scrape are served again. */
const SCRAPE_MIN_INTERVAL_MS = 1000;

/**
 * The registry behind `/metrics`: its own (not prom-client's global one), rendering at each scrape one
 * reading of the gateway's figures (`GatewayFigures`, the same `<base>/metrics` renders), plus the
 * counts of events, purchase sessions and alarms the listener keeps from the bus. Nothing here runs
 * on the read path.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly loop: LoopWindow;
  private readonly mirrors: Mirrors;
  private defaultsCollected = false;
  /** The reading of the scrape in progress. */
  private current: Figures | undefined;

  constructor(
    private readonly context: HttpContext,
    private readonly health: HealthMonitor,
    private readonly figures: GatewayFigures,
    private readonly counts: BusEventCounts,
  ) {
    const { config } = context;
    this.loop = figures.loop.window({ minIntervalMs: SCRAPE_MIN_INTERVAL_MS });
    this.mirrors = new Mirrors(this.registry, context.logger);
    new Gauge({
      name: 'rfid_gateway_info',
      help: 'Always 1; the gateway id as a label',
      labelNames: ['gateway'],
      registers: [this.registry],
    }).set({ gateway: config.gatewayId }, 1);
    readerMetrics(this.mirrors, this.context.config, () => this.now, this.health);
    this.coreMetrics();
    this.busMetrics();
    this.storeMetrics();
    if (context.mqtt) this.brokerMetrics();
    this.loopMetrics();
    this.mirrors.add(
      'gauge',
      'rfid_gateway_healthy',
      'Whether /healthz answers 200 (1) or 503 (0)',
      [],
      () => [[{}, this.health.report().status === 'ok' ? 1 : 0]],
    );
    this.busCounts();
  }

  /** The process metrics (CPU, memory, heap, GC, handles, file descriptors), once. */
  start(): void {
    if (this.defaultsCollected) return;
    this.defaultsCollected = true;
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: IDLE_PRECISION_MS });
    for (const name of [...DEFAULT_LAG_GAUGES, ...NON_CONFORMING_DEFAULTS])
      this.registry.removeSingleMetric(name);
  }

  stop(): void {
    this.loop.close();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition format: one reading of the figures, which every family renders. */
  scrape(): Promise<string> {
    this.current = this.figures.read();
    return this.registry.metrics();
  }

  /** The scrape's reading (a collect outside a scrape, prom-client's own, reads afresh). */
  private get now(): Figures {
    this.current ??= this.figures.read();
    return this.current;
  }

  private coreMetrics(): void {
    const { config } = this.context;
    const outcomes = {
      accepted: 'accepted',
      filtered: 'filtered',
      belowFloor: 'below_floor',
      tooLong: 'too_long',
      overflowDrops: 'overflow',
    } as const;
    this.mirrors.add(
      'counter',
      'rfid_gateway_core_reads_total',
      'Reads that reached the core, by what became of them',
      ['outcome'],
      () => {
        const stats = this.now.core;
        return Object.entries(outcomes).map(
          ([field, outcome]): Sample => [{ outcome }, stats[field as keyof typeof outcomes]],
        );
      },
    );
    this.mirrors.add(
      'gauge',
      'rfid_gateway_core_tracked_tags',
      'Candidate and present tags in the tag table',
      [],
      () => [[{}, this.now.core.tracked]],
    );
    this.mirrors.add(
      'gauge',
      'rfid_gateway_core_tag_capacity',
      'Tags the tag table can hold (core.capacity)',
      [],
      () => [[{}, config.core.capacity]],
    );
    this.mirrors.add(
      'counter',
      'rfid_gateway_event_build_errors_total',
      'Core events that went out without their EPC decoding because building it threw',
      [],
      () => [[{}, this.now.faults.eventBuildErrors]],
    );
    this.mirrors.add(
      'counter',
      'rfid_gateway_sweep_errors_total',
      'Departure sweeps that threw (retried at the next deadline)',
      [],
      () => [[{}, this.now.faults.sweepErrors]],
    );
  }

  private busMetrics(): void {
    this.mirrors.add(
      'counter',
      'rfid_gateway_bus_listener_errors_total',
      'Exceptions thrown by bus listeners (the other listeners still got the event)',
      ['listener'],
      () =>
        Object.entries(this.now.bus.listenerErrors).map(([listener, count]): Sample => [{ listener }, count]),
    );
    this.mirrors.add(
      'counter',
      'rfid_gateway_bus_journal_errors_total',
      'Events the journal (outbox) failed to take',
      [],
      () => [[{}, this.now.bus.journalErrors]],
    );
  }

  private storeMetrics(): void {
    const { mqtt } = this.context;
    const outbox = () => {
      const stats = this.now.outbox;
      if (!stats) throw new Error('no outbox without a broker');
      return stats;
    };
    this.mirrors.add(
      'gauge',
      'rfid_gateway_store_disk_full',
      'Whether the disk-full policy applies (1)',
      [],
      () => [[{}, this.now.store.diskFull ? 1 : 0]],
    );
    this.mirrors.add(
      'gauge',
      'rfid_gateway_store_free_bytes',
      "Free bytes on the database's filesystem for the service user",
      [],
      () => {
        const free = this.now.store.freeBytes;
        return free === null ? [] : [[{}, free]];
      },
    );
    this.mirrors.add(
      'counter',
      'rfid_gateway_store_dropped_from_memory_events_total',
      'Events dropped from memory because commits failed (disk full), since start',
      [],
      () => [[{}, this.now.store.droppedFromMemory]],
    );
    // Without a broker events are not journalled: there is no outbox to watch.
    if (!mqtt) return;
    this.mirrors.add(
      'gauge',
      'rfid_gateway_outbox_pending_events',
      'Events committed and not yet acknowledged by the broker',
      [],
      () => [[{}, outbox().depth]],
    );
    this.mirrors.add('gauge', 'rfid_gateway_outbox_pending_bytes', 'Bytes of the pending events', [], () => [
      [{}, outbox().bytes],
    ]);
    this.mirrors.add(
      'gauge',
      'rfid_gateway_outbox_oldest_age_seconds',
      'Age of the oldest pending event (0 when none), gateway clock',
      [],
      () => {
        const oldest = outbox().oldestCommittedAt;
        return [[{}, oldest === null ? 0 : Math.max(0, this.now.at - oldest) / 1000]];
      },
    );
    this.mirrors.add(
      'gauge',
      'rfid_gateway_outbox_buffered_events',
      'Events accepted and waiting in memory for the next commit',
      [],
      () => [[{}, outbox().buffered]],
    );
    this.mirrors.add(
      'counter',
      'rfid_gateway_outbox_dropped_events_total',
      'Events dropped by the full-outbox policy since the database was created, by type',
      ['type'],
      () => Object.entries(outbox().dropped).map(([type, count]): Sample => [{ type }, count]),
    );
    this.mirrors.add(
      'gauge',
      'rfid_gateway_outbox_dead_lettered_events',
      'Events the broker refused for good, kept aside with the reason',
      [],
      () => [[{}, outbox().deadLettered]],
    );
  }

  private brokerMetrics(): void {
    const stats = () => this.now.broker;
    const one = (read: (value: NonNullable<ReturnType<typeof stats>>) => number) => (): Sample[] => {
      const value = stats();
      return value ? [[{}, read(value)]] : [];
    };
    this.mirrors.add(
      'gauge',
      'rfid_gateway_broker_connected',
      'Whether the MQTT connection is up (1)',
      [],
      one((s) => (s.connected ? 1 : 0)),
    );
    this.mirrors.add(
      'counter',
      'rfid_gateway_broker_connects_total',
      'Successful connections to the broker',
      [],
      one((s) => s.connects),
    );
    this.mirrors.add(
      'counter',
      'rfid_gateway_broker_disconnects_total',
      'Connections to the broker lost',
      [],
      one((s) => s.disconnects),
    );
    this.mirrors.add(
      'gauge',
      'rfid_gateway_broker_reconnect_attempts',
      'Failed attempts since the last stable connection',
      [],
      one((s) => s.reconnectAttempts),
    );
    this.mirrors.add(
      'gauge',
      'rfid_gateway_broker_info',
      'Always 1; the broker node connected to (or being tried) as a label, without credentials',
      ['url'],
      () => {
        const value = stats();
        return value ? [[{ url: value.url }, 1]] : [];
      },
    );
    this.mirrors.add(
      'counter',
      'rfid_gateway_broker_moves_total',
      'Connections made to another broker node (of mqtt.url) than the previous connection',
      [],
      one((s) => s.moves),
    );
  }

  private loopMetrics(): void {
    // Within one scrape every take() after the first returns the same figures (SCRAPE_MIN_INTERVAL_MS).
    const figure = (name: string, help: string, read: (sample: LoopFigures) => number) =>
      this.mirrors.add('gauge', name, help, [], () => [[{}, read(this.loop.take())]]);
    figure(
      'rfid_gateway_event_loop_lag_p50_seconds',
      'Median event-loop lag since the previous scrape (0 when the loop was idle and not sampled)',
      (sample) => sample.p50Ms / 1000,
    );
    figure(
      'rfid_gateway_event_loop_lag_p99_seconds',
      '99th percentile of the lag',
      (sample) => sample.p99Ms / 1000,
    );
    figure('rfid_gateway_event_loop_lag_max_seconds', 'Longest lag seen', (sample) => sample.maxMs / 1000);
    figure(
      'rfid_gateway_event_loop_utilization_ratio',
      'Share of the time since the previous scrape the event loop spent running callbacks',
      (sample) => sample.utilization,
    );
  }

  /** The counts the listener keeps from the bus (`BusEventCounts`). */
  private busCounts(): void {
    const { counts } = this;
    const render = (name: string, help: string, labels: string[], read: () => LabelCounts) =>
      this.mirrors.add('counter', name, help, labels, () =>
        [...read().values()].map(({ labels: values, count }): Sample => [values, count]),
      );
    render(
      'rfid_gateway_events_total',
      'Events put on the bus (and, with a broker, in the outbox), by type',
      ['type'],
      () => counts.events,
    );
    render(
      'rfid_gateway_sessions_started_total',
      'Purchase sessions opened (purchase.started), by cabinet',
      ['cabinet'],
      () => counts.sessionsStarted,
    );
    render(
      'rfid_gateway_sessions_ended_total',
      'Purchase sessions ended, by cabinet and outcome: completed, cancelled, uncertain (not charged: undecided)',
      ['cabinet', 'outcome'],
      () => counts.sessionsEnded,
    );
    render(
      'rfid_gateway_sessions_refused_total',
      'Cards or requests that did not open a session (purchase.refused), by cabinet',
      ['cabinet'],
      () => counts.sessionsRefused,
    );
    render('rfid_gateway_alarms_total', 'security.alarm events, by kind', ['kind'], () => counts.alarms);
  }
}
