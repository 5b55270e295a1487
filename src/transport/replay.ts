import type { Logger } from '../observability/logger.js';
import type { Clock, EpochMs, TimerHandle } from '../shared/clock.js';
import { type CaptureChunk, CaptureError } from './capture.js';
import { CaptureCursor } from './capture-file.js';
import { errorText } from './reconnecting.js';
import type { ByteTransport, ReplayOptions, TransportHandlers, TransportStatus } from './types.js';

/** Chunks delivered per timer at speed 0, so that a real clock's event loop still gets a turn. */
const BATCH_AT_FULL_SPEED = 256;

export interface ReplaySettings extends ReplayOptions {
  file: string;
}

/**
 * Plays the rx chunks of one port of a capture on the given clock: a chunk recorded at capture time
 * `t` is delivered at `start + t / speed` (start = clock time of `start()`), computed afresh for
 * every chunk so that late timers do not add up. Speed 0 delivers chunks in batches on 0 ms timers
 * without moving time: on a VirtualClock, a replay that needs the capture's own timing uses speed 1
 * and lets the clock's driver jump from timer to timer (`advanceTo(nextTimerAt())`).
 *
 * The next chunk is read (blocking, 64 KiB at a time) and its timer set before the current timer
 * returns, so the timers pending on the clock always include the replay's next step: a virtual
 * clock's driver never overtakes the capture.
 *
 * Looping, pass `n` starts at `n × (capture length + loopGapMs)`, the capture's length being the
 * time of its last line, whatever its port: every port of a capture restarts at the same moment.
 *
 * A bad line stops the replay after the chunks before it, with an offline status naming the line.
 */
export class ReplayTransport implements ByteTransport {
  readonly target: string;
  readonly portId: string;
  private readonly speed: number;
  private readonly loop: boolean;
  private readonly loopGapMs: number;
  private cursor: CaptureCursor | undefined;
  private handlers: TransportHandlers | undefined;
  private startedAt: EpochMs = 0;
  /** Capture time added to the chunks of the current pass (grows by one loop period per pass). */
  private passOffset = 0;
  private passHasData = false;
  /** Capture time of the last line read, of any port: at the end of a pass, the capture's length. */
  private passEnd = 0;
  private upcoming: CaptureChunk | undefined;
  private timer: TimerHandle | undefined;
  private finished = false;

  constructor(
    private readonly settings: ReplaySettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    const { file, speed = 1, loop = false, loopGapMs = 1000 } = settings;
    if (!(Number.isFinite(speed) && speed >= 0))
      throw new RangeError(`replay.speed must be >= 0 (got ${speed})`);
    if (!(Number.isFinite(loopGapMs) && loopGapMs >= 0)) {
      throw new RangeError(`replay.loopGapMs must be >= 0 (got ${loopGapMs})`);
    }
    this.speed = speed;
    this.loop = loop;
    this.loopGapMs = loopGapMs;
    this.cursor = new CaptureCursor(file);
    this.portId = this.choosePort(this.cursor, settings.portId);
    this.target = `replay:${file}#${this.portId}`;
  }

  start(handlers: TransportHandlers): void {
    if (this.handlers !== undefined) throw new Error(`${this.target}: transport already started`);
    if (this.finished) throw new Error(`${this.target}: transport was stopped`);
    this.handlers = handlers;
    this.startedAt = this.clock.now();
    this.emit({ state: 'online' });
    if (this.advance()) this.schedule();
  }

  /** Bytes for the device are accepted and dropped: the capture already holds its answers. */
  write(bytes: Uint8Array): Promise<void> {
    if (this.finished)
      return Promise.reject(new Error(`${this.target} is offline: cannot write ${bytes.length} bytes`));
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.finish('stopped');
    return Promise.resolve();
  }

  private choosePort(cursor: CaptureCursor, wanted: string | undefined): string {
    try {
      return replayPortOf(this.settings.file, cursor.header.ports, wanted);
    } catch (error) {
      cursor.close();
      throw error;
    }
  }

  private schedule(): void {
    const chunk = this.upcoming as CaptureChunk;
    const delay =
      this.speed === 0
        ? 0
        : Math.max(0, this.startedAt + (this.passOffset + chunk.t) / this.speed - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.fire(), delay);
  }

  private fire(): void {
    this.timer = undefined;
    for (let delivered = 1; ; delivered++) {
      this.deliver((this.upcoming as CaptureChunk).bytes);
      if (this.finished || !this.advance()) return;
      if (this.speed !== 0 || delivered >= BATCH_AT_FULL_SPEED) break;
    }
    this.schedule();
  }

  /** Moves `upcoming` to the next rx chunk of our port; false (and finished) at the end. */
  private advance(): boolean {
    let chunk: CaptureChunk | undefined;
    try {
      chunk = this.nextRx();
    } catch (error) {
      this.logger.error(
        { target: this.target, error: errorText(error) },
        'replay stopped on a bad capture line',
      );
      this.finish(errorText(error));
      return false;
    }
    if (chunk === undefined) {
      this.finish(this.passHasData ? 'end of capture' : `no rx data for port "${this.portId}"`);
      return false;
    }
    this.upcoming = chunk;
    return true;
  }

  private nextRx(): CaptureChunk | undefined {
    for (;;) {
      const cursor = this.cursor;
      if (cursor === undefined) return undefined;
      const chunk = cursor.next();
      if (chunk === undefined) {
        // A pass without data would make a looping replay spin on the file forever.
        if (!this.loop || !this.passHasData) return undefined;
        cursor.close();
        this.cursor = new CaptureCursor(this.settings.file);
        // One period for every port of the capture, whatever its own last chunk: the ports of a
        // capture recorded one scene together (a card, then the door, then the reads), and a port
        // that looped at its own length would replay a customer's card against another's basket.
        this.passOffset += this.passEnd + this.loopGapMs;
        this.passHasData = false;
        continue;
      }
      this.passEnd = chunk.t;
      if (chunk.port !== this.portId || chunk.dir !== 'rx') continue;
      this.passHasData = true;
      return chunk;
    }
  }

  private finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.cursor?.close();
    this.cursor = undefined;
    if (this.handlers !== undefined) this.emit({ state: 'offline', reason, attempt: 0, retryInMs: null });
  }

  private emit(status: TransportStatus): void {
    try {
      this.handlers?.status(status);
    } catch (error) {
      this.logger.error({ target: this.target, error: errorText(error) }, 'status handler threw');
    }
  }

  private deliver(chunk: Uint8Array): void {
    try {
      this.handlers?.data(chunk);
    } catch (error) {
      this.logger.error({ target: this.target, error: errorText(error) }, 'data handler threw');
    }
  }
}

/** The port a replay plays: the one named, else the capture's only one; a CaptureError otherwise. */
function replayPortOf(
  file: string,
  ports: ReadonlyArray<{ id: string }>,
  wanted: string | undefined,
): string {
  const ids = ports.map((port) => port.id);
  if (wanted !== undefined) {
    if (ids.includes(wanted)) return wanted;
    throw new CaptureError(file, 1, `no port "${wanted}" in this capture (it has ${ids.join(', ')})`);
  }
  const [only] = ids;
  if (ids.length === 1 && only !== undefined) return only;
  throw new CaptureError(file, 1, `several ports (${ids.join(', ')}): say which one to replay`);
}

/**
 * What a replay transport would refuse at start-up (an unreadable capture, a bad header, a port it
 * does not have), as a CaptureError, without keeping the file open: for the config check.
 */
export function checkReplaySource(file: string, portId: string | undefined): void {
  const cursor = new CaptureCursor(file);
  try {
    replayPortOf(file, cursor.header.ports, portId);
  } finally {
    cursor.close();
  }
}
