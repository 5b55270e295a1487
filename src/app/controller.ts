import type { Writable } from 'node:stream';
import type { GatewayConfig, MqttConfig, ReaderConfig, SensorConfig } from '../config/schema.js';
import { catalogExtension } from '../domain/catalog/index.js';
import { engagement } from '../domain/engagement/index.js';
import { exitMonitor } from '../domain/exit-monitor/index.js';
import { inventoryExtension } from '../domain/inventory/index.js';
import { epcis } from '../integrations/epcis/index.js';
import { homeAssistant } from '../integrations/homeassistant/index.js';
import { httpListener } from '../integrations/http/index.js';
import { RequestRegistry } from '../mqtt/request-registry.js';
import type { Logger } from '../observability/logger.js';
import { type Clock, systemClock } from '../shared/clock.js';
import type { Extension } from '../shared/extension.js';
import { Store } from '../store/index.js';
import type { ByteTransport } from '../transport/types.js';
import type { ExtensionContext, ExtensionFactory } from './context.js';
import { EventBus } from './event-bus.js';
import { displays } from './extensions/displays.js';
import { metrics } from './extensions/metrics.js';
import { MqttLink } from './extensions/mqtt-link.js';
import { outputs } from './extensions/outputs.js';
import { purchases } from './extensions/purchases.js';
import { requests } from './extensions/requests.js';
import { retainedState } from './extensions/retained-state.js';
import { rules } from './extensions/rules.js';
import { stdoutEvents } from './extensions/stdout-events.js';
import { Readers } from './readers.js';

/**
 * The features, in start order (stopped in reverse). The MQTT link comes before them all and the
 * readers after these, so that every listener is in place before the first read; the outputs come
 * after the readers, so that their safe state is written while the ports are still open.
 * Adding a feature is a folder and one line here.
 */
const FEATURES: readonly ExtensionFactory[] = [
  stdoutEvents,
  catalogExtension,
  inventoryExtension,
  displays,
  purchases,
  exitMonitor,
  engagement,
  rules,
  homeAssistant,
  epcis,
  httpListener,
  retainedState,
  metrics,
  requests,
];
const AFTER_READERS: readonly ExtensionFactory[] = [outputs];

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
  stdout?: Writable;
  /** Features added after the built-in ones (an integrator's own, or a test's). */
  extraFeatures?: readonly ExtensionFactory[];
  /** Builds each device's transport; absent = devices are fed through `readers.pipeline(id).ingest`. */
  transportFor?: (device: ReaderConfig | SensorConfig) => ByteTransport;
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
 * The composition root, the same for `run`, `replay` (with and without `--mqtt`) and the
 * benchmarks: one store, one bus, the readers and the extensions built from the config.
 */
export class Controller {
  readonly bus: EventBus;
  readonly readers: Readers;
  readonly mqtt: MqttLink | undefined;
  readonly requests = new RequestRegistry();
  private readonly extensions: Extension[] = [];
  private readonly started: Extension[] = [];
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
    this.readers = new Readers({
      config,
      clock,
      logger,
      emit: (body, atMs) => this.bus.emit(body, atMs),
      ...(options.transportFor ? { transportFor: options.transportFor } : {}),
    });
    this.mqtt = options.mqtt
      ? new MqttLink({
          mqtt: options.mqtt,
          gatewayId: config.gatewayId,
          store,
          bus: this.bus,
          clock: options.mode === 'run' ? clock : systemClock,
          logger,
          drainMs: options.drainMs,
        })
      : undefined;
    const context: ExtensionContext = {
      config,
      mode: options.mode,
      bus: this.bus,
      store,
      clock,
      logger,
      requests: this.requests,
      readers: this.readers,
      mqtt: this.mqtt,
      stdout: options.stdout,
    };
    const build = (factories: readonly ExtensionFactory[]) =>
      factories.flatMap((factory) => factory(context) ?? []);
    this.extensions = [
      ...(this.mqtt ? [this.mqtt] : []),
      ...build(FEATURES),
      ...build(options.extraFeatures ?? []),
      this.readers,
      ...build(AFTER_READERS),
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

  /** Names of the parts in start order. */
  get parts(): string[] {
    return this.extensions.map((extension) => extension.name);
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
}
