/** What an output device (an actuator's driver) can do: set a channel, or pulse it. */
export interface OutputDriver {
  /** The device's name in logs (`io:lock`, `/dev/ttyUSB1#2`). */
  readonly target: string;
  /**
   * Sets the value; with `pulseMs`, the value lasts that long and the output then returns to
   * `restValue` (the actuator's safe state). A `lines` device ends the pulse by itself; a driver
   * whose device cannot (a relay board) ends it with a timer of its own, cancelled by the next `set`.
   * Resolves once the bytes are written (or the message is handed to the broker).
   */
  set(value: string, pulseMs?: number, restValue?: string): Promise<void>;
  /**
   * Why the device cannot take `value` (not one of its values, not something its protocol can
   * carry), or undefined when it can. Asked before any write: a wrong value is the asker's mistake,
   * never a fault of the device.
   */
  refuses(value: string): string | undefined;
  /**
   * Before the device's port closes: a pulse this driver would end by itself later (a relay board's)
   * is ended now, its rest state written, then its timers are cancelled; anything else is left as it
   * is (the safe state is the caller's job). Resolves once that is written; never rejects (a failed
   * write is reported the way a failed pulse end is). Later `set`s are refused.
   */
  close?(): Promise<void>;
}

/** A character display: rows of text, at most `columns` wide. */
export interface DisplayDriver {
  readonly target: string;
  readonly columns: number;
  readonly rows: number;
  /**
   * Shows these lines (more than `rows` are cut, longer than `columns` truncated; the caller has
   * made them printable on the device). Sends only what differs from what the screen holds.
   */
  show(lines: readonly string[]): Promise<void>;
  /** The screen may have lost its content (a reconnect, a power cut): the next show repaints it all. */
  invalidate(): void;
}
