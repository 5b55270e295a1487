import type { EpochMs } from '../shared/clock.js';
import { type Driver, type PollPlan, pollSilenceMs, type ReaderSettings } from '../shared/decoding.js';

/**
 * Whether a reader that says nothing is quiet or dead. A driver states the traffic it expects (an
 * M6e in continuous reading sends a heartbeat every read cycle, ~1 s, even with no tag in the
 * field); an EM4100 reader sends nothing without a card, so its silence means nothing and its
 * liveness stays unknown. Known only once the expected traffic has been seen since the port opened:
 * a capture recorded without heartbeats, or a module that never started its stream, stays unknown
 * rather than being declared stalled on a guess.
 */
export class Liveness {
  private lastTrafficAt: EpochMs | undefined;

  /**
   * @param expectedEveryMs the driver's interval between frames while reading; undefined = unknown
   * @param stalledAfterMs silence from which the reader counts as stalled
   */
  constructor(
    readonly expectedEveryMs: number | undefined,
    readonly stalledAfterMs: number,
  ) {}

  /** A valid frame from the device (a tag, a heartbeat, a status). */
  noteTraffic(atMs: EpochMs): void {
    if (this.expectedEveryMs !== undefined) this.lastTrafficAt = atMs;
  }

  /** The port opened again: what was seen before says nothing about the device now. */
  reset(): void {
    this.lastTrafficAt = undefined;
  }

  get known(): boolean {
    return this.lastTrafficAt !== undefined;
  }

  /** How long the device has been silent although it should not be; 0 when that is not known. */
  silenceMs(nowMs: EpochMs): number {
    return this.lastTrafficAt === undefined ? 0 : Math.max(0, nowMs - this.lastTrafficAt);
  }

  isStalled(nowMs: EpochMs): boolean {
    return this.known && this.silenceMs(nowMs) >= this.stalledAfterMs;
  }

  /** When silence would make the device stalled, or undefined when liveness is unknown. */
  stallsAt(): EpochMs | undefined {
    return this.lastTrafficAt === undefined ? undefined : this.lastTrafficAt + this.stalledAfterMs;
  }
}

/**
 * The default threshold: two and a half expected intervals (two heartbeats missed, and jitter), so
 * that with the default `departAfterMs` (3 s) and the M6e's 1 s heartbeat a hung reader is stalled,
 * and its tags held, before any of them could depart.
 */
export function defaultStalledAfterMs(expectedEveryMs: number | undefined): number {
  return expectedEveryMs === undefined ? Number.POSITIVE_INFINITY : Math.round(expectedEveryMs * 2.5);
}

/**
 * The default threshold of a polled reader, given its longest healthy silence (one pause and one
 * bounded wait): half as long again, so that one unanswered poll stalls it. Its tags are then held
 * before they could depart (a Chafon's defaults: 1.75 s of silence at most, stalled at 2.6 s, within
 * the 3 s `departAfterMs`), and holding costs nothing when the next answer comes.
 */
export function polledStalledAfterMs(longestSilenceMs: number): number {
  return Math.round(longestSilenceMs * 1.5);
}

/**
 * The traffic a device promises and when its silence makes it stalled: a configured heartbeat, its
 * driver's own interval, or for a polled reader an answer to each poll (its longest healthy silence
 * is one pause and one bounded wait; a replay of its answers is judged by the same plan).
 */
export function trafficPromise(device: {
  driver: Driver;
  settings: ReaderSettings;
  expectedTrafficMs?: number;
  stalledAfterMs?: number;
}): { pollPlan: PollPlan | undefined; expected: number | undefined; stalledAfterMs: number | undefined } {
  const pollPlan = device.driver.pollPlan?.(device.settings);
  const expected =
    device.expectedTrafficMs ?? device.driver.expectedTrafficMs ?? (pollPlan && pollSilenceMs(pollPlan));
  const stalledAfterMs =
    device.stalledAfterMs ??
    (pollPlan && expected !== undefined ? polledStalledAfterMs(expected) : undefined);
  return { pollPlan, expected, stalledAfterMs };
}
