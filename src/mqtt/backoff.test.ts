import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('doubles from initialMs up to maxMs without jitter', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1_000, jitter: 0 });
    expect(Array.from({ length: 6 }, () => backoff.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoff.attempts).toBe(6);
  });

  it('takes up to `jitter` of each delay away at random', () => {
    const low = new Backoff({ initialMs: 1_000, maxMs: 8_000, jitter: 0.5 }, () => 0.999_999);
    const high = new Backoff({ initialMs: 1_000, maxMs: 8_000, jitter: 0.5 }, () => 0);
    expect([low.next(), low.next()]).toEqual([500, 1_000]);
    expect([high.next(), high.next()]).toEqual([1_000, 2_000]);
  });

  it('stays within [nominal * (1 - jitter), nominal] for any random source', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 1,
          maxLength: 40,
        }),
        (initialMs, factor, jitter, draws) => {
          const maxMs = initialMs * factor;
          let index = 0;
          const backoff = new Backoff({ initialMs, maxMs, jitter }, () => draws[index] as number);
          for (index = 0; index < draws.length; index++) {
            const nominal = Math.min(maxMs, initialMs * 2 ** index);
            const delay = backoff.next();
            expect(delay).toBeLessThanOrEqual(nominal);
            expect(delay).toBeGreaterThanOrEqual(Math.floor(nominal * (1 - jitter)));
          }
        },
      ),
    );
  });

  it('starts over after a stable connection only', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 10_000, jitter: 0, stableAfterMs: 5_000 });
    backoff.next();
    backoff.next();
    backoff.connectionEnded(4_999);
    expect(backoff.next()).toBe(400);
    backoff.connectionEnded(5_000);
    expect(backoff.next()).toBe(100);
  });

  it('refuses nonsensical settings', () => {
    expect(() => new Backoff({ initialMs: 0 })).toThrow(/initialMs/);
    expect(() => new Backoff({ initialMs: 100, maxMs: 50 })).toThrow(/maxMs/);
    expect(() => new Backoff({ jitter: 1.5 })).toThrow(/jitter/);
  });
});
