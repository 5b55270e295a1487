import type { GatewayConfig, ReaderConfig, SensorConfig } from '../config/schema.js';
import type { CoreEvent } from '../core/index.js';
import { PresenceEngine, toHex } from '../core/index.js';
import { EpcCache } from '../domain/epc.js';
import type { Logger } from '../observability/logger.js';
import { driverNamed } from '../protocols/index.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { EpcInfo, EventBody } from '../shared/events.js';
import type { Extension } from '../shared/extension.js';
import type { ByteTransport } from '../transport/types.js';
import { DevicePipeline } from './device-pipeline.js';
import { engineConfigFrom } from './engine-config.js';
import { coreEventBody } from './tag-events.js';

export interface ReadersOptions {
  config: GatewayConfig;
  clock: Clock;
  logger: Logger;
  emit: (body: EventBody, atMs?: number) => void;
  /** Builds the transport of a device; absent = devices are fed by `pipeline(id).ingest` (replay). */
  transportFor?: (device: ReaderConfig | SensorConfig) => ByteTransport;
}

export interface ReaderFaults {
  /** Core events (or tags) that went out without their EPC decoding because building it threw. */
  eventBuildErrors: number;
  /** Departure sweeps that threw (the sweep goes on at the next deadline). */
  sweepErrors: number;
  /** Chunks a device dropped because processing them threw. */
  ingestFailures: number;
}

/**
 * The reading side: the core and one pipeline per reader and sensor. Started last and stopped first,
 * so that everything listening on the bus is there before the first read and after the last.
 *
 * Departures fire from one timer set at the core's next deadline (at most one sweep per
 * `core.sweepIntervalMs`), not from a periodic sweep: an idle gateway wakes for nothing.
 */
export class Readers implements Extension {
  readonly name = 'readers';
  readonly engine: PresenceEngine;
  private readonly pipelines = new Map<string, DevicePipeline>();
  private readonly epcCache: EpcCache;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private lastSweepAt = Number.NEGATIVE_INFINITY;
  private running = false;
  private eventBuildErrors = 0;
  private sweepErrors = 0;

  constructor(private readonly options: ReadersOptions) {
    const { config, clock, logger } = options;
    this.epcCache = new EpcCache({
      onError: (error, tag) => {
        this.eventBuildErrors += 1;
        logger.warn({ err: error, tag }, 'EPC decoding failed; events of this tag go out without it');
      },
    });
    this.engine = new PresenceEngine(engineConfigFrom(config), (event) => this.onCoreEvent(event));
    for (const device of [...config.readers, ...config.sensors]) {
      const driver = driverNamed(device.driver);
      const transportFor = options.transportFor;
      const pipeline = new DevicePipeline({
        id: device.id,
        driver,
        settings: 'settings' in device ? device.settings : {},
        clock,
        logger: logger.child({ device: device.id, driver: driver.name }),
        publish: options.emit,
        ...(driver.kind === 'reader' ? { engine: this.engine, afterIngest: () => this.armDeadline() } : {}),
        zone: device.zone ?? device.id,
        interactive: transportFor !== undefined && !device.port.startsWith('replay:'),
        ...(transportFor ? { openTransport: () => transportFor(device) } : {}),
      });
      this.pipelines.set(device.id, pipeline);
    }
  }

  pipeline(id: string): DevicePipeline | undefined {
    return this.pipelines.get(id);
  }

  get devices(): DevicePipeline[] {
    return [...this.pipelines.values()];
  }

  /**
   * Calls `listener` with every raw read of `zone` (tag as uppercase hex), before any debounce, at
   * the time of the chunk that carried it. Only the readers with an antenna in that zone pay for it.
   */
  observeReads(
    zone: string,
    listener: (tag: string, atMs: number, rssi: number, antenna: number) => void,
  ): void {
    const { config, clock } = this.options;
    for (const reader of config.readers) {
      const defaultZone = reader.zone ?? reader.id;
      const antennaZones = new Map(
        Object.entries(reader.antennaZones).map(([antenna, z]) => [Number(antenna), z]),
      );
      if (defaultZone !== zone && ![...antennaZones.values()].includes(zone)) continue;
      const pipeline = this.pipelines.get(reader.id);
      if (!pipeline) continue;
      const previous = pipeline.onRead;
      pipeline.onRead = (tag, offset, length, antenna, rssi) => {
        previous?.(tag, offset, length, antenna, rssi);
        if ((antennaZones.get(antenna) ?? defaultZone) !== zone) return;
        listener(toHex(tag, offset, length), clock.now(), rssi, antenna);
      };
    }
  }

  /** The tag's EPC decoding, from the cache every event uses. */
  epcOf(tag: string): EpcInfo | undefined {
    return this.epcCache.get(tag);
  }

  /** What went wrong and was contained, for the metrics. */
  get faults(): ReaderFaults {
    let ingestFailures = 0;
    for (const pipeline of this.pipelines.values()) ingestFailures += pipeline.ingestFailures;
    return { eventBuildErrors: this.eventBuildErrors, sweepErrors: this.sweepErrors, ingestFailures };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const pipeline of this.pipelines.values()) pipeline.start();
  }

  /** Stops reading, devices in reverse order, one after another. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.disarm();
    for (const pipeline of [...this.pipelines.values()].reverse()) {
      try {
        await pipeline.stop();
      } catch (error) {
        this.options.logger.error({ err: error, device: pipeline.id }, 'device did not stop cleanly');
      }
    }
  }

  /** Runs the clock on until every pending departure has fired (end of a replay). */
  drainPending(advanceTo: (atMs: number) => void): void {
    this.disarm();
    for (;;) {
      const deadline = this.engine.nextDeadline();
      if (deadline === undefined) return;
      advanceTo(deadline);
      // A sweep that fails at a deadline would fail there again: stop rather than spin.
      if (!this.sweep(deadline)) return;
    }
  }

  /**
   * Turning a core event into an envelope body must never lose the event: if the EPC decoding (or
   * anything else optional) throws, the event goes out without it, and the failure is counted.
   */
  private onCoreEvent(event: CoreEvent): void {
    let body: EventBody;
    try {
      body = coreEventBody(event, this.epcCache);
    } catch (error) {
      this.eventBuildErrors += 1;
      const tag = event.type === 'core.overflow' ? undefined : event.tag;
      const reader = event.type === 'core.overflow' ? undefined : event.reader;
      this.options.logger.error(
        { err: error, type: event.type, reader, tag },
        'event built without its EPC decoding',
      );
      body = coreEventBody(event, undefined);
    }
    this.options.emit(body, event.atMs);
  }

  /** After each chunk: make sure a timer is set for the earliest deadline. O(1). */
  private armDeadline(): void {
    if (!this.running) return;
    const due = this.engine.earliestDue();
    if (due === Number.POSITIVE_INFINITY) return;
    const at = Math.max(due, this.lastSweepAt + this.options.config.core.sweepIntervalMs);
    if (at >= this.timerAt) return;
    const { clock } = this.options;
    if (this.timer) clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = clock.setTimeout(() => this.onTimer(), Math.max(0, at - clock.now()));
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.options.clock.now();
    this.lastSweepAt = now;
    this.sweep(now);
    // The lazy lower bound may still say "now": tighten it so that the timer is not re-armed in a loop.
    this.engine.nextDeadline();
    this.armDeadline();
  }

  private sweep(atMs: number): boolean {
    try {
      this.engine.advance(atMs);
      return true;
    } catch (error) {
      this.sweepErrors += 1;
      this.options.logger.error({ err: error }, 'departure sweep failed; retried at the next deadline');
      return false;
    }
  }

  private disarm(): void {
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }
}
