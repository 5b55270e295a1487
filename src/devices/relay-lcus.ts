import type { Clock, TimerHandle } from '../shared/clock.js';
import type { OutputDriver } from './types.js';

/** First byte of every LCUS command frame. */
export const LCUS_START = 0xa0;
/** The boards come with 1, 2, 4 or 8 relays; the frame has room for channels 1..8 only. */
export const LCUS_MAX_CHANNEL = 8;

export type RelayState = 'on' | 'off';

/**
 * `A0 <channel> <op> <sum>`: op 01 = on, 00 = off, sum = (A0 + channel + op) & FF.
 * Throws a RangeError for a channel the board has no relay for.
 */
export function encodeLcus(channel: number, on: boolean): Uint8Array {
  if (!Number.isInteger(channel) || channel < 1 || channel > LCUS_MAX_CHANNEL) {
    throw new RangeError(`LCUS relay channel must be an integer 1..${LCUS_MAX_CHANNEL} (got ${channel})`);
  }
  const op = on ? 0x01 : 0x00;
  return Uint8Array.of(LCUS_START, channel, op, (LCUS_START + channel + op) & 0xff);
}

export interface RelayLcusOptions {
  /** The name in logs, e.g. `/dev/ttyUSB1#2`. */
  target: string;
  /** Relay number on the board, from 1. */
  channel: number;
  /** Actuator value → relay state, e.g. `{ open: 'on', closed: 'off' }`. */
  values: Readonly<Record<string, RelayState>>;
  /** Writes to the board's port; the caller owns the port (several channels may share one board). */
  write: (bytes: Uint8Array) => Promise<void>;
  clock: Clock;
  /** A pulse end failed to write: nobody awaits that write, so this is the only place it can go. */
  onError?: (error: Error) => void;
}

/**
 * One relay of an LCUS-1/2/4/8 USB board. The board is write-only and has no timer of its own, so a
 * pulse is ended here, on the clock; the next `set` cancels a pulse end that has not happened yet.
 */
export class RelayLcusOutput implements OutputDriver {
  readonly target: string;
  private readonly channel: number;
  private readonly values: ReadonlyMap<string, RelayState>;
  private readonly write: (bytes: Uint8Array) => Promise<void>;
  private readonly clock: Clock;
  private readonly onError: ((error: Error) => void) | undefined;
  private pulseEnd: TimerHandle | undefined;
  /** Counts `set` calls, so that a slow write cannot arm a pulse end after a newer `set` began. */
  private generation = 0;
  private closed = false;

  constructor(options: RelayLcusOptions) {
    this.target = options.target;
    // Fails at start-up, not at the first unlock, for a channel the board does not have.
    encodeLcus(options.channel, false);
    this.channel = options.channel;
    this.values = new Map(Object.entries(options.values));
    if (this.values.size === 0) throw new Error(`relay ${this.target}: values must name at least one value`);
    this.write = options.write;
    this.clock = options.clock;
    this.onError = options.onError;
  }

  async set(value: string, pulseMs?: number, restValue?: string): Promise<void> {
    if (this.closed) throw new Error(`relay ${this.target}: closed`);
    // Everything is checked before anything is cancelled or written: a bad command changes nothing.
    const state = this.stateOf(value);
    let pulse: { ms: number; rest: RelayState } | undefined;
    if (pulseMs !== undefined) {
      if (!(Number.isFinite(pulseMs) && pulseMs > 0)) {
        throw new RangeError(`relay ${this.target}: pulseMs must be a positive number (got ${pulseMs})`);
      }
      const rest = restValue === undefined ? (state === 'on' ? 'off' : 'on') : this.stateOf(restValue);
      pulse = { ms: pulseMs, rest };
    }
    this.cancelPulseEnd();
    const generation = ++this.generation;
    try {
      await this.write(encodeLcus(this.channel, state === 'on'));
    } finally {
      // Armed even when the write failed: its bytes may have reached the board all the same, and a
      // relay left in its pulse state with nothing to end it is the worse outcome (an open lock).
      // The pulse is timed from when the bytes left, not from the call.
      if (pulse !== undefined && generation === this.generation && !this.closed) {
        this.armPulseEnd(pulse.rest, pulse.ms);
      }
    }
  }

  close(): void {
    this.closed = true;
    this.cancelPulseEnd();
  }

  private stateOf(value: string): RelayState {
    const state = this.values.get(value);
    if (state === undefined) {
      const allowed = [...this.values.keys()].map((name) => JSON.stringify(name)).join(', ');
      throw new Error(`relay ${this.target}: unknown value ${JSON.stringify(value)} (allowed: ${allowed})`);
    }
    return state;
  }

  private armPulseEnd(state: RelayState, delayMs: number): void {
    // Async, so that even a write function that throws instead of rejecting ends up in `report`.
    const end = async () => this.write(encodeLcus(this.channel, state === 'on'));
    this.pulseEnd = this.clock.setTimeout(() => {
      this.pulseEnd = undefined;
      end().catch((error: unknown) => this.report(error));
    }, delayMs);
  }

  private cancelPulseEnd(): void {
    if (this.pulseEnd === undefined) return;
    this.clock.clearTimeout(this.pulseEnd);
    this.pulseEnd = undefined;
  }

  private report(error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    try {
      this.onError?.(
        new Error(`relay ${this.target}: pulse end failed: ${failure.message}`, { cause: failure }),
      );
    } catch {
      // A throwing callback would become an unhandled rejection of a timer nobody awaits.
    }
  }
}
