import type { EpochMs } from './clock.js';

/**
 * How a connection is retried: serial and TCP readers, and the MQTT broker. One policy and one
 * `Backoff` for all of them, so that they cannot drift apart in behaviour or in validation.
 */
export interface ReconnectPolicy {
  /** Delay before the first retry. */
  initialMs: number;
  /** Ceiling of the delay. */
  maxMs: number;
  /** Growth of the delay per failed attempt. */
  factor: number;
  /** 0..1: each delay is shortened by up to this fraction, at random, so that clients do not retry in step. */
  jitter: number;
  /** A connection that stayed up this long resets the backoff; a flapping one does not. */
  stableAfterMs: number;
}

export const DEFAULT_RECONNECT_POLICY: Readonly<ReconnectPolicy> = Object.freeze({
  initialMs: 500,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.2,
  stableAfterMs: 10_000,
});

/**
 * The broker's: slower and with more jitter than a reader's, since hundreds of gateways lose the
 * same broker at the same moment and must not all come back in the same millisecond.
 */
export const DEFAULT_BROKER_RECONNECT_POLICY: Readonly<ReconnectPolicy> = Object.freeze({
  initialMs: 1000,
  maxMs: 60_000,
  factor: 2,
  jitter: 0.3,
  stableAfterMs: 30_000,
});

export interface PolicyProblem {
  field: keyof ReconnectPolicy;
  /** Reads after the field's path: `must be >= initialMs (1000), got 500`. */
  message: string;
}

/**
 * The rules a policy must follow, for the config schema (which reports every problem with its path)
 * and `resolvePolicy` (which throws the first). Checks only the fields present, so a partial
 * policy (a config block before defaults) can be checked too.
 */
export function reconnectPolicyProblems(policy: Partial<ReconnectPolicy>): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const { initialMs, maxMs, factor, jitter, stableAfterMs } = policy;
  // Written as !(ok) so that NaN fails every rule.
  if (initialMs !== undefined && !(initialMs > 0))
    problems.push({ field: 'initialMs', message: `must be > 0, got ${initialMs}` });
  if (maxMs !== undefined && initialMs !== undefined && !(maxMs >= initialMs))
    problems.push({ field: 'maxMs', message: `must be >= initialMs (${initialMs}), got ${maxMs}` });
  if (factor !== undefined && !(factor >= 1))
    problems.push({ field: 'factor', message: `must be >= 1, got ${factor}` });
  if (jitter !== undefined && !(jitter >= 0 && jitter <= 1))
    problems.push({ field: 'jitter', message: `must be between 0 and 1, got ${jitter}` });
  if (stableAfterMs !== undefined && !(stableAfterMs >= 0))
    problems.push({ field: 'stableAfterMs', message: `must be >= 0, got ${stableAfterMs}` });
  return problems;
}

/**
 * Fills in `defaults` and throws a RangeError naming the first broken rule
 * (`reconnect.maxMs: must be >= initialMs (1000), got 500`); `name` prefixes the field.
 */
export function resolvePolicy(
  overrides: Partial<ReconnectPolicy> = {},
  defaults: Readonly<ReconnectPolicy> = DEFAULT_RECONNECT_POLICY,
  name = 'reconnect',
): ReconnectPolicy {
  const policy: ReconnectPolicy = { ...defaults };
  // An explicit `undefined` (an optional config field) must not erase a default.
  for (const key of Object.keys(overrides) as Array<keyof ReconnectPolicy>) {
    const value = overrides[key];
    if (value !== undefined) policy[key] = value;
  }
  const [problem] = reconnectPolicyProblems(policy);
  if (problem !== undefined) throw new RangeError(`${name}.${problem.field}: ${problem.message}`);
  return policy;
}

/**
 * Exponential backoff with jitter, driven by times passed in (no clock of its own) so that it is
 * trivially testable. Jitter only shortens a delay, so `maxMs` is a true ceiling and clients that
 * have all reached it still retry at different moments.
 */
export class Backoff {
  private failures = 0;
  private onlineSince: EpochMs | undefined;

  /** `policy` is used as given: pass it through `resolvePolicy` first. */
  constructor(
    private readonly policy: Readonly<ReconnectPolicy>,
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
    // A long outage overflows factor ** failures to Infinity, which min() turns into maxMs.
    const base = Math.min(maxMs, initialMs * factor ** this.failures);
    this.failures++;
    return Math.round(base * (1 - jitter * this.random()));
  }
}
