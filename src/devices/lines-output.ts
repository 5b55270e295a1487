import { encodeLine } from '../protocols/lines/encode.js';
import type { OutputDriver } from './types.js';

/**
 * An output channel of a `lines` microcontroller: the same port that reports `door=open` takes
 * `lock=open`. A pulse is `<channel>=<value>:<ms>` and the microcontroller ends it by itself.
 */
export class LinesOutput implements OutputDriver {
  readonly target: string;

  constructor(
    device: string,
    private readonly channel: string,
    private readonly write: (bytes: Uint8Array) => Promise<void>,
  ) {
    this.target = `${device}:${channel}`;
    // Fails now, at start-up, for a channel the device could never read back.
    encodeLine(channel, 'x');
  }

  set(value: string, pulseMs?: number): Promise<void> {
    const line = pulseMs === undefined ? value : `${value}:${Math.round(pulseMs)}`;
    return this.write(encodeLine(this.channel, line));
  }
}
