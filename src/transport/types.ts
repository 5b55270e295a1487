import type { Logger } from '../observability/logger.js';
import type { ReconnectPolicy } from '../shared/backoff.js';
import type { Clock } from '../shared/clock.js';

// The policy lives with the one Backoff in shared; re-exported for the transport's users.
export { DEFAULT_RECONNECT_POLICY, type ReconnectPolicy } from '../shared/backoff.js';

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

export interface ReplayOptions {
  /** 1 = real time, 2 = twice as fast, 0 = as fast as possible (no waiting between chunks). Default 1. */
  speed?: number;
  /** Restart from the beginning at the end of the capture. Default false. */
  loop?: boolean;
  /** Which port of the capture to play; may be omitted when the capture has a single port. */
  portId?: string;
  /**
   * When looping: capture time between the end of a pass (the capture's last line, of any port) and
   * the start of the next. Default 1000.
   */
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
