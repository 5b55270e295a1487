import type { PresenceEngine } from '../core/index.js';
import type { Logger } from '../observability/logger.js';
import type { Clock, EpochMs } from '../shared/clock.js';
import type {
  DecodeError,
  DecoderOutput,
  Driver,
  ReaderMessage,
  ReaderSettings,
  StreamDecoder,
} from '../shared/decoding.js';
import type { EventBody } from '../shared/events.js';
import type { ByteTransport, TransportStatus } from '../transport/types.js';
import { CommandSession } from './command-session.js';
import type { DeviceCounters, DeviceState, DeviceView } from './reading-services.js';

export interface DevicePipelineOptions {
  id: string;
  driver: Driver;
  settings: ReaderSettings;
  clock: Clock;
  logger: Logger;
  publish: (body: EventBody, atMs?: number) => void;
  /** Readers feed the core; sensors (no engine) publish their channel changes. */
  engine?: PresenceEngine;
  /** Called after each chunk has gone through the decoder (the readers arm their deadline timer). */
  afterIngest?: () => void;
  /** Zone of a sensor's channels. */
  zone: string;
  /** Makes the device's transport; called again by `restart()` (a transport is used once). */
  openTransport?: () => ByteTransport;
  /**
   * Whether the device can answer the driver's start-up and shutdown commands. A replayed capture
   * cannot: its recorded answers are already in the bytes it plays.
   */
  interactive: boolean;
}

/** A sensor reads no tags. */
const NO_READS: Readonly<Float64Array> = new Float64Array(256);
const ignoreRead = (): void => {};

/** Decode errors come in bursts (line noise, a wrong baud rate); log the first of each burst only. */
const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * One serial device end to end: transport bytes → decoder → core (readers) or sensor events, plus
 * the driver's start-up session each time the port comes online, and `reader.status` events on
 * every change of connection or health.
 */
export class DevicePipeline implements DeviceView {
  readonly decoder: StreamDecoder;
  private readonly session: CommandSession;
  private readonly sensorValues = new Map<string, string | number>();
  /** Reads per antenna (index = antenna number; 0 = the reader does not say), for the metrics. */
  readonly antennaReads: Readonly<Float64Array>;
  /** The antennas with at least one read, ascending (so the figures need not scan all 256). */
  readonly antennasRead: readonly number[];
  /** Chunks dropped because processing them threw (a bug, counted and logged). */
  ingestFailures = 0;
  private connection: DeviceState = 'offline';
  /** `level:code` of the last status published; a repeat of it is not news. 'ok' after each (re)connect. */
  private health = 'ok';
  private lastErrorLogAt = Number.NEGATIVE_INFINITY;
  private suppressedErrors = 0;
  /** The outage in progress: logged once when it begins, and summed up when the device is back. */
  private outage: { since: EpochMs; reports: number } | undefined;
  private stopped = false;
  private startupRunning = false;
  private transport: ByteTransport | undefined;
  private restarting: Promise<void> | undefined;

  constructor(private readonly options: DevicePipelineOptions) {
    const { engine, clock } = options;
    this.antennaReads = engine ? engine.antennaCounts(options.id) : NO_READS;
    this.antennasRead = engine ? engine.antennasRead(options.id) : [];
    const output: DecoderOutput = {
      // Straight into the core: the chunk's time was given to it by `advance` in `ingest`.
      tagRead: engine ? engine.readInput(options.id) : ignoreRead,
      message: (message) => this.onMessage(message),
      decodeError: (error) => this.onDecodeError(error),
    };
    this.decoder = options.driver.createDecoder(output);
    this.session = new CommandSession(clock, (bytes) => this.write(bytes), options.logger);
  }

  get id(): string {
    return this.options.id;
  }

  get kind(): 'reader' | 'sensor' {
    return this.options.driver.kind === 'reader' ? 'reader' : 'sensor';
  }

  get state(): DeviceState {
    return this.connection;
  }

  get counters(): DeviceCounters {
    return { ...this.decoder.stats };
  }

  start(): void {
    this.transport = this.options.openTransport?.();
    this.transport?.start({
      data: (chunk) => this.ingest(chunk),
      status: (status) => this.onTransportStatus(status),
    });
  }

  /**
   * Closes the port and opens it afresh (an operator's `readers/restart`); counters carry on.
   * Overlapping requests share one restart, and a restart that meets a shutdown does not reopen.
   */
  restart(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error(`${this.id} is stopped`));
    this.restarting ??= (async () => {
      this.session.cancel();
      await this.transport?.stop();
      if (!this.stopped) this.start();
    })().finally(() => {
      this.restarting = undefined;
    });
    return this.restarting;
  }

  /** Bytes from the device, whichever transport brought them. */
  ingest(chunk: Uint8Array): void {
    try {
      this.options.engine?.advance(this.options.clock.now());
      this.decoder.push(chunk);
    } catch (error) {
      // A bug in one device's path must not stop the others (or a replay): the chunk is counted
      // as an error and the decoder starts afresh at the next one.
      this.ingestFailures += 1;
      this.decoder.reset();
      this.options.logger.error(
        { err: error, reader: this.id, port: this.transport?.target, bytes: chunk.length },
        'chunk dropped: processing it threw',
      );
    }
    this.options.afterIngest?.();
  }

  async write(bytes: Uint8Array): Promise<void> {
    const transport = this.transport;
    if (!transport) throw new Error(`${this.options.id}: no transport to write to`);
    await transport.write(bytes);
  }

  /** Sends the driver's shutdown commands (best effort, bounded by their timeouts), then closes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.restarting;
    this.session.cancel();
    const steps = this.options.interactive ? this.options.driver.shutdown(this.options.settings) : [];
    if (steps.length > 0 && this.transport) {
      const result = await this.session.run(steps);
      if (!result.ok)
        this.options.logger.debug({ reader: this.id, ...result }, 'shutdown commands not confirmed');
    }
    await this.transport?.stop();
  }

  private onTransportStatus(status: TransportStatus): void {
    const { logger, publish } = this.options;
    const target = this.transport?.target;
    if (status.state === 'online') {
      const outage = this.outage;
      this.outage = undefined;
      logger.info(
        {
          reader: this.id,
          port: target,
          ...(outage === undefined
            ? {}
            : { offlineMs: this.options.clock.now() - outage.since, offlineReports: outage.reports }),
        },
        'device online',
      );
      this.connection = 'online';
      // Just published as online: a fault the reader reports again now is news, even if it is the
      // one it reported before the port went away.
      this.health = 'ok';
      this.decoder.reset();
      publish({ type: 'reader.status', reader: this.id, state: 'online' });
      void this.runStartup();
      return;
    }
    this.session.cancel();
    this.connection = 'offline';
    // Every retry reports offline again: one warning per outage, the retries at debug.
    const firstReport = this.outage === undefined;
    if (this.outage === undefined) this.outage = { since: this.options.clock.now(), reports: 1 };
    else this.outage.reports += 1;
    logger[this.stopped ? 'info' : firstReport ? 'warn' : 'debug'](
      {
        reader: this.id,
        port: target,
        reason: status.reason,
        attempt: status.attempt,
        retryInMs: status.retryInMs,
      },
      'device offline',
    );
    const detail: Record<string, number> = { attempt: status.attempt };
    if (status.retryInMs !== null) detail.retryInMs = status.retryInMs;
    publish({ type: 'reader.status', reader: this.id, state: 'offline', reason: status.reason, detail });
  }

  private async runStartup(): Promise<void> {
    if (!this.options.interactive) return;
    const steps = this.options.driver.startup(this.options.settings);
    // A boot message seen during the start-up sequence is the reader answering it, not a reboot.
    if (steps.length === 0 || this.startupRunning) return;
    this.startupRunning = true;
    const result = await this.session.run(steps).finally(() => {
      this.startupRunning = false;
    });
    if (result.ok || result.reason === 'cancelled' || this.stopped) return;
    this.connection = 'error';
    this.options.logger.error(
      { reader: this.id, step: result.failedStep, reason: result.reason },
      'start-up failed',
    );
    this.options.publish({
      type: 'reader.status',
      reader: this.id,
      state: 'error',
      reason: `start-up step "${result.failedStep}" failed: ${result.reason}`,
    });
  }

  private onMessage(message: ReaderMessage): void {
    this.session.onMessage(message);
    const { logger, publish } = this.options;
    switch (message.kind) {
      case 'sensor': {
        if (this.sensorValues.get(message.channel) === message.value) return;
        this.sensorValues.set(message.channel, message.value);
        publish({
          type: 'sensor.changed',
          sensor: this.id,
          channel: message.channel,
          value: message.value,
          zone: this.options.zone,
        });
        return;
      }
      case 'status': {
        const health = message.level === 'ok' ? 'ok' : `${message.level}:${message.code}`;
        if (health === this.health) return;
        this.health = health;
        const detail: Record<string, string | number> = { code: message.code, level: message.level };
        if (message.temperatureC !== undefined) detail.temperatureC = message.temperatureC;
        logger.info({ reader: this.id, ...detail }, 'reader health changed');
        // A warning (too hot, RF reflected) is a reader that still reads: it stays online, with the
        // reason and level for whoever watches; only level error means it does not do its job.
        this.connection = message.level === 'error' ? 'error' : 'online';
        publish({
          type: 'reader.status',
          reader: this.id,
          state: this.connection,
          ...(message.detail === undefined ? {} : { reason: message.detail }),
          detail,
        });
        return;
      }
      case 'identity':
        logger.info(
          { reader: this.id, ...message },
          message.rebooted ? 'reader rebooted' : 'reader identified',
        );
        if (message.rebooted && !this.stopped) void this.runStartup();
        return;
      case 'log':
        logger.debug({ reader: this.id, text: message.text }, 'device log');
        return;
      case 'response':
        return;
    }
  }

  private onDecodeError(error: DecodeError): void {
    const now = this.options.clock.now();
    if (now - this.lastErrorLogAt < ERROR_LOG_INTERVAL_MS) {
      this.suppressedErrors += 1;
      return;
    }
    this.options.logger.warn(
      {
        reader: this.id,
        port: this.transport?.target,
        streamOffset: error.streamOffset,
        droppedBytes: error.droppedBytes,
        reason: error.reason,
        suppressedSinceLast: this.suppressedErrors,
      },
      'decode error',
    );
    this.lastErrorLogAt = now;
    this.suppressedErrors = 0;
  }
}
