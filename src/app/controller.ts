import type { Writable } from 'node:stream';
import type { MqttConfig } from '../config/mqtt.js';
import type { GatewayConfig, ReaderConfig, SensorConfig } from '../config/schema.js';
import { RequestRegistry } from '../mqtt/request-registry.js';
import type { Logger } from '../observability/logger.js';
import { type Clock, systemClock } from '../shared/clock.js';
import type { Extension } from '../shared/extension.js';
import type { AnyFeature, FeatureContext, ServiceName, Services } from '../shared/feature.js';
import { Store } from '../store/index.js';
import type { ByteTransport } from '../transport/types.js';
import { type DeviceIo, liveDeviceIo, RecordingDeviceIo } from './device-io.js';
import { EventBus } from './event-bus.js';
import { FeatureGraphError, orderFeatures } from './feature-order.js';
import { type EventLines, FEATURES } from './features.js';
import { MqttLink } from './mqtt-link.js';
import { Readers } from './readers.js';

export interface ControllerOptions {
  mode: 'run' | 'replay';
  /** Logic time: real in `run`, the capture's virtual time in `replay`. */
  clock: Clock;
  logger: Logger;
  /** Where the store lives: a directory, or ':memory:' for a replay that keeps nothing. */
  dataDir: string;
  /** The broker to publish to; `undefined` = no MQTT (the config's `mqtt` is not looked at). */
  mqtt: MqttConfig | undefined;
  /** How long stopping waits for the broker to acknowledge what is committed. */
  drainMs: number;
  /** Event lines go here when given. */
  stdout?: Writable | EventLines;
  /**
   * Features added to the built-in ones (an integrator's own, or a test's). One named like a
   * built-in feature takes its place (its own options, say).
   */
  extraFeatures?: readonly AnyFeature[];
  /** Builds each device's transport; absent = devices are fed through `readers.pipeline(id).ingest`. */
  transportFor?: (device: ReaderConfig | SensorConfig) => ByteTransport;
  /** Opens the ports of relay boards and serial displays; default: the real ports. */
  deviceIo?: DeviceIo;
}

/** A start-up that failed: which part, and why. Everything started before it was stopped. */
export class StartupError extends Error {
  constructor(
    readonly part: string,
    options: { cause: unknown },
  ) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`${part} failed to start: ${reason}`, options);
    this.name = 'StartupError';
  }
}

/**
 * The built-in features with an integrator's own: one named like a built-in takes its place, the
 * others come after. Two extras of one name are a mistake, refused as such.
 */
function withExtras(builtIn: readonly AnyFeature[], extras: readonly AnyFeature[]): AnyFeature[] {
  const byName = new Map<string, AnyFeature>();
  for (const feature of extras) {
    if (byName.has(feature.name)) throw new FeatureGraphError(`feature "${feature.name}" is listed twice`);
    byName.set(feature.name, feature);
  }
  const list = builtIn.map((feature) => {
    const replacement = byName.get(feature.name);
    byName.delete(feature.name);
    return replacement ?? feature;
  });
  return [...list, ...byName.values()];
}

/** The services the controller itself provides (the rest come from features). */
const BASE_SERVICES: ReadonlySet<ServiceName> = new Set<ServiceName>([
  'tags',
  'presence',
  'devices',
  'deviceIo',
  'mqtt',
  'retained',
  'eventLines',
  'remoteCommands',
  'registry',
]);
/** Needing one of these means driving the devices: such a feature starts after the readers. */
const DRIVING: ReadonlySet<ServiceName> = new Set<ServiceName>(['devices']);

/**
 * The composition root, the same for `run`, `replay` (with and without `--mqtt`) and the
 * benchmarks: one store, one bus, the readers, and the features built from the config in the
 * order of what they need (see `orderFeatures`). Start order: the MQTT link, the features, the
 * readers, the features that drive devices; stop in reverse.
 */
export class Controller {
  readonly bus: EventBus;
  readonly readers: Readers;
  readonly mqtt: MqttLink | undefined;
  readonly requests = new RequestRegistry();
  private readonly extensions: Extension[] = [];
  private readonly started: Extension[] = [];
  private readonly services: Partial<Services> = {};
  private state: 'built' | 'starting' | 'running' | 'stopping' | 'stopped' = 'built';

  private constructor(
    readonly config: GatewayConfig,
    readonly store: Store,
    private readonly options: ControllerOptions,
  ) {
    const { clock, logger } = options;
    this.bus = new EventBus({
      gateway: config.gatewayId,
      clock,
      logger,
      store,
      // Without a broker nothing drains the outbox, so events are not journalled (seq in memory).
      ...(options.mqtt ? { journal: store.outbox } : {}),
    });
    this.mqtt = options.mqtt
      ? new MqttLink({
          mqtt: options.mqtt,
          gatewayId: config.gatewayId,
          store,
          bus: this.bus,
          // Network time is real time, even in a replay.
          clock: options.mode === 'run' ? clock : systemClock,
          logger,
          drainMs: options.drainMs,
          discoveryPrefix: config.homeassistant?.prefix ?? 'homeassistant',
        })
      : undefined;
    // A replay never drives a real device, whoever builds it.
    const deviceIo =
      options.deviceIo ??
      (options.mode === 'run'
        ? liveDeviceIo({ clock, logger, mqtt: this.mqtt?.service })
        : new RecordingDeviceIo());
    this.readers = new Readers({
      config,
      clock,
      logger,
      emit: (body, atMs) => this.bus.emit(body, atMs),
      ...(options.transportFor ? { transportFor: options.transportFor } : { fed: (id) => deviceIo.fed(id) }),
    });
    this.provideBase(deviceIo);
    if (!this.mqtt) {
      this.bus.handle('mqtt.publish', () => Promise.reject(new Error('no MQTT broker is configured')));
    }

    const features = withExtras(FEATURES, options.extraFeatures ?? []).filter(
      (feature) => options.mode === 'run' || !feature.liveOnly,
    );
    const order = orderFeatures(features, BASE_SERVICES, DRIVING);
    const context: FeatureContext = {
      config,
      bus: this.bus,
      clock,
      logger,
      store,
      requests: this.requests,
    };
    this.extensions = [
      ...(this.mqtt ? [this.mqtt] : []),
      ...this.build(order.before, context),
      this.readers,
      ...this.build(order.after, context),
    ];
  }

  /** Opens the store and builds every part; a store that cannot be opened throws an OutboxError. */
  static create(config: GatewayConfig, options: ControllerOptions): Controller {
    const store = Store.open({
      dataDir: options.dataDir,
      clock: options.clock,
      logger: options.logger.child({ component: 'store' }),
      // One gateway per data directory; the holder's start time is wall time, also in a replay.
      lock: { clock: options.mode === 'run' ? options.clock : systemClock },
      fresh: config.resetStoreAtStart,
      outbox: config.outbox,
    });
    try {
      return new Controller(config, store, options);
    } catch (error) {
      store.close();
      throw error;
    }
  }

  /** The gateway's time (virtual in a replay). */
  get clock(): Clock {
    return this.options.clock;
  }

  /** Names of the parts in start order. */
  get parts(): string[] {
    return this.extensions.map((extension) => extension.name);
  }

  /** A service of the running gateway (a feature's, or the controller's), if it is there. */
  service<K extends ServiceName>(name: K): Services[K] | undefined {
    return this.services[name];
  }

  /**
   * Starts every part in order. If one fails, the ones already started are stopped in reverse
   * (so `offline` is published if the broker was reached), the store is closed, and a
   * StartupError names the part.
   */
  async start(): Promise<void> {
    if (this.state !== 'built') throw new Error(`the controller is ${this.state}`);
    this.state = 'starting';
    for (const extension of this.extensions) {
      try {
        await extension.start();
        this.started.push(extension);
      } catch (error) {
        this.options.logger.error(
          { err: error, part: extension.name },
          'start-up failed; stopping what started',
        );
        // The failing part may have opened something before it failed (a first port, a broker).
        this.started.push(extension);
        await this.stop();
        throw new StartupError(extension.name, { cause: error });
      }
    }
    this.state = 'running';
  }

  /** Stops the started parts in reverse order, one after another, then closes the store. */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    for (const extension of [...this.started].reverse()) {
      try {
        await extension.stop();
      } catch (error) {
        this.options.logger.error({ err: error, part: extension.name }, 'part did not stop cleanly');
      }
    }
    this.started.length = 0;
    this.store.close();
    this.state = 'stopped';
  }

  private provideBase(deviceIo: DeviceIo): void {
    const { options, readers } = this;
    const services = this.services;
    services.registry = this.requests;
    services.tags = readers.query;
    services.presence = readers.presence;
    services.devices = readers.control;
    if (this.mqtt) {
      services.mqtt = this.mqtt.service;
      services.retained = this.mqtt.retained;
    }
    services.deviceIo = deviceIo;
    const stdout = options.stdout;
    if (stdout)
      services.eventLines = 'stream' in stdout ? stdout : { stream: stdout, readable: false, redact: false };
    services.remoteCommands =
      options.mode === 'run'
        ? {}
        : { refusedBecause: 'a replay takes no commands: its events come from the capture alone' };
  }

  /** Builds the features in order; one whose needed service is absent is left out, and says so. */
  private build(features: readonly AnyFeature[], context: FeatureContext): Extension[] {
    const built: Extension[] = [];
    const services = this.services as Record<string, unknown>;
    for (const feature of features) {
      const missing = (feature.needs as readonly string[]).filter((name) => services[name] === undefined);
      if (missing.length > 0) {
        // Said once at start: an operator wondering why there are no metrics finds it here.
        this.options.logger.info(
          { feature: feature.name, missing },
          'feature off: what it needs is not there',
        );
        continue;
      }
      const pick = (names: readonly string[]) =>
        Object.fromEntries(
          names.flatMap((name) => (services[name] === undefined ? [] : [[name, services[name]]])),
        );
      const made = feature.build({ ...context, needs: pick(feature.needs), uses: pick(feature.uses) });
      if (!made) continue;
      for (const name of feature.provides) {
        const service = (made.provides as Record<string, unknown>)[name];
        if (service === undefined) throw new Error(`feature "${feature.name}" did not provide "${name}"`);
        services[name] = service;
      }
      built.push({
        name: feature.name,
        start: () => made.start?.(),
        stop: () => made.stop?.(),
      });
    }
    return built;
  }
}
