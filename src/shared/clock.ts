/** Milliseconds since the Unix epoch; fractions allowed (captures carry sub-millisecond times). */
export type EpochMs = number;

export interface TimerHandle {
  readonly id: number;
}

/**
 * The only source of time in the gateway. Real time in the service, virtual time in a replay,
 * so that the same capture and config always give the same events.
 */
export interface Clock {
  now(): EpochMs;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
