import { describe, expect, it } from 'vitest';
import { AlarmLimiter } from './alarm-limiter.js';

describe('alarm limiter', () => {
  it('lets one alarm per tag through per interval and counts the repeats', () => {
    const limiter = new AlarmLimiter(60_000);
    expect(limiter.allows('A', 0)).toBe(true);
    limiter.fired('A', 0);
    expect(limiter.allows('A', 1)).toBe(false);
    expect(limiter.allows('A', 59_999)).toBe(false);
    // Another tag has its own interval.
    expect(limiter.allows('B', 30_000)).toBe(true);
    limiter.fired('B', 30_000);
    expect(limiter.allows('A', 60_000)).toBe(true);
    limiter.fired('A', 60_000);
    expect(limiter.allows('B', 60_000)).toBe(false);
    expect(limiter.suppressed).toBe(3);
  });

  it('does not start the interval for an alarm that was not sent', () => {
    const limiter = new AlarmLimiter(60_000);
    expect(limiter.allows('A', 0)).toBe(true);
    // The commit failed: no `fired`, so the next exit tries again.
    expect(limiter.allows('A', 10)).toBe(true);
    expect(limiter.suppressed).toBe(0);
  });

  it('forgets tags whose interval is over, and never holds more than its capacity', () => {
    const limiter = new AlarmLimiter(1000, 3);
    for (let tag = 0; tag < 3; tag++) limiter.fired(`T${tag}`, tag);
    expect(limiter.size).toBe(3);
    limiter.fired('T3', 3);
    expect(limiter.size).toBe(3);
    // T0 was the oldest: forgotten, so it may alarm again (early, the price of bounded memory).
    expect(limiter.allows('T0', 4)).toBe(true);
    expect(limiter.allows('T1', 4)).toBe(false);
    limiter.fired('T9', 5000);
    expect(limiter.size).toBe(1);
  });

  it('refuses a nonsensical interval or capacity', () => {
    expect(() => new AlarmLimiter(0)).toThrow(/alarm interval must be > 0 ms/);
    expect(() => new AlarmLimiter(1000, 0)).toThrow(/capacity/);
  });
});
