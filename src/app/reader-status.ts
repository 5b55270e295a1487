import type { ReaderMessage } from '../shared/decoding.js';
import type { EventBody } from '../shared/events.js';
import type { TransportStatus } from '../transport/types.js';
import type { DeviceState } from './reading-services.js';

type HealthReport = Extract<ReaderMessage, { kind: 'status' }>;

/** What a reader's own health report says, as its log line and its `reader.status` detail carry it. */
export function healthDetail(report: HealthReport): Record<string, string | number> {
  const detail: Record<string, string | number> = { code: report.code, level: report.level };
  if (report.temperatureC !== undefined) detail.temperatureC = report.temperatureC;
  return detail;
}

/**
 * A device's state as the features see it, and the `reader.status` event that says each change of
 * it (its states, reasons and details are a contract, DESIGN.md). When a change happens is the
 * pipeline's decision; this keeps the state and what is published of it in step.
 */
export class ReaderStatus {
  private current: DeviceState = 'offline';

  constructor(
    private readonly id: string,
    private readonly publish: (body: EventBody) => void,
  ) {}

  get state(): DeviceState {
    return this.current;
  }

  online(): void {
    this.current = 'online';
    this.publish({ type: 'reader.status', reader: this.id, state: 'online' });
  }

  offline(status: Extract<TransportStatus, { state: 'offline' }>): void {
    this.current = 'offline';
    const detail: Record<string, number> = { attempt: status.attempt };
    if (status.retryInMs !== null) detail.retryInMs = status.retryInMs;
    const { reason } = status;
    this.publish({ type: 'reader.status', reader: this.id, state: 'offline', reason, detail });
  }

  stalled(silentMs: number, expectedEveryMs: number): void {
    this.current = 'stalled';
    this.publish({
      type: 'reader.status',
      reader: this.id,
      state: 'stalled',
      reason: `no traffic for ${silentMs} ms (expected every ${expectedEveryMs} ms)`,
      detail: { silentMs, expectedEveryMs },
    });
  }

  /** Its start-up failed: `reason` names the step and why; it is tried again in `retryInMs`. */
  startupFailed(reason: string, attempt: number, retryInMs: number): void {
    this.current = 'error';
    this.publish({
      type: 'reader.status',
      reader: this.id,
      state: 'error',
      reason,
      detail: { attempt, retryInMs },
    });
  }

  /**
   * A change of the reader's own health. A warning (too hot, RF reflected) is a reader that still
   * reads: it stays online, with the reason and level for whoever watches; only level error means
   * it does not do its job.
   */
  health(report: HealthReport): void {
    this.current = report.level === 'error' ? 'error' : 'online';
    this.publish({
      type: 'reader.status',
      reader: this.id,
      state: this.current,
      ...(report.detail === undefined ? {} : { reason: report.detail }),
      detail: healthDetail(report),
    });
  }
}
