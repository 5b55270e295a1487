import type { EpochMs } from '../shared/clock.js';
import { DEFAULT_RECONNECT_POLICY, type ReconnectPolicy } from './types.js';

export function resolvePolicy(overrides: Partial<ReconnectPolicy> = {}): ReconnectPolicy {
  const policy = { ...DEFAULT_RECONNECT_POLICY, ...overrides };
  const fail = (field: keyof ReconnectPolicy, rule: string): never => {
    throw new RangeError(`reconnect.${field} must be ${rule} (got ${policy[field]})`);
  };
  if (!(policy.initialMs > 0)) fail('initialMs', '> 0');
  if (!(policy.maxMs >= policy.initialMs)) fail('maxMs', '>= initialMs');
  if (!(policy.factor >= 1)) fail('factor', '>= 1');
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) fail('jitter', 'between 0 and 1');
  if (!(policy.stableAfterMs >= 0)) fail('stableAfterMs', '>= 0');
  return policy;
}

/**
 * Exponential backoff with jitter, driven by times passed in (no clock of its own) so that it is
 * trivially testable. Jitter only shortens a delay, so `maxMs` is a true ceiling and readers that
 * have all reached it still retry at different moments.
 */
export class Backoff {
  private failures = 0;
  private onlineSince: EpochMs | undefined;

  constructor(
    private readonly policy: ReconnectPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** Failed attempts since the last stable connection. */
  get attempt(): number {
    return this.failures;
  }

  connected(now: EpochMs): void {
    this.onlineSince = now;
  }

  /** A connection ended; if it had been up for `stableAfterMs`, the backoff starts again from the beginning. */
  disconnected(now: EpochMs): void {
    if (this.onlineSince !== undefined && now - this.onlineSince >= this.policy.stableAfterMs)
      this.failures = 0;
    this.onlineSince = undefined;
  }

  /** Counts a failure and returns how long to wait before the next attempt. */
  nextDelay(): number {
    const { initialMs, maxMs, factor, jitter } = this.policy;
    const base = Math.min(maxMs, initialMs * factor ** this.failures);
    this.failures++;
    return Math.round(base * (1 - jitter * this.random()));
  }
}
