/**
 * Which reader rounds saw which tag, for settling a cabinet (see settle.ts). Time is cut into rounds of
 * `cycleMs` (the reader's inventory round, round r = [r·cycleMs, (r+1)·cycleMs) in epoch ms), and each
 * tag keeps one bit per round in a ring over the last `historyMs`: "read at least once in that round".
 * A round, not a read, is the unit because a reader reports a well-placed tag many times per round and
 * a poorly placed one not at all; what predicts "still inside but unread" is the share of rounds in
 * which the tag showed up, and rounds are close to independent trials where single reads are not.
 *
 * Memory is fixed at construction (typed arrays, `maxTags` slots); recording a read allocates nothing
 * once the tag has a slot. When every slot is taken, the tag read longest ago gives its slot up: strays
 * and neighbours are read rarely, so they go first, and a cabinet's own tags are read every few rounds.
 */

export interface ReadHistoryOptions {
  cycleMs: number;
  /** Rounds older than this (before the newest read or prune) are forgotten. */
  historyMs: number;
  /** Tags tracked at once; default 2048 (a fridge holds 10^2..10^3, plus strays and neighbours). */
  maxTags?: number;
}

const DEFAULT_MAX_TAGS = 2048;
/** Antenna numbers above this share the last bit: the masks only ask "were all its antennas alive". */
const MAX_ANTENNA_BITS = 32;

/** Bit of an antenna in a mask, 0 for "unknown" (a reader that does not say, e.g. EM4100). */
export function antennaBit(antenna: number | undefined): number {
  if (antenna === undefined || !(antenna >= 1)) return 0;
  return (1 << (Math.min(Math.floor(antenna), MAX_ANTENNA_BITS) - 1)) >>> 0;
}

export class ReadHistory {
  readonly cycleMs: number;
  readonly historyMs: number;
  readonly maxTags: number;
  /** Rounds the ring holds: the window plus the round in progress. */
  readonly ringRounds: number;
  /** Tags that lost their slot to a newer tag because every slot was taken. */
  evicted = 0;
  /** Reads older than the ring (clock went back, or a late batch): ignored. */
  ignoredLate = 0;

  private readonly words: number;
  /** Slot s, ring position i: bit (i & 31) of bits[s * words + (i >>> 5)]. */
  private readonly bits: Uint32Array;
  /** Per ring position: antennas that produced any read in that round. */
  private readonly roundAntennas: Uint32Array;
  /** Per ring position: 1 when the round had at least one read of any tag. */
  private readonly roundSeen: Uint8Array;
  /** Per ring position: 1 when the door was open during some of the round (see `door`). */
  private readonly roundDoorOpen: Uint8Array;
  private doorOpen = false;
  private lastClose = Number.NaN;
  private readonly slotTags: Array<string | undefined>;
  private readonly firstSeen: Float64Array;
  private readonly lastRead: Float64Array;
  private readonly antennas: Uint32Array;
  private readonly lastRssi: Float32Array;
  private readonly slots = new Map<string, number>();
  private readonly freeSlots: Int32Array;
  private freeCount: number;
  /** One past the highest slot ever used: loops over slots stop here. */
  private highWater = 0;
  /** The newest round the ring holds; NaN until the first read or prune. */
  private newest = Number.NaN;

  constructor(options: ReadHistoryOptions) {
    if (!(options.cycleMs > 0)) throw new RangeError(`cycleMs must be positive, got ${options.cycleMs}`);
    if (!(options.historyMs >= options.cycleMs)) {
      throw new RangeError(`historyMs (${options.historyMs}) must be at least cycleMs (${options.cycleMs})`);
    }
    this.cycleMs = options.cycleMs;
    this.historyMs = options.historyMs;
    this.maxTags = Math.max(1, Math.floor(options.maxTags ?? DEFAULT_MAX_TAGS));
    this.ringRounds = Math.ceil(options.historyMs / options.cycleMs) + 1;
    this.words = Math.ceil(this.ringRounds / 32);
    this.bits = new Uint32Array(this.maxTags * this.words);
    this.roundAntennas = new Uint32Array(this.ringRounds);
    this.roundSeen = new Uint8Array(this.ringRounds);
    this.roundDoorOpen = new Uint8Array(this.ringRounds);
    this.slotTags = new Array<string | undefined>(this.maxTags).fill(undefined);
    this.firstSeen = new Float64Array(this.maxTags);
    this.lastRead = new Float64Array(this.maxTags);
    this.antennas = new Uint32Array(this.maxTags);
    this.lastRssi = new Float32Array(this.maxTags);
    this.freeSlots = new Int32Array(this.maxTags);
    // Lowest slots first, so that loops over [0, highWater) stay short in a small fridge.
    for (let index = 0; index < this.maxTags; index++) this.freeSlots[index] = this.maxTags - 1 - index;
    this.freeCount = this.maxTags;
  }

  /**
   * Every raw read of the cabinet's zone, before any debounce: `tag` uppercase hex, `rssi` dBm or NaN,
   * `antenna` 1-based when the reader says (it lets settle.ts tell a dead antenna from taken items).
   */
  record(tag: string, atMs: number, rssi = Number.NaN, antenna?: number): void {
    const round = Math.floor(atMs / this.cycleMs);
    if (!Number.isFinite(round)) return;
    if (Number.isNaN(this.newest) || round > this.newest) this.advanceTo(round);
    else if (round <= this.newest - this.ringRounds) {
      this.ignoredLate += 1;
      return;
    }
    let slot = this.slots.get(tag);
    if (slot === undefined) {
      slot = this.allocate(tag, atMs);
    }
    const position = this.position(round);
    const bit = antennaBit(antenna);
    const word = slot * this.words + (position >>> 5);
    this.bits[word] = ((this.bits[word] as number) | (1 << (position & 31))) >>> 0;
    this.roundSeen[position] = 1;
    this.roundAntennas[position] = ((this.roundAntennas[position] as number) | bit) >>> 0;
    this.antennas[slot] = ((this.antennas[slot] as number) | bit) >>> 0;
    if (atMs > (this.lastRead[slot] as number)) this.lastRead[slot] = atMs;
    if (!Number.isNaN(rssi)) this.lastRssi[slot] = rssi;
  }

  /**
   * The cabinet's door opened or closed at `atMs`. Rounds with the door open are no trials: a customer
   * in front of the antennas shadows them and items move, so they describe neither the cabinet before
   * the session nor after it. Leaving them out keeps a tag's measured rate that of the closed cabinet,
   * the rate settling compares against.
   */
  door(open: boolean, atMs: number): void {
    const round = Math.floor(atMs / this.cycleMs);
    if (!Number.isFinite(round)) return;
    if (Number.isNaN(this.newest) || round > this.newest) this.advanceTo(round);
    if (this.holds(round)) this.roundDoorOpen[this.position(round)] = 1;
    this.doorOpen = open;
    if (!open) this.lastClose = atMs;
  }

  /** When the door last closed, NaN when not known (no close reported since start-up). */
  get lastDoorCloseMs(): number {
    return this.lastClose;
  }

  /** Drops what is older than historyMs (rounds, and tags not read since): bounded memory without a timer. */
  prune(nowMs: number): void {
    const round = Math.floor(nowMs / this.cycleMs);
    if (Number.isFinite(round) && (Number.isNaN(this.newest) || round > this.newest)) this.advanceTo(round);
    const cutoff = nowMs - this.historyMs;
    for (let slot = 0; slot < this.highWater; slot++) {
      const tag = this.slotTags[slot];
      if (tag !== undefined && (this.lastRead[slot] as number) < cutoff) this.release(slot, tag);
    }
  }

  /** Tags currently tracked. */
  get size(): number {
    return this.slots.size;
  }

  /** What the history holds about one tag, for logs and diagnostics. */
  inspect(
    tag: string,
  ): { firstSeenMs: number; lastReadMs: number; antennas: number; lastRssi: number } | undefined {
    const slot = this.slots.get(tag);
    if (slot === undefined) return undefined;
    return {
      firstSeenMs: this.firstSeen[slot] as number,
      lastReadMs: this.lastRead[slot] as number,
      antennas: this.antennas[slot] as number,
      lastRssi: this.lastRssi[slot] as number,
    };
  }

  // The methods below are settle.ts's view of the ring: rounds are absolute round numbers.

  /** The slot of a tag, -1 when it is not tracked (never read, pruned or evicted). */
  slotOf(tag: string): number {
    return this.slots.get(tag) ?? -1;
  }

  /** Upper bound (exclusive) for loops over slots; `tagAt` is undefined for free ones. */
  get slotLimit(): number {
    return this.highWater;
  }

  tagAt(slot: number): string | undefined {
    return this.slotTags[slot];
  }

  firstSeenMs(slot: number): number {
    return this.firstSeen[slot] as number;
  }

  lastReadMs(slot: number): number {
    return this.lastRead[slot] as number;
  }

  /** Antennas that have read this tag since it got its slot. */
  antennaMask(slot: number): number {
    return this.antennas[slot] as number;
  }

  /** The oldest round still in the ring (NaN before any read). */
  get oldestRound(): number {
    return this.newest - this.ringRounds + 1;
  }

  /** Whether the ring holds this round (older ones are forgotten, newer ones have not happened). */
  holds(round: number): boolean {
    return round <= this.newest && round > this.newest - this.ringRounds;
  }

  /**
   * Whether the round is a trial: something at all was read in it (a round without reads is no trial
   * for any tag) and the door was closed throughout.
   */
  roundActive(round: number): boolean {
    if (!this.holds(round)) return false;
    const position = this.position(round);
    return this.roundSeen[position] === 1 && this.roundDoorOpen[position] === 0;
  }

  /** Antennas that produced at least one read in this round (0 when the ring does not hold it). */
  roundAntennaMask(round: number): number {
    return this.holds(round) ? (this.roundAntennas[this.position(round)] as number) : 0;
  }

  /** Whether the tag in `slot` was read in this round. */
  hit(slot: number, round: number): boolean {
    if (!this.holds(round)) return false;
    const position = this.position(round);
    return (((this.bits[slot * this.words + (position >>> 5)] as number) >>> (position & 31)) & 1) === 1;
  }

  private position(round: number): number {
    const position = round % this.ringRounds;
    return position < 0 ? position + this.ringRounds : position;
  }

  /** Moves the newest round forward, clearing the ring positions it reuses (at most the whole ring). */
  private advanceTo(round: number): void {
    const from = Number.isNaN(this.newest) ? round - this.ringRounds + 1 : this.newest + 1;
    const start = Math.max(from, round - this.ringRounds + 1);
    for (let r = start; r <= round; r++) {
      const position = this.position(r);
      this.roundSeen[position] = 0;
      this.roundDoorOpen[position] = this.doorOpen ? 1 : 0;
      this.roundAntennas[position] = 0;
      const keep = ~(1 << (position & 31)) >>> 0;
      const offset = position >>> 5;
      for (let slot = 0; slot < this.highWater; slot++) {
        const word = slot * this.words + offset;
        this.bits[word] = ((this.bits[word] as number) & keep) >>> 0;
      }
    }
    this.newest = round;
  }

  private allocate(tag: string, atMs: number): number {
    if (this.freeCount === 0) this.evictOldest();
    const slot = this.freeSlots[--this.freeCount] as number;
    this.bits.fill(0, slot * this.words, (slot + 1) * this.words);
    this.slotTags[slot] = tag;
    this.firstSeen[slot] = atMs;
    this.lastRead[slot] = atMs;
    this.antennas[slot] = 0;
    this.lastRssi[slot] = Number.NaN;
    this.slots.set(tag, slot);
    if (slot >= this.highWater) this.highWater = slot + 1;
    return slot;
  }

  private evictOldest(): void {
    let oldest = -1;
    let oldestAt = Number.POSITIVE_INFINITY;
    for (let slot = 0; slot < this.highWater; slot++) {
      if (this.slotTags[slot] !== undefined && (this.lastRead[slot] as number) < oldestAt) {
        oldestAt = this.lastRead[slot] as number;
        oldest = slot;
      }
    }
    const tag = this.slotTags[oldest];
    if (tag === undefined) return;
    this.release(oldest, tag);
    this.evicted += 1;
  }

  private release(slot: number, tag: string): void {
    this.slots.delete(tag);
    this.slotTags[slot] = undefined;
    this.freeSlots[this.freeCount++] = slot;
  }
}
