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
    /** The values the device's firmware knows, when the config lists them. */
    private readonly values?: readonly string[],
  ) {
    this.target = `${device}:${channel}`;
    // Fails now, at start-up, for a channel the device could never read back.
    encodeLine(channel, 'x');
  }

  refuses(value: string): string | undefined {
    if (this.values !== undefined && !this.values.includes(value)) {
      return `${JSON.stringify(value)} is not one of its values (${this.values.map((v) => JSON.stringify(v)).join(', ')})`;
    }
    try {
      encodeLine(this.channel, value);
      return undefined;
    } catch (error) {
      return `${JSON.stringify(value)} cannot be sent on a line: ${(error as Error).message}`;
    }
  }

  set(value: string, pulseMs?: number): Promise<void> {
    const line = pulseMs === undefined ? value : `${value}:${Math.round(pulseMs)}`;
    return this.write(encodeLine(this.channel, line));
  }
}
