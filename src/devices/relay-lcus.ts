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

/** A pulse in effect: the state it ends in, and its timer once armed. */
interface Pulse {
  rest: RelayState;
  timer: TimerHandle | undefined;
}

/**
 * One relay of an LCUS-1/2/4/8 USB board. The board is write-only and has no timer of its own, so a
 * pulse is ended here, on the clock; the next `set` cancels a pulse end that has not happened yet,
 * and `close` ends a pulse at once (a relay must not stay on because the gateway stopped).
 */
export class RelayLcusOutput implements OutputDriver {
  readonly target: string;
  private readonly channel: number;
  private readonly values: ReadonlyMap<string, RelayState>;
  private readonly write: (bytes: Uint8Array) => Promise<void>;
  private readonly clock: Clock;
  private readonly onError: ((error: Error) => void) | undefined;
  /** The pulse in effect (or being started); cleared by the next `set`, its timer, and `close`. */
  private pulse: Pulse | undefined;
  /** The writes this relay started and that have not settled yet, so that `close` can wait for them. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;
  private closing: Promise<void> | undefined;

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
    let rest: RelayState | undefined;
    if (pulseMs !== undefined) {
      if (!(Number.isFinite(pulseMs) && pulseMs > 0)) {
        throw new RangeError(`relay ${this.target}: pulseMs must be a positive number (got ${pulseMs})`);
      }
      rest = restValue === undefined ? (state === 'on' ? 'off' : 'on') : this.stateOf(restValue);
    }
    this.cancelPulseEnd();
    const pulse: Pulse | undefined = rest === undefined ? undefined : { rest, timer: undefined };
    this.pulse = pulse;
    try {
      await this.track(this.write(encodeLcus(this.channel, state === 'on')));
    } finally {
      // Armed even when the write failed: its bytes may have reached the board all the same, and a
      // relay left in its pulse state with nothing to end it is the worse outcome (an open lock).
      // The pulse is timed from when the bytes left, not from the call. A newer `set` or a `close`
      // while the write was in flight has taken the pulse over (`this.pulse` is no longer it).
      if (pulse !== undefined && pulseMs !== undefined && this.pulse === pulse) {
        pulse.timer = this.clock.setTimeout(() => {
          if (this.pulse === pulse) this.pulse = undefined;
          this.endPulse(pulse.rest).catch((error: unknown) => this.report(error));
        }, pulseMs);
      }
    }
  }

  /**
   * Ends a pulse that is in effect by writing its rest state now (after any write still in flight),
   * instead of leaving the relay on: the caller is about to close the port. Cancels the timers and
   * refuses later `set`s. Never rejects: a failed write goes to `onError`, like a failed pulse end.
   */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    this.closed = true;
    const pulse = this.pulse;
    this.cancelPulseEnd();
    // A set or a pulse end whose bytes are still on their way goes first: the rest state follows it.
    await Promise.allSettled([...this.inFlight]);
    if (pulse !== undefined) await this.endPulse(pulse.rest).catch((error: unknown) => this.report(error));
  }

  refuses(value: string): string | undefined {
    if (this.values.has(value)) return undefined;
    const allowed = [...this.values.keys()].map((name) => JSON.stringify(name)).join(', ');
    return `${JSON.stringify(value)} is not one of its values (${allowed})`;
  }

  private stateOf(value: string): RelayState {
    const state = this.values.get(value);
    if (state === undefined) {
      const allowed = [...this.values.keys()].map((name) => JSON.stringify(name)).join(', ');
      throw new Error(`relay ${this.target}: unknown value ${JSON.stringify(value)} (allowed: ${allowed})`);
    }
    return state;
  }

  /** Async, so that even a write function that throws instead of rejecting ends up rejected. */
  private async endPulse(state: RelayState): Promise<void> {
    await this.track(this.write(encodeLcus(this.channel, state === 'on')));
  }

  private track(write: Promise<void>): Promise<void> {
    this.inFlight.add(write);
    const forget = () => {
      this.inFlight.delete(write);
    };
    write.then(forget, forget);
    return write;
  }

  private cancelPulseEnd(): void {
    const timer = this.pulse?.timer;
    if (timer !== undefined) this.clock.clearTimeout(timer);
    this.pulse = undefined;
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
