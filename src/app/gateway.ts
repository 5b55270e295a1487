import type { GatewayConfig, ReaderConfig, SensorConfig } from '../config/schema.js';
import type { PresenceEngine } from '../core/index.js';
import { PresenceEngine as Engine } from '../core/index.js';
import { EpcCache } from '../domain/epc.js';
import type { Logger } from '../observability/logger.js';
import { driverNamed } from '../protocols/index.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { EventBody, EventSink } from '../shared/events.js';
import type { ByteTransport } from '../transport/types.js';
import { DevicePipeline } from './device-pipeline.js';
import { engineConfigFrom } from './engine-config.js';
import { EventPublisher, MemorySeq, type SeqSource } from './envelope.js';
import { coreEventBody } from './tag-events.js';

export interface GatewayDeps {
  clock: Clock;
  logger: Logger;
  sinks: EventSink[];
  seq?: SeqSource;
  /** Builds the transport of a device; absent = devices are fed by `pipeline(id).ingest` (replay). */
  transportFor?: (device: ReaderConfig | SensorConfig) => ByteTransport;
}

/**
 * The composition root: builds the core, one pipeline per reader and sensor, and the event
 * publisher from a validated config; starts them in order and stops them in reverse.
 */
export class Gateway {
  readonly engine: PresenceEngine;
  readonly publisher: EventPublisher;
  private readonly pipelines = new Map<string, DevicePipeline>();
  private sweepTimer: TimerHandle | undefined;
  private running = false;

  constructor(
    readonly config: GatewayConfig,
    private readonly deps: GatewayDeps,
  ) {
    const { clock, logger } = deps;
    this.publisher = new EventPublisher(
      config.gatewayId,
      clock,
      deps.seq ?? new MemorySeq(),
      (error, event) => logger.error({ err: error, seq: event.seq, type: event.type }, 'event sink failed'),
    );
    for (const sink of deps.sinks) this.publisher.addSink(sink);
    const epcCache = new EpcCache();
    this.engine = new Engine(engineConfigFrom(config), (event) =>
      this.publisher.publish(coreEventBody(event, epcCache), event.atMs),
    );
    const publish = (body: EventBody, atMs?: number) => this.publisher.publish(body, atMs);
    const transportFor = deps.transportFor;
    for (const device of [...config.readers, ...config.sensors]) {
      const driver = driverNamed(device.driver);
      const pipeline = new DevicePipeline({
        id: device.id,
        driver,
        settings: 'settings' in device ? device.settings : {},
        clock,
        logger: logger.child({ device: device.id, driver: driver.name }),
        publish,
        ...(driver.kind === 'reader' ? { engine: this.engine } : {}),
        zone: device.zone ?? device.id,
        interactive: deps.transportFor !== undefined && !device.port.startsWith('replay:'),
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

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const pipeline of this.pipelines.values()) pipeline.start();
    this.scheduleSweep();
  }

  /** Fires departures and re-reports that fall due while no bytes arrive. */
  private scheduleSweep(): void {
    this.sweepTimer = this.deps.clock.setTimeout(() => {
      this.engine.advance(this.deps.clock.now());
      if (this.running) this.scheduleSweep();
    }, this.config.core.sweepIntervalMs);
  }

  /** Runs the clock on until every pending departure has fired (end of a replay). */
  drainPending(advanceTo: (atMs: number) => void): void {
    for (;;) {
      const deadline = this.engine.nextDeadline();
      if (deadline === undefined) return;
      advanceTo(deadline);
      this.engine.advance(deadline);
    }
  }

  async stop(): Promise<void> {
    if (!this.running) {
      await this.publisher.close();
      return;
    }
    this.running = false;
    if (this.sweepTimer) this.deps.clock.clearTimeout(this.sweepTimer);
    const pipelines = [...this.pipelines.values()].reverse();
    await Promise.allSettled(pipelines.map((pipeline) => pipeline.stop()));
    await this.publisher.close();
  }
}
