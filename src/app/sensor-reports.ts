import { HEARTBEAT_CHANNEL } from '../protocols/lines/index.js';

/**
 * Which of a sensor's values become `sensor.changed`: a changed value, not a repeat; for a channel
 * with a minimum change (a scale's jitter is not news), one that moved at least that much from the
 * value last reported; never the `heartbeat` channel, which is liveness.
 */
export class SensorReports {
  private readonly reported = new Map<string, string | number>();

  constructor(private readonly minChange: Readonly<Record<string, number>> = {}) {}

  /** True when `value` is news; it is then the channel's reported value. */
  report(channel: string, value: string | number): boolean {
    if (channel === HEARTBEAT_CHANNEL) return false;
    const last = this.reported.get(channel);
    if (last === value) return false;
    const minChange = this.minChange[channel];
    if (minChange !== undefined && typeof value === 'number' && typeof last === 'number') {
      if (Math.abs(value - last) < minChange) return false;
    }
    this.reported.set(channel, value);
    return true;
  }
}
