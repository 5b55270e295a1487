import type { Logger } from '../observability/logger.js';
import type { Clock } from '../shared/clock.js';

export type TransportStatus =
  | { state: 'online' }
  /** `attempt` counts failed connections since the last stable one; `retryInMs` null = stopped or gave up. */
  | { state: 'offline'; reason: string; attempt: number; retryInMs: number | null };

export interface TransportHandlers {
  /** A chunk as it came off the wire; frames may be split anywhere. The receiver must copy what it keeps. */
  data(chunk: Uint8Array): void;
  status(status: TransportStatus): void;
}

export interface ByteTransport {
  /** For logs: '/dev/ttyUSB0@115200', 'tcp://h:p', 'replay:f.jsonl#door'. */
  readonly target: string;
  /** Begins connecting; never throws for a missing device: reports offline and retries. */
  start(handlers: TransportHandlers): void;
  /** Rejects with a clear Error when offline. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes and stops retrying; idempotent. Reports a final offline status with `retryInMs: null`. */
  stop(): Promise<void>;
}

export interface ReconnectPolicy {
  /** Delay before the first retry. */
  initialMs: number;
  /** Ceiling of the delay. */
  maxMs: number;
  /** Growth of the delay per failed attempt. */
  factor: number;
  /** 0..1: each delay is shortened by up to this fraction, at random, so that readers do not retry in step. */
  jitter: number;
  /** A connection that stayed up this long resets the backoff; a flapping one does not. */
  stableAfterMs: number;
}

export const DEFAULT_RECONNECT_POLICY: Readonly<ReconnectPolicy> = Object.freeze({
  initialMs: 500,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.2,
  stableAfterMs: 10_000,
});

export interface ReplayOptions {
  /** 1 = real time, 2 = twice as fast, 0 = as fast as possible (no waiting between chunks). Default 1. */
  speed?: number;
  /** Restart from the beginning at the end of the capture. Default false. */
  loop?: boolean;
  /** Which port of the capture to play; may be omitted when the capture has a single port. */
  portId?: string;
  /** Capture time between the last chunk of a pass and the first of the next, when looping. Default 1000. */
  loopGapMs?: number;
}

export interface TransportSpec {
  /** A device path ('/dev/ttyUSB0'), 'replay:<capture file>' or 'tcp://host:port'. */
  port: string;
  baudRate: number;
  reconnect?: Partial<ReconnectPolicy>;
  replay?: ReplayOptions;
}

export interface TransportDeps {
  clock: Clock;
  logger: Logger;
  /** Source of jitter, [0, 1); Math.random by default. */
  random?: () => number;
}
