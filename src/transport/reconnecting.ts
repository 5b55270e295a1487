import type { Logger } from '../observability/logger.js';
import { Backoff, type ReconnectPolicy } from '../shared/backoff.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { ByteTransport, TransportHandlers, TransportStatus } from './types.js';

/** One open connection, as a connector hands it over. */
export interface Link {
  write(bytes: Uint8Array): Promise<void>;
  /** Closes on purpose: `lost` is not reported for it. */
  close(): Promise<void>;
}

export interface LinkEvents {
  data(chunk: Uint8Array): void;
  /** The connection ended by itself (unplug, peer closed, I/O error). */
  lost(reason: string): void;
}

/**
 * Opens one connection; rejects when the device or peer cannot be reached. `signal` aborts when the
 * transport is stopped mid-attempt, so that a slow connect does not hold the process open.
 */
export type Connect = (events: LinkEvents, signal: AbortSignal) => Promise<Link>;

interface Attempt {
  link: Link | undefined;
  lostEarly: string | undefined;
  abort: AbortController;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The reconnect loop shared by the serial and TCP transports: connects, reports every status
 * change, and after a failure or a lost connection retries on the clock with the backoff policy.
 * A connector only knows how to open one connection and notice when it ends.
 */
export class ReconnectingTransport implements ByteTransport {
  private handlers: TransportHandlers | undefined;
  private readonly backoff: Backoff;
  private current: Attempt | undefined;
  private link: Link | undefined;
  private retryTimer: TimerHandle | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly target: string,
    private readonly connect: Connect,
    policy: ReconnectPolicy,
    private readonly clock: Clock,
    private readonly logger: Logger,
    random?: () => number,
  ) {
    this.backoff = new Backoff(policy, random);
  }

  start(handlers: TransportHandlers): void {
    if (this.handlers !== undefined) throw new Error(`${this.target}: transport already started`);
    if (this.stopping !== undefined) throw new Error(`${this.target}: transport was stopped`);
    this.handlers = handlers;
    this.attempt();
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.link === undefined) {
      return Promise.reject(new Error(`${this.target} is offline: cannot write ${bytes.length} bytes`));
    }
    return this.link.write(bytes);
  }

  stop(): Promise<void> {
    if (this.stopping !== undefined) return this.stopping;
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.current?.abort.abort();
    this.current = undefined;
    const link = this.link;
    this.link = undefined;
    if (this.handlers !== undefined) {
      this.emit({ state: 'offline', reason: 'stopped', attempt: this.backoff.attempt, retryInMs: null });
    }
    this.stopping = link === undefined ? Promise.resolve() : this.closeQuietly(link);
    return this.stopping;
  }

  private attempt(): void {
    this.retryTimer = undefined;
    const attempt: Attempt = { link: undefined, lostEarly: undefined, abort: new AbortController() };
    this.current = attempt;
    const events: LinkEvents = {
      data: (chunk) => {
        if (this.current === attempt) this.deliver(chunk);
      },
      lost: (reason) => {
        if (this.current !== attempt) return;
        if (attempt.link === undefined) attempt.lostEarly = reason;
        else this.lose(attempt.link, reason);
      },
    };
    let connecting: Promise<Link>;
    try {
      connecting = this.connect(events, attempt.abort.signal);
    } catch (error) {
      connecting = Promise.reject(error);
    }
    connecting.then(
      (link) => {
        if (this.current !== attempt) {
          void this.closeQuietly(link);
        } else if (attempt.lostEarly !== undefined) {
          this.lose(link, attempt.lostEarly);
        } else {
          attempt.link = link;
          this.link = link;
          this.backoff.connected(this.clock.now());
          this.logger.info({ target: this.target }, 'transport online');
          this.emit({ state: 'online' });
        }
      },
      (error: unknown) => {
        if (this.current === attempt) this.scheduleRetry(errorText(error));
      },
    );
  }

  private lose(link: Link, reason: string): void {
    this.link = undefined;
    this.current = undefined;
    void this.closeQuietly(link);
    this.backoff.disconnected(this.clock.now());
    this.scheduleRetry(reason);
  }

  private scheduleRetry(reason: string): void {
    const retryInMs = this.backoff.nextDelay();
    const attempt = this.backoff.attempt;
    this.logger[attempt === 1 ? 'warn' : 'debug'](
      { target: this.target, reason, attempt, retryInMs },
      'transport offline',
    );
    this.emit({ state: 'offline', reason, attempt, retryInMs });
    this.retryTimer = this.clock.setTimeout(() => this.attempt(), retryInMs);
  }

  private closeQuietly(link: Link): Promise<void> {
    return link.close().catch((error: unknown) => {
      this.logger.debug({ target: this.target, error: errorText(error) }, 'close after disconnect failed');
    });
  }

  // A throwing consumer must not take the reconnect loop down with it.
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
