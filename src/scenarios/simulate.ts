import { strayEpc } from './identifiers.js';
import type { PlannedTag, ScenarioPlan } from './plan.js';
import { integer, seededRandom } from './random.js';

/**
 * Draws what the devices report for a plan, round by round: each tag inside is read at most once per
 * inventory round, with its spot's probability, on its antenna (sometimes the other one, weaker);
 * an item in a customer's hand in front of the open door is read now and then; the neighbouring
 * fridge's items rarely; strays at random. Deterministic: the same plan gives the same observations.
 */

export type Observation =
  | { kind: 'read'; t: number; tag: string; antenna: number; rssi: number }
  | { kind: 'card'; t: number; card: string }
  | { kind: 'door'; t: number; value: 'open' | 'closed' }
  /** A sample of the scale under the shelves, in grams. */
  | { kind: 'weight'; t: number; grams: number };

/** The reader starts inventorying here; before it the capture holds its start-up exchange. */
export const READER_START_MS = 100;
/** The door sensor reports its state once at start-up, after the reader's start-up exchange. */
const DOOR_HELLO_MS = READER_START_MS + 20;
/** An open door and a customer in front of it shadow the antennas a little. */
const DOOR_OPEN_FACTOR = 0.85;
/** An item held in front of the open door is read in this share of rounds. */
const HELD_READ_P = 0.1;
/** A collapse (fault injection) leaves this share of the read rate. */
const COLLAPSE_FACTOR = 0.15;
/** Share of reads that come through the other antenna, and how much weaker they are. */
const CROSS_READ_SHARE = 0.15;
const CROSS_READ_DB = 8;

type Interval = { fromMs: number; toMs: number };

/** Every observation in time order: the reads, cards and door lines, and the scale's samples. */
export function* observations(plan: ScenarioPlan): Generator<Observation> {
  if (!plan.truth.scale) {
    yield* deviceObservations(plan);
    return;
  }
  const weights = weightSamples(plan);
  let weight = weights.next();
  for (const observation of deviceObservations(plan)) {
    while (!weight.done && weight.value.t <= observation.t) {
      yield weight.value;
      weight = weights.next();
    }
    yield observation;
  }
  while (!weight.done) {
    yield weight.value;
    weight = weights.next();
  }
}

/** While the door is open, hands and items on the shelves: the load swings by this much (sd, grams). */
const HANDS_SD_G = 150;
/** After a close, the cabinet rocks: a decaying oscillation of this amplitude, time constant and period. */
const SLAM_G = 60;
const SLAM_DECAY_MS = 120;
const SLAM_PERIOD_MS = 90;

/**
 * The scale's samples: the shelves' tare plus every unit inside (not one in a hand), with the
 * scale's Gaussian noise, the swinging load while the door is open and the rocking after a close.
 */
function* weightSamples(plan: ScenarioPlan): Generator<Observation> {
  const scale = plan.truth.scale;
  if (!scale) return;
  const random = seededRandom((plan.options.seed ^ 0x51ce5c1e) >>> 0);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const step = 1000 / scale.rateHz;
  const own = plan.tags.filter((tag) => !tag.neighbour);
  const closes = plan.doorOpen.map((open) => open.toMs);
  let closeIndex = 0;
  for (let t = READER_START_MS + step / 2; t < plan.truth.endMs; t += step) {
    let grams = scale.tareG;
    for (const tag of own) {
      if (tag.placements.some((place) => place.fromMs <= t && t < place.toMs)) grams += tag.grams;
    }
    grams += scale.noiseSdG * gaussian();
    if (covers(plan.doorOpen, t)) grams += HANDS_SD_G * gaussian();
    while (closeIndex < closes.length && (closes[closeIndex + 1] ?? Number.POSITIVE_INFINITY) <= t)
      closeIndex += 1;
    const since = t - (closes[closeIndex] ?? Number.POSITIVE_INFINITY);
    if (since >= 0)
      grams += SLAM_G * Math.exp(-since / SLAM_DECAY_MS) * Math.sin((2 * Math.PI * since) / SLAM_PERIOD_MS);
    yield { kind: 'weight', t: ms(t), grams: Math.round(grams * 10) / 10 };
  }
}

function* deviceObservations(plan: ScenarioPlan): Generator<Observation> {
  // A stream of its own, so that changing how reads are drawn never changes the truth.
  const random = seededRandom((plan.options.seed ^ 0x5eed5eed) >>> 0);
  const cycle = plan.options.cycleMs;
  const points = pointEvents(plan);
  const byStart = [...plan.tags].sort((a, b) => startOf(a) - startOf(b));
  const strayChance = (plan.options.straysPerMinute * cycle) / 60_000;
  const rounds = Math.ceil(plan.truth.endMs / cycle);
  let active: PlannedTag[] = [];
  let nextTag = 0;
  let nextPoint = 0;
  const batch: Observation[] = [];
  for (let round = 0; round < rounds; round++) {
    const t0 = round * cycle;
    const t1 = t0 + cycle;
    while (nextTag < byStart.length && startOf(byStart[nextTag] as PlannedTag) < t1) {
      active.push(byStart[nextTag++] as PlannedTag);
    }
    active = active.filter((tag) => endOf(tag) >= t0);
    batch.length = 0;
    for (const tag of active) {
      const t = t0 + random() * cycle;
      if (t < READER_START_MS) continue;
      const read = drawRead(plan, tag, t, random);
      if (read) batch.push(read);
    }
    if (random() < strayChance) {
      const t = t0 + random() * cycle;
      if (t >= READER_START_MS) {
        const antenna = integer(random, 1, 2);
        batch.push({
          kind: 'read',
          t: ms(t),
          tag: strayEpc(random),
          antenna,
          rssi: integer(random, -80, -65),
        });
      }
    }
    while (nextPoint < points.length && (points[nextPoint] as Observation).t < t1) {
      batch.push(points[nextPoint++] as Observation);
    }
    batch.sort((a, b) => a.t - b.t);
    yield* batch;
  }
}

function drawRead(
  plan: ScenarioPlan,
  tag: PlannedTag,
  t: number,
  random: () => number,
): Observation | undefined {
  const collapse = covers(plan.collapses, t) ? COLLAPSE_FACTOR : 1;
  const doorOpen = covers(plan.doorOpen, t);
  const spot = tag.placements.find((candidate) => candidate.fromMs <= t && t < candidate.toMs);
  if (spot) {
    const p = spot.p * collapse * (doorOpen && !tag.neighbour ? DOOR_OPEN_FACTOR : 1);
    if (random() >= p) return undefined;
    const cross = random() < CROSS_READ_SHARE;
    const antenna = cross ? 3 - spot.antenna : spot.antenna;
    const rssi = spot.rssi + integer(random, -3, 3) - (cross ? CROSS_READ_DB : 0);
    return { kind: 'read', t: ms(t), tag: tag.tag, antenna, rssi };
  }
  if (doorOpen && tag.held.some((held) => held.fromMs <= t && t < held.toMs)) {
    if (random() >= HELD_READ_P * collapse) return undefined;
    return {
      kind: 'read',
      t: ms(t),
      tag: tag.tag,
      antenna: integer(random, 1, 2),
      rssi: integer(random, -74, -66),
    };
  }
  return undefined;
}

/** Cards and door lines, in time order. */
function pointEvents(plan: ScenarioPlan): Observation[] {
  const points: Observation[] = [{ kind: 'door', t: DOOR_HELLO_MS, value: 'closed' }];
  for (const session of plan.truth.sessions) {
    points.push({ kind: 'card', t: ms(session.cardAtMs), card: session.card });
    if (session.openedAtMs !== null) points.push({ kind: 'door', t: ms(session.openedAtMs), value: 'open' });
    if (session.closedAtMs !== null)
      points.push({ kind: 'door', t: ms(session.closedAtMs), value: 'closed' });
  }
  return points.sort((a, b) => a.t - b.t);
}

function startOf(tag: PlannedTag): number {
  let start = Number.POSITIVE_INFINITY;
  for (const spot of tag.placements) start = Math.min(start, spot.fromMs);
  for (const held of tag.held) start = Math.min(start, held.fromMs);
  return start;
}

function endOf(tag: PlannedTag): number {
  let end = Number.NEGATIVE_INFINITY;
  for (const spot of tag.placements) end = Math.max(end, spot.toMs);
  for (const held of tag.held) end = Math.max(end, held.toMs);
  return end;
}

/** Whether one of the sorted, disjoint intervals holds t (binary search). */
function covers(intervals: readonly Interval[], t: number): boolean {
  let low = 0;
  let high = intervals.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const interval = intervals[middle] as Interval;
    if (t < interval.fromMs) high = middle - 1;
    else if (t >= interval.toMs) low = middle + 1;
    else return true;
  }
  return false;
}

/** Capture times keep microseconds: enough, and the file stays short. */
function ms(t: number): number {
  return Math.round(t * 1000) / 1000;
}
