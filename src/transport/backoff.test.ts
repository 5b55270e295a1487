import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backoff, resolvePolicy } from './backoff.js';
import { DEFAULT_RECONNECT_POLICY } from './types.js';

const NO_JITTER = { ...DEFAULT_RECONNECT_POLICY, jitter: 0 };

describe('Backoff', () => {
  it('doubles from initialMs up to maxMs', () => {
    const backoff = new Backoff(NO_JITTER);
    const delays = Array.from({ length: 9 }, () => backoff.nextDelay());
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(backoff.attempt).toBe(9);
  });

  it('only shortens delays with jitter, by at most the jitter fraction', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.nat(40),
        (r, failures) => {
          const backoff = new Backoff(DEFAULT_RECONNECT_POLICY, () => r);
          for (let i = 0; i < failures; i++) backoff.nextDelay();
          const base = Math.min(30_000, 500 * 2 ** failures);
          const delay = backoff.nextDelay();
          expect(delay).toBeLessThanOrEqual(base);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
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
  it('fills in the defaults', () => {
    expect(resolvePolicy({ maxMs: 5000 })).toEqual({ ...DEFAULT_RECONNECT_POLICY, maxMs: 5000 });
  });

  it.each([
    [{ initialMs: 0 }, 'reconnect.initialMs must be > 0 (got 0)'],
    [{ initialMs: 1000, maxMs: 10 }, 'reconnect.maxMs must be >= initialMs (got 10)'],
    [{ factor: 0.5 }, 'reconnect.factor must be >= 1 (got 0.5)'],
    [{ jitter: 2 }, 'reconnect.jitter must be between 0 and 1 (got 2)'],
    [{ stableAfterMs: -1 }, 'reconnect.stableAfterMs must be >= 0 (got -1)'],
    [{ initialMs: Number.NaN }, 'reconnect.initialMs must be > 0 (got NaN)'],
  ])('rejects %o', (overrides, message) => {
    expect(() => resolvePolicy(overrides)).toThrow(message);
  });
});
