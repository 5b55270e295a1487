/** Seeded randomness for scenarios: the same seed gives the same capture, byte for byte. */

import { seededRandom } from '../shared/random.js';

export type Random = () => number;

export { seededRandom };

/** Uniform in [min, max). */
export function between(random: Random, min: number, max: number): number {
  return min + random() * (max - min);
}

/** Uniform integer in [min, max]. */
export function integer(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick from an empty list');
  return items[Math.floor(random() * items.length)] as T;
}

/** `count` distinct items, in random order. */
export function sample<T>(random: Random, items: readonly T[], count: number): T[] {
  const copy = [...items];
  const out: T[] = [];
  while (out.length < count && copy.length > 0) {
    const index = Math.floor(random() * copy.length);
    out.push(copy[index] as T);
    copy[index] = copy[copy.length - 1] as T;
    copy.pop();
  }
  return out;
}
