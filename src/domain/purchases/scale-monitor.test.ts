import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../shared/random.js';
import { ScaleMonitor } from './scale-monitor.js';

/** Gaussian noise (Box–Muller) from the project's seeded generator. */
function gaussian(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

describe('ScaleMonitor', () => {
  it('measures the noise of idle samples, whatever the slow drift', () => {
    const noise = gaussian(7);
    const scale = new ScaleMonitor();
    for (let i = 0; i < 600; i++) scale.sample(i * 100, 12_000 + i * 0.01 + 2 * noise(), true);
    const sd = scale.noiseSdG as number;
    expect(sd).toBeGreaterThan(1.6);
    expect(sd).toBeLessThan(2.4);
  });

  it('does not measure noise from samples taken during a session', () => {
    const scale = new ScaleMonitor();
    for (let i = 0; i < 100; i++) scale.sample(i * 100, 12_000 + (i % 2) * 50, false);
    expect(scale.noiseSdG).toBeUndefined();
  });

  it('finds the stable weight before the door opened and after it closed, not the door swinging', () => {
    const noise = gaussian(3);
    const scale = new ScaleMonitor();
    let t = 0;
    const play = (ms: number, grams: (t: number) => number, idle: boolean) => {
      for (const end = t + ms; t < end; t += 100) scale.sample(t, grams(t) + noise(), idle);
    };
    play(5000, () => 12_000, true);
    const openAt = t;
    play(3000, (at) => 12_000 + 300 * Math.sin(at / 150), false); // hands on the shelf
    const closeAt = t;
    play(300, (at) => 11_650 + 80 * Math.sin(at / 40), false); // the door slams
    expect(scale.stableBetween(openAt - 60_000, openAt)?.grams).toBeCloseTo(12_000, -1);
    expect(scale.stableBetween(closeAt, t)).toBeUndefined();
    play(1000, () => 11_650, false);
    const after = scale.stableBetween(closeAt, t);
    expect(after?.grams).toBeCloseTo(11_650, -1);
    expect(after?.fromMs).toBeGreaterThanOrEqual(closeAt);
  });

  it('forgets its samples when the scale goes offline', () => {
    const scale = new ScaleMonitor();
    for (let i = 0; i < 20; i++) scale.sample(i * 100, 500, true);
    expect(scale.stableBetween(0, 2000)?.grams).toBe(500);
    scale.reset();
    expect(scale.stableBetween(0, 2000)).toBeUndefined();
  });
});
