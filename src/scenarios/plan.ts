import { em4100Card, type ScenarioProduct, scenarioProducts, sgtin96 } from './identifiers.js';
import { between, integer, pick, type Random, sample, seededRandom } from './random.js';

/**
 * What happens in a simulated smart fridge, decided up front from the seed (the truth), before any
 * read is drawn: which items are inside when, who opens the door, what they take and put back.
 * simulate.ts then draws the reads round by round from this plan.
 */

/** Shares of session kinds; they need not sum to 1 (they are normalised). */
export interface SessionMix {
  /** Takes 1-3 items. */
  buy: number;
  /** Takes 2-3 items and puts one back before closing. */
  buyAndReturn: number;
  /** Opens the door and takes nothing (sometimes picks one up and puts it back). */
  nothing: number;
  /** Presents the card and never opens the door. */
  neverOpened: number;
  /** Puts in an item of their own (a foreign tag), sometimes also takes one. */
  putIn: number;
}

export interface FridgeScenarioOptions {
  seed: number;
  /** Customer sessions, one after the other. */
  sessions: number;
  /** Items in the fridge at the start (restocked to this after each purchase). Default 30. */
  items?: number;
  /** Distinct products. Default 6. */
  products?: number;
  /** Typical per-round read probability of an item (each tag gets its own around it). Default 0.7. */
  readProbability?: number;
  /** Share of weak tags (read at 45-70 % of the typical probability). Default 0.1. */
  weakShare?: number;
  /** Items of a neighbouring fridge the reader sometimes reads (1-8 % of rounds, weak RSSI). Default 4. */
  neighbours?: number;
  /** Reads of random foreign EPCs per minute. Default 6. */
  straysPerMinute?: number;
  /** The reader's inventory round. Default 250 (the settle config's default). */
  cycleMs?: number;
  /** Capture start, whole seconds so that rounds line up with it. Default 2026-11-22T10:00:00.000Z. */
  startedAt?: string;
  /** Quiet time before the first card, so the reader has a history. Default 30 000. */
  warmupMs?: number;
  /** Distinct customer cards. Default 20. */
  customers?: number;
  mix?: Partial<SessionMix>;
  /** Share of opened sessions in which the reader loses 85 % of its read rate at the close. Default 0. */
  collapseShare?: number;
  /** After a close: quiet time before the restock (longer than settle.maxMs). Default 12 000. */
  quietMs?: number;
  currency?: string;
  /** Share of items whose tag is dead: never read, whatever its spot. Default 0. */
  deadShare?: number;
  /**
   * Share of items in metallised packaging or wrapped in foil: read in 0.5-3 % of rounds, too
   * rarely to count as inside. Default 0.
   */
  foilShare?: number;
  /** A scale under the shelves, reporting `rateHz` samples with Gaussian noise. Default none. */
  scale?: ScenarioScale;
}

export interface ScenarioScale {
  noiseSdG: number;
  rateHz: number;
  /** The empty shelves' weight. */
  tareG: number;
}

export const DEFAULT_SCALE: ScenarioScale = { noiseSdG: 2, rateHz: 10, tareG: 8000 };

export const DEFAULT_MIX: SessionMix = {
  buy: 0.65,
  buyAndReturn: 0.15,
  nothing: 0.1,
  neverOpened: 0.05,
  putIn: 0.05,
};

export type SessionKind = 'buy' | 'buy_and_return' | 'nothing' | 'never_opened' | 'put_in';

export interface SessionTruth {
  index: number;
  kind: SessionKind;
  card: string;
  customer: string;
  /** Milliseconds since the capture's start, as the capture's `t`. */
  cardAtMs: number;
  openedAtMs: number | null;
  closedAtMs: number | null;
  /** What left the fridge and stayed out: exactly what must be charged. */
  basket: string[];
  /** Picked up and put back before the close (inside again, possibly read differently). */
  returned: string[];
  /** Put in by the customer: not this fridge's, not to be charged. */
  added: string[];
  /** New items that appear quietly after the settle (the restock), not part of the session. */
  restocked: string[];
  restockedAtMs: number | null;
  /** Fault injected: from the close on, the reader reads 15 % as often. A correct gateway does not charge. */
  collapse: boolean;
}

export interface ScenarioItem {
  tag: string;
  sku: string;
  gtin: string;
  /** In the fridge from this time on (0: from the start). */
  fromMs: number;
  /** This unit's own weight: its product's nominal within the product's spread. */
  grams: number;
  /** `dead`: never read; `foil`: read too rarely to count (see FridgeScenarioOptions). */
  tagState: 'ok' | 'dead' | 'foil';
}

export interface ScenarioTruth {
  seed: number;
  startedAt: string;
  cycleMs: number;
  readProbability: number;
  products: ScenarioProduct[];
  customers: Array<{ card: string; reference: string }>;
  /** Every tagged item that was ever in the fridge. */
  items: ScenarioItem[];
  /** Tags of the neighbouring fridge (never inside this one). */
  neighbours: string[];
  sessions: SessionTruth[];
  /** The capture's last moment. */
  endMs: number;
  /** The scale the capture carries samples of, if any. */
  scale?: ScenarioScale;
}

/** Where a tag lies while inside: its read probability, antenna and RSSI depend on the spot. */
export interface Placement {
  fromMs: number;
  toMs: number;
  p: number;
  antenna: number;
  rssi: number;
}

export interface PlannedTag {
  tag: string;
  placements: Placement[];
  /** In a customer's hand in front of the open door. */
  held: Array<{ fromMs: number; toMs: number }>;
  neighbour: boolean;
  /** The unit's weight (0 for a neighbour's item: not on this scale). */
  grams: number;
}

export interface ScenarioPlan {
  options: Required<Omit<FridgeScenarioOptions, 'mix' | 'scale'>> & { mix: SessionMix };
  truth: ScenarioTruth;
  tags: PlannedTag[];
  /** Door open intervals and reader collapses, in time order. */
  doorOpen: Array<{ fromMs: number; toMs: number }>;
  collapses: Array<{ fromMs: number; toMs: number }>;
}

const DEFAULTS = {
  deadShare: 0,
  foilShare: 0,
  items: 30,
  products: 6,
  readProbability: 0.7,
  weakShare: 0.1,
  neighbours: 4,
  straysPerMinute: 6,
  cycleMs: 250,
  startedAt: '2026-11-22T10:00:00.000Z',
  warmupMs: 30_000,
  customers: 20,
  collapseShare: 0,
  quietMs: 12_000,
  currency: 'EUR',
};
/** The gateway cancels a session whose door never opened after this (cabinet openTimeoutMs default). */
const NEVER_OPENED_GAP_MS = 20_000;

export function planScenario(input: FridgeScenarioOptions): ScenarioPlan {
  const { scale, ...rest } = input;
  const options = { ...DEFAULTS, ...rest, mix: { ...DEFAULT_MIX, ...input.mix } };
  if (!(options.readProbability > 0 && options.readProbability <= 1)) {
    throw new RangeError(`readProbability must be in (0, 1], got ${options.readProbability}`);
  }
  const random = seededRandom(options.seed);
  const products = scenarioProducts(options.products, options.currency);
  const customers = Array.from({ length: options.customers }, (_, index) => ({
    card: em4100Card(random),
    reference: `customer-${String(index + 1).padStart(4, '0')}`,
  }));
  const tags: PlannedTag[] = [];
  const items: ScenarioItem[] = [];
  const present: PlannedTag[] = [];
  let serial = 1000;
  // Streams of their own, so that weights and tag faults never change the sessions or the reads.
  const unitRandom = seededRandom((options.seed ^ 0x9e3779b9) >>> 0);
  const faultRandom = seededRandom((options.seed ^ 0x7f4a7c15) >>> 0);
  const faulty = new Map<string, 'dead' | 'foil'>();
  const spot = (fromMs: number, tag?: string): Placement => {
    const place = placement(random, options, fromMs);
    const fault = tag === undefined ? undefined : faulty.get(tag);
    if (fault === 'dead') place.p = 0;
    if (fault === 'foil') place.p = between(faultRandom, 0.005, 0.03);
    return place;
  };
  const newItem = (product: ScenarioProduct, fromMs: number): PlannedTag => {
    const tag = sgtin96(product.itemReference, serial++);
    const draw = faultRandom();
    const fault =
      draw < options.deadShare ? 'dead' : draw < options.deadShare + options.foilShare ? 'foil' : 'ok';
    if (fault !== 'ok') faulty.set(tag, fault);
    const grams =
      Math.round((product.unitWeightG + between(unitRandom, -0.8, 0.8) * product.weightToleranceG) * 10) / 10;
    const planned: PlannedTag = { tag, placements: [spot(fromMs, tag)], held: [], neighbour: false, grams };
    tags.push(planned);
    items.push({ tag, sku: product.sku, gtin: product.gtin, fromMs, grams, tagState: fault });
    return planned;
  };
  for (let index = 0; index < options.items; index++) {
    present.push(newItem(products[index % products.length] as ScenarioProduct, 0));
  }
  const neighbours: string[] = [];
  for (let index = 0; index < options.neighbours; index++) {
    const tag = sgtin96(799_000 + index, 500_000 + index);
    neighbours.push(tag);
    tags.push({
      tag,
      placements: [
        {
          fromMs: 0,
          toMs: Number.POSITIVE_INFINITY,
          p: between(random, 0.01, 0.08),
          antenna: integer(random, 1, 2),
          rssi: integer(random, -78, -70),
        },
      ],
      held: [],
      neighbour: true,
      grams: 0,
    });
  }

  const sessions: SessionTruth[] = [];
  const doorOpen: ScenarioPlan['doorOpen'] = [];
  const collapses: ScenarioPlan['collapses'] = [];
  const kinds = mixTable(options.mix);
  let t = options.warmupMs;
  for (let index = 0; index < options.sessions; index++) {
    const customer = pick(random, customers);
    const kind = drawKind(random, kinds);
    const session: SessionTruth = {
      index,
      kind,
      card: customer.card,
      customer: customer.reference,
      cardAtMs: t,
      openedAtMs: null,
      closedAtMs: null,
      basket: [],
      returned: [],
      added: [],
      restocked: [],
      restockedAtMs: null,
      collapse: false,
    };
    sessions.push(session);
    if (kind === 'never_opened') {
      t += NEVER_OPENED_GAP_MS + between(random, 0, 3000);
      continue;
    }
    const openAt = t + between(random, 1000, 5000);
    const closeAt = openAt + between(random, 3000, 20_000);
    session.openedAtMs = openAt;
    session.closedAtMs = closeAt;
    doorOpen.push({ fromMs: openAt, toMs: closeAt });
    const take = (item: PlannedTag, atMs: number): void => {
      endPlacement(item, atMs);
      item.held.push({ fromMs: atMs, toMs: closeAt });
      session.basket.push(item.tag);
      present.splice(present.indexOf(item), 1);
    };
    const takeAndReturn = (item: PlannedTag): void => {
      const takenAt = between(random, openAt + 300, closeAt - 1500);
      const backAt = between(random, takenAt + 500, closeAt - 300);
      endPlacement(item, takenAt);
      item.held.push({ fromMs: takenAt, toMs: backAt });
      // Put back somewhere else in the fridge: its read rate is that of the new spot, not its history.
      item.placements.push(spot(backAt, item.tag));
      session.returned.push(item.tag);
    };
    const takeSome = (count: number): void => {
      for (const item of sample(random, present, count))
        take(item, between(random, openAt + 500, closeAt - 500));
    };
    if (kind === 'buy') takeSome(integer(random, 1, 3));
    if (kind === 'buy_and_return') {
      const [back, ...kept] = sample(random, present, integer(random, 2, 3));
      if (back) takeAndReturn(back);
      for (const item of kept) take(item, between(random, openAt + 500, closeAt - 500));
    }
    if (kind === 'nothing' && random() < 0.5) {
      const [item] = sample(random, present, 1);
      if (item) takeAndReturn(item);
    }
    if (kind === 'put_in') {
      // Taken first: the customer does not take back what they brought.
      if (random() < 0.5) takeSome(1);
      const foreign = newItem(pick(random, products), between(random, openAt + 500, closeAt - 500));
      session.added.push(foreign.tag);
      present.push(foreign);
    }
    if (random() < options.collapseShare) {
      session.collapse = true;
      collapses.push({ fromMs: closeAt, toMs: closeAt + options.quietMs });
    }
    const restockAt = closeAt + options.quietMs;
    const missing = options.items - present.length;
    if (missing > 0) {
      session.restockedAtMs = restockAt;
      for (let count = 0; count < missing; count++) {
        const item = newItem(pick(random, products), restockAt + between(random, 0, 500));
        present.push(item);
        session.restocked.push(item.tag);
      }
    }
    t = restockAt + between(random, 8000, 12_000);
  }
  const truth: ScenarioTruth = {
    seed: options.seed,
    startedAt: options.startedAt,
    cycleMs: options.cycleMs,
    readProbability: options.readProbability,
    products,
    customers,
    items,
    neighbours,
    sessions,
    endMs: Math.ceil(t),
    ...(scale === undefined ? {} : { scale }),
  };
  return { options, truth, tags, doorOpen, collapses };
}

function placement(
  random: Random,
  options: { readProbability: number; weakShare: number },
  fromMs: number,
): Placement {
  const weak = random() < options.weakShare;
  const factor = weak ? between(random, 0.45, 0.7) : between(random, 0.85, 1.15);
  return {
    fromMs,
    toMs: Number.POSITIVE_INFINITY,
    p: Math.min(0.98, Math.max(0.01, options.readProbability * factor)),
    antenna: integer(random, 1, 2),
    rssi: weak ? integer(random, -68, -60) : integer(random, -65, -42),
  };
}

function endPlacement(item: PlannedTag, atMs: number): void {
  const last = item.placements[item.placements.length - 1];
  if (last) last.toMs = atMs;
}

function mixTable(mix: SessionMix): Array<[SessionKind, number]> {
  const entries: Array<[SessionKind, number]> = [
    ['buy', mix.buy],
    ['buy_and_return', mix.buyAndReturn],
    ['nothing', mix.nothing],
    ['never_opened', mix.neverOpened],
    ['put_in', mix.putIn],
  ];
  const total = entries.reduce((sum, [, share]) => sum + Math.max(0, share), 0);
  if (!(total > 0)) throw new RangeError('the session mix needs at least one positive share');
  return entries.map(([kind, share]) => [kind, Math.max(0, share) / total]);
}

function drawKind(random: Random, table: Array<[SessionKind, number]>): SessionKind {
  let draw = random();
  for (const [kind, share] of table) {
    draw -= share;
    if (draw < 0) return kind;
  }
  return 'buy';
}
