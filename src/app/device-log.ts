import type { Logger } from '../observability/logger.js';
import type { Clock, EpochMs } from '../shared/clock.js';
import type { DecodeError } from '../shared/decoding.js';
import type { TransportStatus } from '../transport/types.js';

/** Decode errors come in bursts (line noise, a wrong baud rate); log the first of each burst only. */
const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * What a device's pipeline logs about its port and its bytes, without flooding the journal: an
 * outage once when it begins (its retries at debug) and summed up when the port is back, and the
 * first decode error of each burst.
 */
export class DeviceLog {
  private lastErrorLogAt = Number.NEGATIVE_INFINITY;
  private suppressedErrors = 0;
  /** The outage in progress. */
  private outage: { since: EpochMs; reports: number } | undefined;

  constructor(
    private readonly id: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  portOpen(port: string | undefined, message: string): void {
    const outage = this.outage;
    this.outage = undefined;
    const summary =
      outage === undefined
        ? {}
        : { offlineMs: this.clock.now() - outage.since, offlineReports: outage.reports };
    this.logger.info({ reader: this.id, port, ...summary }, message);
  }

  /** Every retry reports offline again: one warning per outage, the retries at debug. */
  portClosed(
    port: string | undefined,
    status: Extract<TransportStatus, { state: 'offline' }>,
    stopped: boolean,
  ): void {
    const firstReport = this.outage === undefined;
    if (this.outage === undefined) this.outage = { since: this.clock.now(), reports: 1 };
    else this.outage.reports += 1;
    const { reason, attempt, retryInMs } = status;
    this.logger[stopped ? 'info' : firstReport ? 'warn' : 'debug'](
      { reader: this.id, port, reason, attempt, retryInMs },
      'device offline',
    );
  }

  decodeError(port: string | undefined, error: DecodeError): void {
    const now = this.clock.now();
    if (now - this.lastErrorLogAt < ERROR_LOG_INTERVAL_MS) {
      this.suppressedErrors += 1;
      return;
    }
    const { streamOffset, droppedBytes, reason } = error;
    this.logger.warn(
      {
        reader: this.id,
        port,
        streamOffset,
        droppedBytes,
        reason,
        suppressedSinceLast: this.suppressedErrors,
      },
      'decode error',
    );
    this.lastErrorLogAt = now;
    this.suppressedErrors = 0;
  }
}
