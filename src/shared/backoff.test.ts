import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backoff, DEFAULT_RECONNECT_POLICY, reconnectPolicyProblems, resolvePolicy } from './backoff.js';

const NO_JITTER = { ...DEFAULT_RECONNECT_POLICY, jitter: 0 };

describe('Backoff', () => {
  it('grows by factor from initialMs up to maxMs', () => {
    const backoff = new Backoff(NO_JITTER);
    const delays = Array.from({ length: 9 }, () => backoff.nextDelay());
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(backoff.attempt).toBe(9);
    const tripling = new Backoff({ ...NO_JITTER, initialMs: 100, maxMs: 1_000, factor: 3 });
    expect(Array.from({ length: 4 }, () => tripling.nextDelay())).toEqual([100, 300, 900, 1_000]);
  });

  it('stays at maxMs through a very long outage', () => {
    const backoff = new Backoff({ ...NO_JITTER, factor: 10 });
    for (let i = 0; i < 2_000; i++) backoff.nextDelay();
    expect(backoff.nextDelay()).toBe(30_000);
  });

  it('only shortens delays with jitter, by at most the jitter fraction', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 1,
          maxLength: 40,
        }),
        (initialMs, ceiling, jitter, draws) => {
          const maxMs = initialMs * ceiling;
          let index = 0;
          const policy = { ...DEFAULT_RECONNECT_POLICY, initialMs, maxMs, jitter };
          const backoff = new Backoff(policy, () => draws[index] as number);
          for (index = 0; index < draws.length; index++) {
            const nominal = Math.min(maxMs, initialMs * 2 ** index);
            const delay = backoff.nextDelay();
            expect(delay).toBeLessThanOrEqual(nominal);
            expect(delay).toBeGreaterThanOrEqual(Math.floor(nominal * (1 - jitter)));
          }
        },
      ),
    );
  });

  it('spreads delays with the random source', () => {
    expect(new Backoff(DEFAULT_RECONNECT_POLICY, () => 0).nextDelay()).toBe(500);
    expect(new Backoff(DEFAULT_RECONNECT_POLICY, () => 0.5).nextDelay()).toBe(450);
    expect(new Backoff(DEFAULT_RECONNECT_POLICY, () => 0.999).nextDelay()).toBe(400);
  });

  it('starts over after a connection that stayed up for stableAfterMs', () => {
    const backoff = new Backoff(NO_JITTER);
    backoff.nextDelay();
    backoff.nextDelay();
    backoff.connected(1_000);
    backoff.disconnected(11_000);
    expect(backoff.attempt).toBe(0);
    expect(backoff.nextDelay()).toBe(500);
  });

  it('keeps growing when connections flap (up for less than stableAfterMs)', () => {
    const backoff = new Backoff(NO_JITTER);
    backoff.nextDelay();
    backoff.nextDelay();
    backoff.connected(1_000);
    backoff.disconnected(10_999);
    expect(backoff.nextDelay()).toBe(2000);
  });
});

describe('resolvePolicy', () => {
  it('fills in the defaults, ignoring fields left undefined', () => {
    expect(resolvePolicy({ maxMs: 5000, jitter: undefined })).toEqual({
      ...DEFAULT_RECONNECT_POLICY,
      maxMs: 5000,
    });
    const mqttDefaults = { ...DEFAULT_RECONNECT_POLICY, initialMs: 1000, maxMs: 60_000 };
    expect(resolvePolicy({ jitter: 0 }, mqttDefaults)).toEqual({ ...mqttDefaults, jitter: 0 });
  });

  it.each([
    [{ initialMs: 0 }, 'reconnect.initialMs: must be > 0, got 0'],
    [{ initialMs: 1000, maxMs: 10 }, 'reconnect.maxMs: must be >= initialMs (1000), got 10'],
    [{ initialMs: 40_000 }, 'reconnect.maxMs: must be >= initialMs (40000), got 30000'],
    [{ factor: 0.5 }, 'reconnect.factor: must be >= 1, got 0.5'],
    [{ jitter: 2 }, 'reconnect.jitter: must be between 0 and 1, got 2'],
    [{ stableAfterMs: -1 }, 'reconnect.stableAfterMs: must be >= 0, got -1'],
    [{ initialMs: Number.NaN }, 'reconnect.initialMs: must be > 0, got NaN'],
  ])('rejects %o', (overrides, message) => {
    expect(() => resolvePolicy(overrides)).toThrow(message);
  });

  it('names the policy it checks', () => {
    expect(() => resolvePolicy({ jitter: 1.5 }, DEFAULT_RECONNECT_POLICY, 'mqtt.reconnect')).toThrow(
      'mqtt.reconnect.jitter: must be between 0 and 1, got 1.5',
    );
  });
});

describe('reconnectPolicyProblems', () => {
  it('checks only the fields given, and reports every broken rule', () => {
    expect(reconnectPolicyProblems({ maxMs: 10 })).toEqual([]);
    expect(reconnectPolicyProblems({ initialMs: 100, maxMs: 50, jitter: -1 })).toEqual([
      { field: 'maxMs', message: 'must be >= initialMs (100), got 50' },
      { field: 'jitter', message: 'must be between 0 and 1, got -1' },
    ]);
  });
});
