import { readSync, writeSync } from 'node:fs';
import type { SimulatedRead } from '../../src/app/read-plan.js';
import type { DeviceSimulator } from '../../src/shared/decoding.js';

/** A paced stream of reads: `rate` per second, each produced by `next()` just before its write. */
export interface ReadStream {
  rate: number;
  next(): SimulatedRead;
  /** Called once per frame with its tag and the `performance.now()` of the tick that queued it. */
  onQueued?: (tag: Uint8Array, atMs: number) => void;
}

interface Pending {
  bytes: Buffer;
  offset: number;
  frames: number;
}

/** Any tag will do: the simulator only answers a probe with a frame once it has been started. */
const PROBE_TAG = new Uint8Array(12);
const READ_CHUNK = 4096;
/** After a stall (a late timer), catch up by at most this much, as a reader's own buffer would. */
const MAX_CATCH_UP_MS = 100;

/**
 * Plays a reader on the device end of a pty, in the bench process: answers the gateway's start-up
 * commands with the simulator and, once started, writes a paced stream of tag frames. Writes are
 * non-blocking and queued in order, so a gateway that falls behind shows up as latency, not as
 * frames silently lost; `framesWritten` counts only frames whose last byte reached the pty.
 */
const HEARTBEAT_MS = 1000;

export class PtyDevice {
  framesWritten = 0;
  failure: Error | undefined;
  private readonly queue: Pending[] = [];
  private readonly readBuffer = Buffer.alloc(READ_CHUNK);
  private ticker: NodeJS.Timeout | undefined;
  private stream: ReadStream | undefined;
  private streamStartedAt = 0;
  private streamQueued = 0;
  private lastHeartbeatAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly fd: number,
    private readonly simulator: DeviceSimulator,
    private readonly tickMs: number,
  ) {}

  start(): void {
    this.ticker ??= setInterval(() => this.tick(), this.tickMs);
  }

  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** True once the gateway's start-up sequence has started the simulated module reading. */
  get reading(): boolean {
    return this.simulator.tagFrame(PROBE_TAG, 1, -60) !== undefined;
  }

  /** Frames queued but not yet fully written: non-zero means the gateway does not keep up. */
  get backlogFrames(): number {
    return this.queue.reduce((sum, pending) => sum + pending.frames, 0);
  }

  play(stream: ReadStream | undefined): void {
    this.stream = stream;
    this.streamStartedAt = performance.now();
    this.streamQueued = 0;
  }

  private tick(): void {
    try {
      this.answerHost();
      this.queueHeartbeat();
      this.queueReads();
      this.flush();
    } catch (error) {
      this.failure = error as Error;
      this.stop();
    }
  }

  private answerHost(): void {
    for (;;) {
      let count: number;
      try {
        count = readSync(this.fd, this.readBuffer, 0, READ_CHUNK, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return;
        throw error;
      }
      if (count === 0) return;
      for (const answer of this.simulator.answer(this.readBuffer.subarray(0, count))) {
        this.queue.push({ bytes: Buffer.from(answer), offset: 0, frames: 0 });
      }
    }
  }

  /** A reading module streams its read-cycle heartbeat about once a second, tags or not. */
  private queueHeartbeat(): void {
    const now = performance.now();
    if (now - this.lastHeartbeatAt < HEARTBEAT_MS) return;
    const frame = this.simulator.heartbeatFrame?.();
    if (frame === undefined) return;
    this.lastHeartbeatAt = now;
    this.queue.push({ bytes: Buffer.from(frame), offset: 0, frames: 0 });
  }

  private queueReads(): void {
    const stream = this.stream;
    if (!stream) return;
    const now = performance.now();
    const due = Math.floor(((now - this.streamStartedAt) * stream.rate) / 1000);
    const floor = due - Math.ceil((MAX_CATCH_UP_MS * stream.rate) / 1000);
    if (this.streamQueued < floor) this.streamQueued = floor;
    if (this.streamQueued >= due) return;
    const frames: Uint8Array[] = [];
    for (; this.streamQueued < due; this.streamQueued++) {
      const read = stream.next();
      const frame = this.simulator.tagFrame(read.tag, read.antenna, read.rssi);
      if (!frame) throw new Error('the simulated reader was asked for tag frames before it was started');
      frames.push(frame);
      stream.onQueued?.(read.tag, now);
    }
    this.queue.push({ bytes: Buffer.concat(frames), offset: 0, frames: frames.length });
  }

  private flush(): void {
    for (let head = this.queue[0]; head !== undefined; head = this.queue[0]) {
      let written: number;
      try {
        written = writeSync(this.fd, head.bytes, head.offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return;
        throw error;
      }
      head.offset += written;
      if (head.offset < head.bytes.length) return;
      this.framesWritten += head.frames;
      this.queue.shift();
    }
  }
}
