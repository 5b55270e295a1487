import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { configFromCapture } from '../config/from-capture.js';
import { epcisSchema } from '../config/integrations.js';
import type { MqttConfig } from '../config/mqtt.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import { VirtualClock } from '../shared/clock.js';
import type { AnyFeature } from '../shared/feature.js';
import { type CaptureChunk, type CaptureHeader, CaptureParser } from '../transport/capture.js';
import { Controller } from './controller.js';
import { RecordingDeviceIo, type WrittenBytes } from './device-io.js';
import { readerSettingsChecks } from './reader-settings-checks.js';
import { nextTurn, VirtualTime } from './virtual-time.js';

export interface PortStats {
  bytes: number;
  frames: number;
  reads: number;
  errors: number;
}

export interface ReplayOptions {
  file: string;
  /** Absent: derived from the capture header. */
  config?: GatewayConfig;
  gatewayId?: string;
  /** 0 = as fast as possible, 1 = real time, N = N times real time. */
  speed: number;
  /** Event lines go here (the `replay` command's stdout). */
  stdout?: Writable;
  logger: Logger;
  /** Publish every event through the outbox to this broker, as `run` does. */
  mqtt?: MqttConfig;
  /** The store's directory; default ':memory:' (nothing kept). */
  dataDir?: string;
  /** With `mqtt`: how long to wait at the end for the broker to acknowledge everything. */
  drainMs?: number;
  /** Runs once the controller is started, before the first chunk. */
  prepare?: (controller: Controller) => Promise<void> | void;
  /** Features added after the built-in ones (an integrator's own, or a test's); see ControllerOptions. */
  extraFeatures?: readonly AnyFeature[];
  /** EPCIS output on whatever the config says (its `epcis` settings if any, else the defaults). */
  epcis?: boolean;
}

export interface ReplayResult {
  header: CaptureHeader;
  ports: Record<string, PortStats>;
  /**
   * What each output device (relay board, serial display, MQTT actuator topic) would have been sent:
   * a replay writes to records, not to devices.
   */
  outputs: Record<string, WrittenBytes>;
  /** With `mqtt`: whether the broker acknowledged every event within `drainMs`. */
  drained: boolean;
}

const READ_BLOCK_BYTES = 1 << 20;
/** How far past the last chunk the virtual clock may run on for pending timers. */
const RUN_ON_LIMIT_MS = 3_600_000;

/**
 * Runs the whole pipeline over a capture on a virtual clock: the same capture and config always
 * give the same events. Chunks of ports the config does not know are counted and skipped. A broken
 * line stops the replay with a CaptureError naming it, after everything before it was processed
 * and every pending departure has fired.
 */
export async function replayCapture(options: ReplayOptions): Promise<ReplayResult> {
  const parser = new CaptureParser(options.file);
  const pending: CaptureChunk[] = [];
  let session: ReplaySession | undefined;
  let failure: unknown;
  try {
    const stream = createReadStream(options.file, { encoding: 'utf8', highWaterMark: READ_BLOCK_BYTES });
    for await (const block of stream) {
      parser.push(block as string, pending);
      if (parser.header && !session) session = await ReplaySession.create(parser.header, options);
      await session?.play(pending);
      pending.length = 0;
    }
    parser.end(pending);
    if (parser.header && !session) session = await ReplaySession.create(parser.header, options);
    await session?.play(pending);
  } catch (error) {
    failure = error;
    // Chunks parsed before the bad line are still played, so nothing accepted is lost: also when
    // the bad line is in the first block, before the session was started.
    try {
      if (parser.header && !session) session = await ReplaySession.create(parser.header, options);
      await session?.play(pending);
    } catch (startError) {
      // The session could not start (a bad config for this capture): that is the error to report.
      failure = session ? failure : startError;
    }
  }
  const result = session ? await session.finish() : undefined;
  if (failure !== undefined) throw failure;
  if (!result) throw new Error(`${options.file}: no header`);
  return result;
}

class ReplaySession {
  private readonly clock: VirtualClock;
  private readonly time: VirtualTime;
  private readonly controller: Controller;
  private readonly outputs = new RecordingDeviceIo();
  private readonly start: number;
  private readonly skipped = new Map<string, number>();
  private wallStart: number | undefined;
  private firstT: number | undefined;

  static async create(header: CaptureHeader, options: ReplayOptions): Promise<ReplaySession> {
    const session = new ReplaySession(header, options);
    // A part that fails to start stops the others, whose last writes wait on virtual time.
    await session.time.during(session.controller.start());
    // What the start-up wrote to the devices completes before the first chunk.
    await nextTurn();
    try {
      await options.prepare?.(session.controller);
    } catch (error) {
      // The store and any broker connection are the controller's: closed before the error goes up.
      await session.time.during(session.controller.stop());
      throw error;
    }
    return session;
  }

  private constructor(
    private readonly header: CaptureHeader,
    private readonly options: ReplayOptions,
  ) {
    this.start = Date.parse(header.startedAt);
    this.clock = new VirtualClock(this.start);
    // The settings a header recorded are checked as a config's would be.
    const derived =
      options.config ?? configFromCapture(header.ports, options.gatewayId, readerSettingsChecks);
    const named = options.gatewayId ? { ...derived, gatewayId: options.gatewayId } : derived;
    const config = options.epcis
      ? { ...named, epcis: { ...(named.epcis ?? epcisSchema.parse({})), enabled: true } }
      : named;
    this.controller = Controller.create(config, {
      mode: 'replay',
      clock: this.clock,
      logger: options.logger,
      dataDir: options.dataDir ?? ':memory:',
      mqtt: options.mqtt,
      drainMs: options.drainMs ?? 0,
      deviceIo: this.outputs,
      ...(options.stdout ? { stdout: options.stdout } : {}),
      ...(options.extraFeatures ? { extraFeatures: options.extraFeatures } : {}),
    });
    this.time = new VirtualTime(this.clock, this.controller.bus);
  }

  async play(chunks: CaptureChunk[]): Promise<void> {
    for (const chunk of chunks) {
      if (this.options.speed > 0) await this.waitFor(chunk.t);
      await this.time.advanceTo(this.start + chunk.t);
      if (chunk.dir !== 'rx') continue;
      const pipeline = this.controller.readers.pipeline(chunk.port);
      if (!pipeline) {
        this.countSkipped(chunk);
        continue;
      }
      pipeline.ingest(chunk.bytes);
      await this.time.settle();
    }
  }

  async finish(): Promise<ReplayResult> {
    // The clock runs on until every departure and every timer of the features (a settling session,
    // a door left open) has fired, so that the output is complete; each as it would mid-capture, what
    // it sets off finished before the next. Bounded, in case a feature re-arms forever. Background
    // chores (cycle counts) are no reason to run on.
    const horizon = this.clock.now() + RUN_ON_LIMIT_MS;
    for (;;) {
      const next = this.clock.nextTimerAt();
      if (next === undefined || next > horizon) break;
      await this.time.advanceTo(next);
    }
    await this.time.during(this.controller.stop());
    const ports: Record<string, PortStats> = {};
    for (const device of this.controller.readers.devices) {
      const { bytes, frames, reads, errors } = device.counters;
      ports[device.id] = { bytes, frames, reads, errors };
    }
    return {
      header: this.header,
      ports,
      outputs: this.outputs.written(),
      drained: this.controller.mqtt?.drained ?? true,
    };
  }

  private countSkipped(chunk: CaptureChunk): void {
    const count = (this.skipped.get(chunk.port) ?? 0) + 1;
    this.skipped.set(chunk.port, count);
    if (count === 1) {
      this.options.logger.warn(
        { file: this.options.file, line: chunk.line, port: chunk.port },
        'capture port is not in the config; its chunks are skipped',
      );
    }
  }

  private async waitFor(t: number): Promise<void> {
    if (this.wallStart === undefined || this.firstT === undefined) {
      this.wallStart = performance.now();
      this.firstT = t;
      return;
    }
    const due = this.wallStart + (t - this.firstT) / this.options.speed;
    const delay = due - performance.now();
    if (delay > 1) await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
