import { Admission, FILTERED_UNCACHED, REFUSED } from './admission.js';
import { type EngineConfig, validateEngineConfig } from './config.js';
import * as currentRead from './current-read.js';
import { DeadlineHeap } from './deadline-heap.js';
import { type CoreEvent, type EngineStats, emptyStats, type PresentTag } from './events.js';
import { type ReadInput, ReadInputs, type ZoneTap } from './read-input.js';
import * as readRing from './read-ring.js';
import { ReaderHold } from './reader-hold.js';
import { type RestoredTag, type RestoreRefusal, restoreTags } from './restore.js';
import { TagFilter } from './tag-filter.js';
import * as tagState from './tag-state.js';
import * as tagTable from './tag-table.js';
import * as zoneMap from './zone-map.js';
import { ZonePresence } from './zone-presence.js';

/*
 * Local copies of other modules' constants: V8 folds a module's own constants into optimized code, but
 * loads and checks an imported binding at every use, which cost the hot path about 5%.
 */
const { AT_MS, CURRENT_READ_FIELDS, RSSI } = currentRead;
const { OUTCOME_ACCEPTED, OUTCOME_BELOW_FLOOR, OUTCOME_FILTERED, OUTCOME_OVERFLOW, OUTCOME_TOO_LONG } =
  readRing;
const { META_ANTENNA_MASK, META_OUTCOME_SHIFT, META_READER_SHIFT, REF_RECORD_BITS } = readRing;
const { F_LAST_SEEN, F_READS, F_RSSI, F_SMOOTHED, FLOAT_FIELDS, HELD } = tagState;
const { I_ANTENNA, I_GENERATION, I_PHASE, I_READER, I_ZONE, IGNORED, INT_FIELDS, PRESENT } = tagState;
const { FINAL_MULTIPLIER_1, FINAL_MULTIPLIER_2, HASH_MULTIPLIER, HASH_ROTATION, INLINE_WORDS } = tagTable;
const { RECORD_BITS, RECORD_MASK, SLOT_HASH, SLOT_INTS, SLOT_KEY } = tagTable;
const { ANTENNA_SLOTS } = zoneMap;

/**
 * Raw reads in, presence events out: the gateway's hot path.
 *
 * Semantics (defaults in `config.ts`):
 * - Time: `nowMs` comes from the caller's `Clock` and is taken as never decreasing (an earlier time is
 *   treated as the latest seen). Every event's `atMs` is when it logically happened, and events come out
 *   in time order: `ingest` first settles everything due at or before its `nowMs`, so the output is the
 *   same whether or not, and how often, the caller sweeps with `advance`.
 * - Arrival: a tag arrives in a zone on its `arriveAfterReads`-th read there within less than
 *   `arriveWindowMs` (sliding window). A candidate not read in its zone for `arriveWindowMs` is forgotten
 *   silently (no arrival, no departure).
 * - Departure at last read in the zone + `departAfterMs`; a read at or after that time first departs
 *   the tag, then counts as a new first read. `tag.present` every `reReportMs` after arrival (or after a
 *   move) while the tag stays; a departure due at the same time wins.
 * - One zone per tag. Reads from another zone feed a challenger (current zone + one best challenger,
 *   RSSI smoothed by EWMA, the challenger starting from the current zone's level). The tag moves when
 *   the challenger's smoothed RSSI beats the current zone's by more than `hysteresisDb`, or on a read in
 *   another zone once the current zone has not read it for `staleAfterMs` (the only rule for NaN RSSI).
 *   A move emits `tag.moved`; arrival time and read count carry on. A candidate switches zone silently
 *   by the same rule and starts counting again.
 * - Door direction: a move that completes a door's path inside→outside, with the moves along it within
 *   the door's `windowMs`, is an 'exit'; the reverse order an 'entry'; otherwise null.
 * - Filters: include/exclude are matched once, when a tag enters the table; an excluded tag is kept as
 *   IGNORED so its later reads cost a lookup only.
 * - Capacity: a full table first evicts the oldest IGNORED record; if there is none, the new tag's reads
 *   are refused and counted (`overflowDrops`). A candidate or present tag is never evicted. The first
 *   refusal emits `core.overflow` at once; later ones are summed into at most one event per
 *   `overflowReportMs`, the last one when that interval ends.
 * - Held readers (`holdReader`/`releaseReader`): see `ReaderHold`; a tag not read since the release
 *   departs with `held: true`. Restored tags (`restore`): present without an arrival, `reads` 0 until
 *   read; one that departs unread says `restored: true`.
 * - `emit` is called synchronously and must neither throw nor call back into the engine.
 *
 * After construction nothing is allocated per read: strings and event objects are made only for events
 * (and a DataView over the caller's buffer when it passes a different one; decoders reuse theirs).
 */
export class PresenceEngine {
  private readonly counters: EngineStats;
  private readonly map: zoneMap.ZoneMap;
  private readonly table: tagTable.TagTable;
  private readonly tags: tagState.TagState;
  private readonly heap: DeadlineHeap;
  private readonly ring: readRing.ReadRing;
  private readonly presence: ZonePresence;
  private readonly admission: Admission;
  /** Time and RSSI of the read being processed, and the latest time seen (`AT_MS`). */
  private readonly current = new Float64Array(CURRENT_READ_FIELDS).fill(Number.NEGATIVE_INFINITY);
  private readonly maxTagBytes: number;
  private readonly smoothing: number;
  /** Heap id of the overflow report deadline, after the records' ids. */
  private readonly overflowId: number;
  private readonly readerCount: number;
  private readonly inputs: ReadInputs;
  /** The caller's buffer and a DataView over it, made again only when the caller passes another buffer. */
  private viewBytes: Uint8Array | undefined;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  /** Throws an Error naming the offending field or pattern when the config is invalid. */
  constructor(config: EngineConfig, emit: (event: CoreEvent) => void) {
    validateEngineConfig(config);
    this.map = new zoneMap.ZoneMap(config);
    this.readerCount = this.map.readerCount;
    this.inputs = new ReadInputs(this.map, this);
    this.maxTagBytes = config.maxTagBytes;
    this.smoothing = config.crossRead.smoothing;
    this.table = new tagTable.TagTable(config.capacity, config.maxTagBytes);
    this.tags = new tagState.TagState(config.capacity);
    this.overflowId = config.capacity;
    this.heap = new DeadlineHeap(config.capacity + 1);
    this.ring = new readRing.ReadRing(config.ringSize, config.maxTagBytes);
    this.counters = emptyStats();
    this.presence = new ZonePresence({
      map: this.map,
      table: this.table,
      tags: this.tags,
      heap: this.heap,
      hold: new ReaderHold(this.readerCount, config.capacity),
      counters: this.counters,
      current: this.current,
      crossRead: config.crossRead,
      doors: config.doors.map((door) => ({
        path: door.path.map((id) => this.map.zoneIndex(id)),
        windowMs: door.windowMs,
      })),
      emit,
    });
    this.admission = new Admission({
      filter: new TagFilter(config.include, config.exclude),
      ...{ table: this.table, tags: this.tags, presence: this.presence, heap: this.heap },
      ...{ counters: this.counters, current: this.current, emit },
      overflowId: this.overflowId,
      overflowReportMs: config.overflowReportMs,
    });
  }

  /** Counters since construction (a fresh object per call). */
  get stats(): Readonly<EngineStats> {
    const { accepted, filtered, belowFloor, tooLong, overflowDrops } = this.counters;
    // Every read ends in exactly one of these, so the total is not counted separately on the hot path.
    return { ...this.counters, reads: accepted + filtered + belowFloor + tooLong + overflowDrops };
  }

  /**
   * Where a reader's decoder hands its tag reads (the decoder's `tagRead`): counted per antenna,
   * shown to the zone's taps, then ingested at the latest time given to `advance` (see ReadInputs).
   */
  readInput(readerId: string): ReadInput {
    return this.inputs.input(this.readerIndex(readerId));
  }

  /** Reads per antenna of a reader since construction (index = antenna number, 0 = not said). */
  antennaCounts(readerId: string): Readonly<Float64Array> {
    return this.inputs.counts(this.readerIndex(readerId));
  }

  /** The antennas of a reader with at least one read, ascending (the figures list only those). */
  antennasRead(readerId: string): readonly number[] {
    return this.inputs.antennas(this.readerIndex(readerId));
  }

  /** Every raw read that lands in `zone`, before any debounce, filter or floor (see ReadInputs). */
  tapZone(zone: string, listener: ZoneTap): void {
    this.inputs.tap(zone, listener);
  }

  /** Index of a configured reader, for `ingest`. Throws for an unknown id. */
  readerIndex(id: string): number {
    const index = this.map.readerIndex(id);
    if (index < 0) throw new Error(`Unknown reader "${id}"`);
    return index;
  }

  /**
   * One tag read: `tag[offset, offset + length)` (copied if kept), `antenna` 1-based (0 = unknown), `rssi`
   * in dBm or NaN, `nowMs` from the caller's clock; omitted, the latest time given to `advance` or
   * `ingest` (call `advance(chunkTime)` once per received chunk, then `ingest` its reads without a time:
   * V8 may box a fractional number passed per call, an allocation per read). Throws a RangeError for a
   * reader index that `readerIndex` did not return.
   */
  ingest(
    reader: number,
    antenna: number,
    tag: Uint8Array,
    offset: number,
    length: number,
    rssi: number,
    nowMs?: number,
  ): void {
    // Small enough for V8 to inline into the caller, so time and RSSI are stored here unboxed.
    const current = this.current;
    if (nowMs !== undefined && nowMs > (current[AT_MS] as number)) current[AT_MS] = nowMs;
    current[RSSI] = rssi;
    this.ingestCurrent(reader, antenna, tag, offset, length);
  }

  /**
   * The hot path: a read of a present tag in its own zone calls nothing. V8 inlines callees in the order
   * of how often they ran while this function warmed up, skips those that ran seldom and stops when a
   * budget is spent; if the warm-up was mostly new tags (a gateway starting), a call here would stay a
   * call, and a call per read costs more than most of what it does. So the zone lookup (`ZoneMap.zoneOf`),
   * the tag lookup (`TagTable.find`) and the ring entry (`ReadRing.push`) are spelled out, from the
   * layouts their modules export; anything less common goes to those methods.
   */
  private ingestCurrent(
    reader: number,
    antenna: number,
    tag: Uint8Array,
    offset: number,
    length: number,
  ): void {
    if (!(reader >= 0 && reader < this.readerCount)) {
      throw new RangeError(`Unknown reader index ${reader}`);
    }
    const current = this.current;
    if ((this.heap.earliest[0] as number) <= (current[AT_MS] as number)) this.settle();
    const map = this.map;
    const antennaSlot = antenna >>> 0;
    const zone =
      antennaSlot === antenna && antennaSlot < ANTENNA_SLOTS
        ? (map.antennaZones[reader * ANTENNA_SLOTS + antennaSlot] as number)
        : map.zoneOf(reader, antenna);
    if (
      length > this.maxTagBytes ||
      length <= 0 ||
      (current[RSSI] as number) < (map.rssiFloor[zone] as number)
    ) {
      this.rejectRead(reader, antenna, tag, offset, length);
      return;
    }
    // `TagTable.find` for keys of whole words that fit in a slot (UHF EPCs). Other keys, and misses (so
    // that `TagTable.insert` can follow), go to the table.
    let record = -1;
    if ((length & 3) === 0 && length <= INLINE_WORDS * 4) {
      if (tag !== this.viewBytes) {
        this.viewBytes = tag;
        this.view = new DataView(tag.buffer, tag.byteOffset, tag.byteLength);
      }
      const view = this.view;
      let hash = length;
      for (let at = offset; at < offset + length; at += 4) {
        hash = Math.imul(hash ^ view.getInt32(at, true), HASH_MULTIPLIER);
        hash = (hash << HASH_ROTATION) | (hash >>> (32 - HASH_ROTATION));
      }
      hash = Math.imul(hash ^ (hash >>> 16), FINAL_MULTIPLIER_1);
      hash = Math.imul(hash ^ (hash >>> 13), FINAL_MULTIPLIER_2);
      hash ^= hash >>> 16;
      const { slots, slotMask } = this.table;
      for (let slot = hash & slotMask; ; slot = (slot + 1) & slotMask) {
        const at = slot * SLOT_INTS;
        const entry = slots[at] as number;
        if (entry === 0) break;
        if (entry >>> RECORD_BITS !== length || slots[at + SLOT_HASH] !== hash) continue;
        let same = 0;
        while (same < length && slots[at + SLOT_KEY + (same >> 2)] === view.getInt32(offset + same, true)) {
          same += 4;
        }
        if (same === length) {
          record = (entry & RECORD_MASK) - 1;
          break;
        }
      }
    }
    if (record < 0) record = this.table.find(tag, offset, length);
    const ints = this.tags.ints;
    const i = record * INT_FIELDS;
    if (record < 0 || ints[i + I_PHASE] !== PRESENT) {
      this.uncommonRead(record, zone, reader, antenna, tag, offset, length);
      return;
    }
    this.counters.accepted++;
    const ring = this.ring;
    const entry = (ring.written++ & ring.mask) * 2;
    ring.floats[entry] = current[AT_MS] as number;
    ring.floats[entry + 1] = current[RSSI] as number;
    ring.ints[entry] = (((ints[i + I_GENERATION] as number) & 0xff) << REF_RECORD_BITS) | record;
    ring.ints[entry + 1] =
      (OUTCOME_ACCEPTED << META_OUTCOME_SHIFT) |
      (reader << META_READER_SHIFT) |
      (antenna & META_ANTENNA_MASK);
    if (ints[i + I_ZONE] !== zone) {
      this.presence.presentReadElsewhere(record, zone, reader, antenna);
      return;
    }
    // Most reads are of a present tag in its own zone. The departure deadline moves with the last read
    // without touching the heap (see `ZonePresence.deadline`).
    const floats = this.tags.floats;
    const f = record * FLOAT_FIELDS;
    const rssi = current[RSSI] as number;
    floats[f + F_READS] = (floats[f + F_READS] as number) + 1;
    floats[f + F_LAST_SEEN] = current[AT_MS] as number;
    floats[f + F_RSSI] = rssi;
    ints[i + I_READER] = reader;
    ints[i + I_ANTENNA] = antenna;
    const level = floats[f + F_SMOOTHED] as number;
    if (Number.isNaN(level)) floats[f + F_SMOOTHED] = rssi;
    else if (!Number.isNaN(rssi)) floats[f + F_SMOOTHED] = level + this.smoothing * (rssi - level);
  }

  /** A read too long, empty or below its zone's RSSI floor: counted and kept in the ring only. */
  private rejectRead(reader: number, antenna: number, tag: Uint8Array, offset: number, length: number): void {
    const tooLong = length > this.maxTagBytes || length <= 0;
    if (tooLong) this.counters.tooLong++;
    else this.counters.belowFloor++;
    const outcome = tooLong ? OUTCOME_TOO_LONG : OUTCOME_BELOW_FLOOR;
    this.ring.pushBytes(this.current, reader, antenna, tag, offset, length, outcome);
  }

  /** An accepted-length read not of a present tag: new, filtered, a candidate's or a parked one's (HELD). */
  private uncommonRead(
    found: number,
    zone: number,
    reader: number,
    antenna: number,
    tag: Uint8Array,
    offset: number,
    length: number,
  ): void {
    const { counters, current, ring } = this;
    const record = found >= 0 ? found : this.admission.admit(tag, offset, length);
    if (record === REFUSED) {
      ring.pushBytes(current, reader, antenna, tag, offset, length, OUTCOME_OVERFLOW);
      return;
    }
    if (record === FILTERED_UNCACHED) {
      counters.filtered++;
      ring.pushBytes(current, reader, antenna, tag, offset, length, OUTCOME_FILTERED);
      return;
    }
    const generation = this.tags.generation(record);
    if (this.tags.phase(record) === IGNORED) {
      counters.filtered++;
      ring.push(current, reader, antenna, record, generation, OUTCOME_FILTERED);
      return;
    }
    counters.accepted++;
    ring.push(current, reader, antenna, record, generation, OUTCOME_ACCEPTED);
    if (this.tags.phase(record) === HELD) this.presence.heldRead(record, zone, reader, antenna);
    else this.presence.candidateRead(record, zone, reader, antenna);
  }

  /**
   * The reader stopped hearing (offline, antenna fault): from `nowMs` (after settling what was due by
   * then), tags whose last read came from it neither depart nor move to another zone; reads from other
   * readers keep working. Idempotent. Throws for an unknown reader id.
   */
  holdReader(readerId: string, nowMs: number): void {
    const reader = this.readerIndex(readerId);
    this.advance(nowMs);
    this.presence.holdReader(reader);
  }

  /**
   * Ends `holdReader` at `nowMs`: each tag last read by the reader departs at nowMs + departAfterMs
   * unless read again, and its `tag.departed` says `held: true` (when it left is unknown).
   * O(tags parked during the hold); nothing for a reader that is not held.
   */
  releaseReader(readerId: string, nowMs: number): void {
    const reader = this.readerIndex(readerId);
    this.advance(nowMs);
    this.presence.releaseReader(reader);
  }

  /**
   * Seeds tags known before a restart as present, with no `tag.arrived`: each counts as last read by its
   * reader at nowMs + graceMs (time for the readers to start), so one read again stays without an event
   * and one not read departs at nowMs + graceMs + departAfterMs, with `reads` 0 and `restored: true`.
   * Returns the entries it did not take (unknown zone or reader, filtered, already tracked, no room).
   */
  restore(entries: ReadonlyArray<RestoredTag>, nowMs: number, graceMs = 0): RestoreRefusal[] {
    this.advance(nowMs);
    const { map, table, tags, admission, presence, current, maxTagBytes } = this;
    return restoreTags({ map, table, tags, admission, presence, current, maxTagBytes }, entries, graceMs);
  }

  /** Fires every departure, re-report and expiry due at or before `nowMs`. O(1) when nothing is due. */
  advance(nowMs: number): void {
    const current = this.current;
    if (nowMs > (current[AT_MS] as number)) current[AT_MS] = nowMs;
    if ((this.heap.earliest[0] as number) <= (current[AT_MS] as number)) this.settle();
  }

  /**
   * A lower bound of the next deadline (+Infinity when none), O(1): reads push deadlines back
   * lazily, so `advance` at this time may find nothing due yet.
   */
  earliestDue(): number {
    return this.heap.earliest[0] as number;
  }

  /** Earliest time at which `advance` will do something, if anything is pending. */
  nextDeadline(): number | undefined {
    const heap = this.heap;
    for (;;) {
      const id = heap.minId;
      if (id < 0) return undefined;
      if (id === this.overflowId) {
        if (this.admission.pendingDrops > 0) return heap.keys[id];
        heap.remove(id);
        continue;
      }
      // Heap keys are lower bounds (reads push deadlines back lazily): tighten until the first is exact.
      const due = this.presence.dueAt(id);
      if (due === heap.keys[id]) return due;
      this.presence.schedule(id);
    }
  }

  /** Tags present now (in `zone`, if given), sorted by tag. Allocates; for snapshots. */
  present(zone?: string): PresentTag[] {
    const zoneFilter = zone === undefined ? -1 : this.map.zoneIndex(zone);
    if (zone !== undefined && zoneFilter < 0) return [];
    return this.presence.present(zoneFilter);
  }

  /** The last `limit` raw reads (default: the whole ring) with what became of each, oldest first. */
  recentReads(limit = Number.POSITIVE_INFINITY): readRing.RecentRead[] {
    const { table, tags, map } = this;
    return this.ring.recent(limit, {
      tagOf: (record, generation8) =>
        (tags.generation(record) & 0xff) === generation8 ? table.keyHex(record) : null,
      readerIds: map.readerIds,
      zoneOf: (reader, antenna) => map.zoneIds[map.zoneOf(reader, antenna)] ?? '',
    });
  }

  /** Processes every deadline due at or before the current time, in (time, record) order. */
  private settle(): void {
    const heap = this.heap;
    const now = this.current[AT_MS] as number;
    while ((heap.earliest[0] as number) <= now) {
      const id = heap.minId;
      if (id !== this.overflowId) this.presence.deadline(id);
      else this.admission.overflowDue();
    }
  }
}
