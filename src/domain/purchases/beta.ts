/**
 * The Beta posterior of a tag's per-round read probability, which settle.ts decides with; its header
 * says why a posterior rather than a point estimate.
 */

/**
 * The chance that a tag inside goes unread for `misses` rounds, given `hits` reads in `rounds` rounds of
 * history and a reader now reading at `factor` times its old rate: E[(1 − factor·p)^misses] with p
 * ~ Beta(hits + 1, rounds − hits + 1), the posterior from a uniform prior. With factor 1 it is the ratio
 * of beta functions B(a, b + misses) / B(a, b); otherwise a Simpson sum over the posterior's bulk (±12 sd),
 * divided by the same sum of the density, so that the truncation and the grid cancel.
 */
export function unreadChance(hits: number, rounds: number, misses: number, factor = 1): number {
  if (misses <= 0) return 1;
  const a = hits + 1;
  const b = rounds - hits + 1;
  if (factor >= 1)
    return Math.exp(lnGamma(b + misses) - lnGamma(b) + lnGamma(a + b) - lnGamma(a + b + misses));
  if (factor <= 0) return 1;
  const mean = a / (a + b);
  const sd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
  const low = Math.max(0, mean - 12 * sd);
  const high = Math.min(1, mean + 12 * sd);
  const steps = 256;
  const width = (high - low) / steps;
  // Log-density up to a constant, shifted by its value at the mean so that exp() stays in range.
  const logDensity = (p: number) => (a - 1) * Math.log(p) + (b - 1) * Math.log1p(-p);
  const shift = logDensity(Math.min(Math.max(mean, 1e-12), 1 - 1e-12));
  let mass = 0;
  let unread = 0;
  for (let step = 0; step <= steps; step++) {
    const p = Math.min(Math.max(low + step * width, 1e-12), 1 - 1e-12);
    const weight = step === 0 || step === steps ? 1 : step % 2 === 1 ? 4 : 2;
    const density = weight * Math.exp(logDensity(p) - shift);
    mass += density;
    unread += density * (1 - factor * p) ** misses;
  }
  return mass > 0 ? unread / mass : 1;
}

/**
 * The α-quantile of Beta(hits + 1, rounds − hits + 1), the posterior of a read probability after
 * `hits` reads in `rounds` rounds from a uniform prior: p is above it with probability 1 − α.
 * Bisection on the regularised incomplete beta function; returns the lower end (the safe side).
 */
export function betaLowerQuantile(hits: number, rounds: number, alpha: number): number {
  const a = hits + 1;
  const b = rounds - hits + 1;
  let low = 0;
  let high = 1;
  for (let step = 0; step < 60; step++) {
    const middle = (low + high) / 2;
    if (regularizedBeta(middle, a, b) < alpha) low = middle;
    else high = middle;
  }
  return low;
}

/** I_x(a, b), by the continued fraction on the side where it converges fast (Numerical Recipes 6.4). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let result = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let term = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + term * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + term / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    result *= d * c;
    term = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + term * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + term / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    result *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return result;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7): about 15 significant digits. */
function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}
