import type { GatewayConfig, ReaderConfig, SensorConfig } from '../config/schema.js';
import { cardReaderIds, deviceZones } from '../config/zones.js';
import type { CoreEvent, RestoredTag, RestoreRefusal } from '../core/index.js';
import { EpcCache, PresenceEngine, toHex } from '../core/index.js';
import type { Logger } from '../observability/logger.js';
import { driverNamed } from '../protocols/index.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { EventBody } from '../shared/events.js';
import type { Extension } from '../shared/extension.js';
import type { ByteTransport } from '../transport/types.js';
import { DevicePipeline } from './device-pipeline.js';
import { engineConfigFrom } from './engine-config.js';
import type {
  DeviceControl,
  Presence,
  ReaderFaults,
  ReadListener,
  SampleListener,
  TagQuery,
} from './reading-services.js';
import { coreEventBody } from './tag-events.js';

export interface ReadersOptions {
  config: GatewayConfig;
  clock: Clock;
  logger: Logger;
  emit: (body: EventBody, atMs?: number) => void;
  /**
   * Builds the transport of a device; absent = devices are fed by `pipeline(id).ingest` (replay),
   * their ports from `fed` (what is written to them is kept there).
   */
  transportFor?: (device: ReaderConfig | SensorConfig) => ByteTransport;
  fed?: (deviceId: string) => ByteTransport;
}

/**
 * The reading side: the core and one pipeline per reader and sensor. Started after every feature
 * that listens and stopped before them, so that they are there for the first read and the last.
 *
 * The one owner of the core's time: departures fire from one timer set at the core's next deadline
 * (at most one sweep per `core.sweepIntervalMs`), armed after each chunk and after whatever else
 * adds deadlines (a restore, a reader released), so an idle gateway wakes for nothing.
 *
 * Silence is not evidence: a reader that goes offline, into error or stalls (silent while its
 * driver expects traffic) is held in the core (its tags neither depart nor move) until it is
 * online again, before its `reader.status` is emitted. Card
 * readers are not held: a card that is not read any more has been taken away.
 */
export class Readers implements Extension {
  readonly name = 'readers';
  private readonly engine: PresenceEngine;
  private readonly pipelines = new Map<string, DevicePipeline>();
  private readonly sampleListeners = new Map<string, SampleListener[]>();
  private readonly epcCache: EpcCache;
  private readonly holdsWhenSilent: ReadonlySet<string>;
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
    const cards = cardReaderIds(config);
    this.holdsWhenSilent = new Set(config.readers.map((reader) => reader.id).filter((id) => !cards.has(id)));
    for (const device of [...config.readers, ...config.sensors]) {
      const driver = driverNamed(device.driver);
      const transportFor = options.transportFor;
      const pipeline = new DevicePipeline({
        id: device.id,
        driver,
        settings: 'settings' in device ? device.settings : {},
        clock,
        logger: logger.child({ device: device.id, driver: driver.name }),
        publish: (body, atMs) => this.publish(body, atMs),
        ...(driver.kind === 'reader'
          ? {
              engine: this.engine,
              afterIngest: () => this.armDeadline(),
              beforeAdvance: (nowMs: number) => this.checkLiveness(nowMs),
            }
          : {}),
        ...(device.stalledAfterMs !== undefined ? { stalledAfterMs: device.stalledAfterMs } : {}),
        ...('heartbeatMs' in device && device.heartbeatMs !== undefined
          ? { expectedTrafficMs: device.heartbeatMs }
          : {}),
        zone: deviceZones(device).fallback,
        onSample: (channel, value, atMs) => this.onSample(device.id, channel, value, atMs),
        ...('reportMinChange' in device && device.reportMinChange !== undefined
          ? { reportMinChange: device.reportMinChange }
          : {}),
        interactive: transportFor !== undefined && !device.port.startsWith('replay:'),
        ...(transportFor
          ? { openTransport: () => transportFor(device) }
          : options.fed
            ? {
                openTransport: () => (options.fed as (id: string) => ByteTransport)(device.id),
                connectedFromStart: true,
              }
            : {}),
      });
      this.pipelines.set(device.id, pipeline);
    }
  }

  /** A device's pipeline, to feed it bytes (a replay) or look at it (tests). */
  pipeline(id: string): DevicePipeline | undefined {
    return this.pipelines.get(id);
  }

  get devices(): DevicePipeline[] {
    return [...this.pipelines.values()];
  }

  /** The read-only view features get. */
  readonly query: TagQuery = {
    present: (zone) => this.engine.present(zone),
    devices: () => this.devices,
    device: (id) => this.pipelines.get(id),
    epcOf: (tag) => this.epcCache.get(tag),
    observeReads: (zone, listener) => this.observeReads(zone, listener),
    observeSamples: (device, listener) => {
      const listeners = this.sampleListeners.get(device) ?? [];
      listeners.push(listener);
      this.sampleListeners.set(device, listeners);
    },
    coreStats: () => this.engine.stats,
    faults: () => this.faults,
  };

  readonly presence: Presence = {
    restore: (entries, graceMs) => this.restore(entries, graceMs),
  };

  readonly control: DeviceControl = {
    // Async, so that an unknown device rejects like a failed write instead of throwing.
    write: async (id, bytes) => this.existing(id).write(bytes),
    restart: async (id) => this.existing(id).restart(),
    search: async (id, tags, options) => {
      const pipeline = this.pipelines.get(id);
      if (!pipeline) return { ok: false, reason: `unknown reader "${id}"` };
      return pipeline.search(tags, options);
    },
    canSearch: (id) => this.pipelines.get(id)?.canSearch ?? false,
  };

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
    // A restore before the start set deadlines that no chunk may come to arm.
    this.armDeadline();
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

  private existing(id: string): DevicePipeline {
    const pipeline = this.pipelines.get(id);
    if (!pipeline) {
      throw new Error(`unknown reader "${id}" (readers: ${[...this.pipelines.keys()].join(', ')})`);
    }
    return pipeline;
  }

  private restore(entries: ReadonlyArray<RestoredTag>, graceMs: number): RestoreRefusal[] {
    const refused = this.engine.restore(entries, this.options.clock.now(), graceMs);
    this.armDeadline();
    return refused;
  }

  private onSample(device: string, channel: string, value: string | number, atMs: number): void {
    const listeners = this.sampleListeners.get(device);
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener(channel, value, atMs);
      } catch (error) {
        this.options.logger.error({ err: error, device, channel }, 'sample listener failed');
      }
    }
  }

  private observeReads(zone: string, listener: ReadListener): void {
    const { clock } = this.options;
    this.engine.tapZone(zone, (tag, offset, length, antenna, rssi) =>
      listener(toHex(tag, offset, length), clock.now(), rssi, antenna),
    );
  }

  /** A device's status: the core holds or releases the reader first, then the event goes out. */
  private publish(body: EventBody, atMs?: number): void {
    if (body.type === 'reader.status' && this.holdsWhenSilent.has(body.reader)) {
      const now = this.options.clock.now();
      try {
        if (body.state === 'online') this.engine.releaseReader(body.reader, now);
        else this.engine.holdReader(body.reader, now);
      } catch (error) {
        this.sweepErrors += 1;
        this.options.logger.error({ err: error, reader: body.reader }, 'reader hold or release failed');
      }
      this.armDeadline();
    }
    this.options.emit(body, atMs);
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

  /** Every reader that should have talked and did not is stalled, and held, before tags may depart. */
  private checkLiveness(nowMs: number): void {
    for (const pipeline of this.pipelines.values()) pipeline.checkLiveness(nowMs);
  }

  private sweep(atMs: number): boolean {
    try {
      this.checkLiveness(atMs);
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
