/** What an output device (an actuator's driver) can do: set a channel, or pulse it. */
export interface OutputDriver {
  /** The device's name in logs (`io:lock`). */
  readonly target: string;
  /**
   * Sets the value; with `pulseMs`, the device itself returns to its resting value after that long,
   * so a gateway that dies mid-pulse cannot leave it set. Resolves once the bytes are written.
   */
  set(value: string, pulseMs?: number): Promise<void>;
}
