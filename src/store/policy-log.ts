import type { Logger } from '../observability/logger.js';
import type { WriteResult } from './outbox-write.js';

/**
 * Logs the outbox's size policy at work once per episode (dropping, or over a bound with only
 * purchases and alarms left), not once per commit: a full outbox commits many times a second.
 */
export class PolicyLog {
  private dropping = false;
  private overBound = false;

  constructor(
    private readonly logger: Logger,
    private readonly bounds: { maxRows: number; maxBytes: number },
  ) {}

  report(result: WriteResult): void {
    if (result.dropped > 0 && !this.dropping) {
      this.logger.warn(
        { dropped: Object.fromEntries(result.byType), ...this.bounds, diskFull: result.madeRoom },
        result.madeRoom
          ? 'outbox: disk full; dropping the oldest low-value events (tag.*, snapshots) first to make room; purchases and alarms are kept'
          : 'outbox: full; dropping the oldest low-value events (tag.*, snapshots) first; purchases and alarms are kept',
      );
    }
    this.dropping = result.dropped > 0;
    if (result.overBound && !this.overBound) {
      this.logger.error(
        { depth: result.rows, bytes: result.bytes, ...this.bounds },
        'outbox: over its bound with only purchases and alarms left; keeping them and growing past the bound',
      );
    }
    this.overBound = result.overBound;
  }
}
