import type { PresenceEngine } from '../core/index.js';
import type { Logger } from '../observability/logger.js';
import { HEARTBEAT_CHANNEL } from '../protocols/lines/index.js';
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
import { DeviceLog } from './device-log.js';
import { trafficPromise } from './liveness.js';
import { ReaderHealth } from './reader-health.js';
import { ReaderPoll } from './reader-poll.js';
import { ReaderSearch, type SearchOptions } from './reader-search.js';
import { ReaderStartup } from './reader-startup.js';
import { healthDetail, ReaderStatus } from './reader-status.js';
import { ReaderUpkeep } from './reader-upkeep.js';
import { Readiness } from './readiness.js';
import type { DeviceCounters, DeviceState, DeviceView, TagSearchResult } from './reading-services.js';
import { SensorReports } from './sensor-reports.js';

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
  /** Called before the core's clock moves on (the readers check every reader's liveness first). */
  beforeAdvance?: (nowMs: EpochMs) => void;
  /** Silence after which a reader whose driver expects traffic is stalled (default: 2.5 intervals). */
  stalledAfterMs?: number;
  /** Traffic this device promises beyond its driver's (a `lines` device's configured heartbeat). */
  expectedTrafficMs?: number;
  /**
   * The port's bytes are handed in (a replay): it has no connection to report, so its liveness is
   * watched on the replay's clock from the start, without a status until it stalls.
   */
  connectedFromStart?: boolean;
  /** Zone of a sensor's channels. */
  zone: string;
  /** Every sensor value as it arrives, before `sensor.changed` drops repeats (a scale's stream). */
  onSample?: (channel: string, value: string | number, atMs: EpochMs) => void;
  /**
   * Numeric channels whose `sensor.changed` waits for a move of at least this much from the value
   * last reported (a scale's jitter is not news); the samples still reach `onSample`.
   */
  reportMinChange?: Readonly<Record<string, number>>;
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

/**
 * One serial device end to end: transport bytes → decoder → core (readers) or sensor events, plus
 * the driver's start-up session each time the port comes online (reader-startup.ts), and
 * `reader.status` events on every change of connection or health (reader-status.ts).
 */
export class DevicePipeline implements DeviceView {
  readonly decoder: StreamDecoder;
  private readonly session: CommandSession;
  private readonly sensorReports: SensorReports;
  /** Reads per antenna (index = antenna number; 0 = the reader does not say), for the metrics. */
  readonly antennaReads: Readonly<Float64Array>;
  /** The antennas with at least one read, ascending (so the figures need not scan all 256). */
  readonly antennasRead: readonly number[];
  /** Chunks dropped because processing them threw (a bug, counted and logged). */
  ingestFailures = 0;
  private readonly status: ReaderStatus;
  private portOpen = false;
  private readonly readiness: Readiness;
  /** `level:code` of the last status published; a repeat of it is not news. 'ok' after each (re)connect. */
  private readonly health = new ReaderHealth();
  private readonly log: DeviceLog;
  private stopped = false;
  private readonly startup: ReaderStartup;
  private transport: ByteTransport | undefined;
  private restarting: Promise<void> | undefined;
  private readonly upkeep: ReaderUpkeep;
  private readonly searcher: ReaderSearch;
  /** Asks a command–response reader for its reads (its driver's poll plan); idle for the others. */
  private readonly poller: ReaderPoll;

  constructor(private readonly options: DevicePipelineOptions) {
    const { engine, clock } = options;
    this.antennaReads = engine ? engine.antennaCounts(options.id) : NO_READS;
    this.antennasRead = engine ? engine.antennasRead(options.id) : [];
    const intoCore = engine ? engine.readInput(options.id) : ignoreRead;
    const output: DecoderOutput = {
      // Straight into the core: the chunk's time was given to it by `advance` in `ingest`. A reader
      // waiting to be heard (its first frame, or back from a stall) is online before its first read
      // arrives, so nobody sees a tag arrive from a reader that is not online.
      tagRead: (tag, offset, length, antenna, rssi) => {
        const state = this.status.state;
        if (state !== 'online' && (state === 'stalled' || this.readiness.awaitingTraffic))
          this.onTraffic(clock.now());
        intoCore(tag, offset, length, antenna, rssi);
      },
      message: (message) => this.onMessage(message),
      decodeError: (error) => this.onDecodeError(error),
    };
    this.status = new ReaderStatus(options.id, (body) => options.publish(body));
    this.decoder = options.driver.createDecoder(output);
    this.sensorReports = new SensorReports(options.reportMinChange);
    const { pollPlan, expected, stalledAfterMs } = trafficPromise(options);
    const hasStartup = options.driver.startup(options.settings).length > 0;
    this.readiness = new Readiness(
      options.interactive && hasStartup,
      options.interactive && expected !== undefined,
    );
    const reopen = (): void => void this.restart().catch(() => {});
    this.upkeep = new ReaderUpkeep(clock, expected, stalledAfterMs, options.interactive, {
      state: () => this.status.state,
      watched: () => this.watched(),
      stall: (silentMs, expectedEveryMs) => this.onStall(silentMs, expectedEveryMs),
      // Without start-up commands to try first, the recovery reopens the port.
      runStartup: () => {
        if (this.stopped || !this.portOpen) return;
        if (hasStartup) void this.startup.run();
        else reopen();
      },
      reopen,
    });
    this.session = new CommandSession(clock, (bytes) => this.write(bytes), options.logger);
    this.searcher = new ReaderSearch({
      ...options,
      session: this.session,
      state: () => this.status.state,
      startupRunning: () => this.startup.active,
      pauseLiveness: () => this.upkeep.pause(),
      resumeLiveness: () => this.upkeep.resume(clock.now()),
      runStartup: () => void this.startup.run(),
    });
    this.poller = new ReaderPoll(
      {
        ...{ id: options.id, clock, logger: options.logger, session: this.session },
        mayPoll: () => this.portOpen && !this.startup.active && !this.searcher.active,
        polling: () => this.health.pollSent(),
        // A reader that answers a poll without reporting a fault works again (its antenna is back);
        // a warning stays until the reader itself says otherwise.
        answered: () => {
          if (this.health.answeredCleanly())
            this.onMessage({ kind: 'status', level: 'ok', code: 'answered' });
        },
      },
      options.interactive ? pollPlan : undefined,
    );
    this.startup = new ReaderStartup({
      ...options,
      session: this.session,
      status: this.status,
      readiness: this.readiness,
      upkeep: this.upkeep,
      poller: this.poller,
      live: () => !this.stopped && this.portOpen,
      goOnline: () => this.goOnline(),
    });
    this.log = new DeviceLog(options.id, clock, options.logger);
  }

  get id(): string {
    return this.options.id;
  }

  get kind(): 'reader' | 'sensor' {
    return this.options.driver.kind === 'reader' ? 'reader' : 'sensor';
  }

  get state(): DeviceState {
    return this.status.state;
  }

  get counters(): DeviceCounters {
    return {
      ...this.decoder.stats,
      stalls: this.upkeep.stalls,
      searches: this.searcher.searches,
      faults: this.health.faults,
      missedPolls: this.poller.missed,
    };
  }

  /** Looks for exactly these tags now (reader-search.ts); refused at once when it cannot. */
  get canSearch(): boolean {
    return this.options.interactive && this.options.driver.search !== undefined;
  }

  search(tags: readonly string[], options?: SearchOptions): Promise<TagSearchResult> {
    return this.searcher.run(tags, options);
  }

  start(): void {
    this.transport = this.options.openTransport?.();
    this.transport?.start({
      data: (chunk) => this.ingest(chunk),
      status: (status) => this.onTransportStatus(status),
    });
    if (this.options.connectedFromStart) {
      this.portOpen = true;
      this.upkeep.opened(this.options.clock.now());
    }
  }

  /** Whether silence now would be a stall. A fed device keeps the state it starts with until then. */
  private watched(): boolean {
    const state = this.status.state;
    if (state === 'online') return true;
    if (this.options.connectedFromStart) return state === 'offline';
    return this.readiness.awaitingTraffic && state !== 'stalled';
  }

  /**
   * Closes the port and opens it afresh (an operator's `readers/restart`); counters carry on.
   * Overlapping requests share one restart, and a restart that meets a shutdown does not reopen.
   */
  restart(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error(`${this.id} is stopped`));
    this.restarting ??= (async () => {
      this.poller.stop();
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
    const framesBefore = this.decoder.stats.frames;
    try {
      const now = this.options.clock.now();
      if (this.options.engine) {
        this.options.beforeAdvance?.(now);
        this.options.engine.advance(now);
      }
      this.decoder.push(chunk);
      if (this.decoder.stats.frames !== framesBefore) this.onTraffic(now);
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
    this.upkeep.closed();
    this.poller.stop();
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
    const target = this.transport?.target;
    if (status.state === 'online') {
      const ready = this.readiness.opened();
      this.log.portOpen(target, ready ? 'device online' : 'port open: online once the device is ready');
      this.portOpen = true;
      this.health.forget();
      this.decoder.reset();
      this.upkeep.opened(this.options.clock.now());
      // Not ready yet, it stays as it was (offline, its tags held) and publishes nothing.
      if (!this.readiness.pending) this.goOnline();
      void this.startup.run();
      return;
    }
    this.session.cancel();
    this.poller.stop();
    this.upkeep.closed();
    this.portOpen = false;
    this.readiness.closed();
    this.log.portClosed(target, status, this.stopped);
    this.status.offline(status);
  }

  private goOnline(): void {
    this.status.online();
    this.upkeep.online();
  }

  /** A valid frame: the reader is alive; one that was waiting for its stream is ready; a stalled one is back. */
  private onTraffic(nowMs: EpochMs): void {
    const silentMs = this.upkeep.traffic(nowMs);
    if (this.readiness.traffic()) {
      this.options.logger.info({ reader: this.id }, 'reader ready: its stream flows');
      // A frame reporting a fault leaves it in error; its next `ok` status says online.
      if (!this.health.inError) this.goOnline();
      return;
    }
    // A stalled reader whose port was reopened is back once it is ready, not at its start-up's answer.
    if (silentMs === undefined || this.readiness.pending) return;
    this.options.logger.info({ reader: this.id, silentMs }, 'reader talking again');
    this.goOnline();
  }

  /**
   * Stalls the reader if it has been silent for too long. Called by its watchdog and, before the
   * core's clock moves on, by the readers: a hung reader is held before any of its tags could depart.
   */
  checkLiveness(nowMs: EpochMs): void {
    this.upkeep.check(nowMs);
  }

  private onStall(silentMs: number, expectedEveryMs: number): void {
    this.options.logger.warn(
      { reader: this.id, port: this.transport?.target, silentMs, expectedEveryMs },
      'reader stalled',
    );
    this.status.stalled(silentMs, expectedEveryMs);
  }

  private onMessage(message: ReaderMessage): void {
    this.session.onMessage(message);
    const { logger, publish } = this.options;
    switch (message.kind) {
      case 'sensor': {
        // Liveness (the frame counted as traffic), not a sensor: no event each time it changes.
        if (message.channel !== HEARTBEAT_CHANNEL) {
          this.options.onSample?.(message.channel, message.value, this.options.clock.now());
        }
        if (!this.sensorReports.report(message.channel, message.value)) return;
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
        if (!this.health.report(message)) return;
        logger.info({ reader: this.id, ...healthDetail(message) }, 'reader health changed');
        // Not ready yet: only a fault is news; it goes online when it is ready.
        if (this.readiness.pending && message.level !== 'error') return;
        this.status.health(message);
        return;
      }
      case 'identity':
        logger.info(
          { reader: this.id, ...message },
          message.rebooted ? 'reader rebooted' : 'reader identified',
        );
        if (message.rebooted && !this.stopped) void this.startup.run();
        return;
      case 'log':
        logger.debug({ reader: this.id, text: message.text }, 'device log');
        return;
      case 'response':
        return;
    }
  }

  private onDecodeError(error: DecodeError): void {
    this.log.decodeError(this.transport?.target, error);
  }
}
