import { ArrivalWindow } from './arrival-window.js';
import type { CrossReadSettings } from './config.js';
import * as currentRead from './current-read.js';
import type { DeadlineHeap } from './deadline-heap.js';
import { DoorTracker } from './door-tracker.js';
import type { CoreEvent, EngineStats, PresentTag } from './events.js';
import * as tagState from './tag-state.js';
import type { TagTable } from './tag-table.js';
import type { ZoneMap } from './zone-map.js';

// Local copies: V8 folds a module's own constants but checks an imported binding at every use.
const { AT_MS, DUE, RSSI } = currentRead;
const { CANDIDATE, F_CHALLENGER_SEEN, F_CHALLENGER_SMOOTHED, F_LAST_SEEN, F_NEXT_REPORT } = tagState;
const { F_READS, F_RSSI, F_SINCE, F_SMOOTHED, FLOAT_FIELDS, I_ANTENNA, I_CHALLENGER, I_PHASE } = tagState;
const { I_READER, I_ZONE, INT_FIELDS, PRESENT } = tagState;

export interface ZonePresenceParts {
  map: ZoneMap;
  table: TagTable;
  tags: tagState.TagState;
  heap: DeadlineHeap;
  counters: EngineStats;
  /** The read being processed: see `current-read.ts`. */
  current: Float64Array;
  crossRead: CrossReadSettings;
  doors: ReadonlyArray<{ path: readonly number[]; windowMs: number }>;
  emit: (event: CoreEvent) => void;
}

/**
 * Per-tag zone state machine: debounce, cross-read resolution, moves with door direction, departures
 * and re-reports. `PresenceEngine` documents the semantics; this class applies them to one record.
 */
export class ZonePresence {
  private readonly map: ZoneMap;
  private readonly table: TagTable;
  private readonly tags: tagState.TagState;
  private readonly ints: Int32Array;
  private readonly floats: Float64Array;
  private readonly heap: DeadlineHeap;
  private readonly counters: EngineStats;
  private readonly current: Float64Array;
  private readonly arrival: ArrivalWindow;
  private readonly doors: DoorTracker;
  private readonly emit: (event: CoreEvent) => void;
  private readonly hysteresisDb: number;
  private readonly smoothing: number;
  private readonly staleAfterMs: number;

  constructor(parts: ZonePresenceParts) {
    ({ map: this.map, table: this.table, tags: this.tags, heap: this.heap } = parts);
    ({ counters: this.counters, current: this.current, emit: this.emit } = parts);
    this.ints = parts.tags.ints;
    this.floats = parts.tags.floats;
    this.hysteresisDb = parts.crossRead.hysteresisDb;
    this.smoothing = parts.crossRead.smoothing;
    this.staleAfterMs = parts.crossRead.staleAfterMs;
    this.arrival = new ArrivalWindow(parts.table.capacity, this.map, this.current);
    this.doors = new DoorTracker(parts.table.capacity, parts.doors);
  }

  /** An accepted read of a record that is a candidate (or new: zone -1). */
  candidateRead(record: number, zone: number, reader: number, antenna: number): void {
    const ints = this.ints;
    const floats = this.floats;
    const i = record * INT_FIELDS;
    const f = record * FLOAT_FIELDS;
    const rssi = this.current[RSSI] as number;
    const previousZone = ints[i + I_ZONE] as number;
    if (previousZone < 0) {
      ints[i + I_ZONE] = zone;
      floats[f + F_SMOOTHED] = rssi;
      floats[f + F_LAST_SEEN] = this.current[AT_MS] as number;
      this.arrival.clear(record);
    } else if (previousZone !== zone) {
      if (!this.challenge(record, zone)) return;
      this.takeOver(record);
      this.arrival.clear(record);
    } else {
      floats[f + F_LAST_SEEN] = this.current[AT_MS] as number;
      this.smoothInto(f + F_SMOOTHED);
    }
    ints[i + I_READER] = reader;
    ints[i + I_ANTENNA] = antenna;
    floats[f + F_RSSI] = rssi;
    if (this.arrival.record(record, zone)) this.arrive(record, zone);
    else if (previousZone !== zone) this.schedule(record);
  }

  /**
   * An accepted read of a present record from a zone other than its own (the engine handles reads in
   * its own zone inline): counted, and the tag moves if that zone wins.
   */
  presentReadElsewhere(record: number, zone: number, reader: number, antenna: number): void {
    const f = record * FLOAT_FIELDS;
    this.floats[f + F_READS] = (this.floats[f + F_READS] as number) + 1;
    if (this.challenge(record, zone)) this.move(record, zone, reader, antenna);
  }

  /** The record's next deadline (see `computeDue`). Rare: `nextDeadline` only. */
  dueAt(record: number): number {
    this.computeDue(record);
    return this.current[DUE] as number;
  }

  /** Puts the record's true deadline in the heap. */
  schedule(record: number): void {
    this.computeDue(record);
    this.heap.keys[record] = this.current[DUE] as number;
    this.heap.update(record);
  }

  /**
   * The record's heap deadline has come. Reads only push a deadline later without touching the heap,
   * so the key may be early: then it is moved to the true time; otherwise the record departs,
   * re-reports, or (a candidate) is forgotten.
   */
  deadline(record: number): void {
    this.computeDue(record);
    const due = this.current[DUE] as number;
    if (due > (this.heap.keys[record] as number)) {
      this.heap.keys[record] = due;
      this.heap.update(record);
      return;
    }
    const i = record * INT_FIELDS;
    const f = record * FLOAT_FIELDS;
    const ints = this.ints;
    const floats = this.floats;
    if (ints[i + I_PHASE] !== PRESENT) {
      this.release(record);
      return;
    }
    const zone = ints[i + I_ZONE] as number;
    const base = {
      atMs: due,
      tag: this.hexOf(record),
      zone: this.map.zoneIds[zone] as string,
      reader: this.map.readerIds[ints[i + I_READER] as number] as string,
      antenna: ints[i + I_ANTENNA] as number,
      rssi: floats[f + F_RSSI] as number,
      reads: floats[f + F_READS] as number,
      dwellMs: due - (floats[f + F_SINCE] as number),
    };
    const departAt = (floats[f + F_LAST_SEEN] as number) + (this.map.departAfterMs[zone] as number);
    if (departAt <= (floats[f + F_NEXT_REPORT] as number)) {
      this.release(record);
      this.emit({ type: 'tag.departed', ...base });
      return;
    }
    floats[f + F_NEXT_REPORT] = due + (this.map.reReportMs[zone] as number);
    this.schedule(record);
    this.emit({ type: 'tag.present', ...base });
  }

  /** Present tags (in zone `zoneFilter`; -1 = all), sorted by tag. Allocates. */
  present(zoneFilter: number): PresentTag[] {
    const ints = this.ints;
    const floats = this.floats;
    const result: PresentTag[] = [];
    for (let record = 0; record < this.table.capacity; record++) {
      const i = record * INT_FIELDS;
      const zone = ints[i + I_ZONE] as number;
      if (ints[i + I_PHASE] !== PRESENT || (zoneFilter >= 0 && zone !== zoneFilter)) continue;
      const f = record * FLOAT_FIELDS;
      result.push({
        tag: this.hexOf(record),
        zone: this.map.zoneIds[zone] as string,
        sinceMs: floats[f + F_SINCE] as number,
        lastSeenMs: floats[f + F_LAST_SEEN] as number,
        reads: floats[f + F_READS] as number,
      });
    }
    return result.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  }

  /** Frees a record whatever its phase: no event. */
  release(record: number): void {
    const phase = this.tags.phase(record);
    if (phase === CANDIDATE || phase === PRESENT) this.counters.tracked--;
    else this.counters.ignoredCached--;
    this.heap.remove(record);
    this.table.remove(record);
    this.tags.clear(record);
  }

  hexOf(record: number): string {
    let hex = this.tags.hex[record];
    if (hex === undefined) {
      hex = this.table.keyHex(record);
      this.tags.hex[record] = hex;
    }
    return hex;
  }

  /** Feeds a read from a zone other than the current one; true when that zone should take the tag. */
  private challenge(record: number, zone: number): boolean {
    const ints = this.ints;
    const floats = this.floats;
    const i = record * INT_FIELDS;
    const f = record * FLOAT_FIELDS;
    const now = this.current[AT_MS] as number;
    const rssi = this.current[RSSI] as number;
    const challenger = ints[i + I_CHALLENGER] as number;
    if (challenger === zone) {
      this.smoothInto(f + F_CHALLENGER_SMOOTHED);
      floats[f + F_CHALLENGER_SEEN] = now;
    } else if (
      challenger < 0 ||
      now - (floats[f + F_CHALLENGER_SEEN] as number) >= this.staleAfterMs ||
      !(rssi <= (floats[f + F_CHALLENGER_SMOOTHED] as number))
    ) {
      // A new challenger starts from the current zone's level, so one strong read cannot take the tag.
      ints[i + I_CHALLENGER] = zone;
      floats[f + F_CHALLENGER_SMOOTHED] = floats[f + F_SMOOTHED] as number;
      if (Number.isNaN(floats[f + F_CHALLENGER_SMOOTHED])) floats[f + F_CHALLENGER_SMOOTHED] = rssi;
      else this.smoothInto(f + F_CHALLENGER_SMOOTHED);
      floats[f + F_CHALLENGER_SEEN] = now;
    } else {
      return false;
    }
    return (
      now - (floats[f + F_LAST_SEEN] as number) >= this.staleAfterMs ||
      (floats[f + F_CHALLENGER_SMOOTHED] as number) > (floats[f + F_SMOOTHED] as number) + this.hysteresisDb
    );
  }

  /** The challenger becomes the current zone and the current zone the challenger (hysteresis both ways). */
  private takeOver(record: number): void {
    const ints = this.ints;
    const floats = this.floats;
    const i = record * INT_FIELDS;
    const f = record * FLOAT_FIELDS;
    const zone = ints[i + I_ZONE] as number;
    const smoothed = floats[f + F_SMOOTHED] as number;
    const seen = floats[f + F_LAST_SEEN] as number;
    ints[i + I_ZONE] = ints[i + I_CHALLENGER] as number;
    floats[f + F_SMOOTHED] = floats[f + F_CHALLENGER_SMOOTHED] as number;
    floats[f + F_LAST_SEEN] = this.current[AT_MS] as number;
    ints[i + I_CHALLENGER] = zone;
    floats[f + F_CHALLENGER_SMOOTHED] = smoothed;
    floats[f + F_CHALLENGER_SEEN] = seen;
  }

  private move(record: number, zone: number, reader: number, antenna: number): void {
    const i = record * INT_FIELDS;
    const f = record * FLOAT_FIELDS;
    const now = this.current[AT_MS] as number;
    const from = this.ints[i + I_ZONE] as number;
    this.takeOver(record);
    this.ints[i + I_READER] = reader;
    this.ints[i + I_ANTENNA] = antenna;
    this.floats[f + F_RSSI] = this.current[RSSI] as number;
    this.floats[f + F_NEXT_REPORT] = now + (this.map.reReportMs[zone] as number);
    const direction = this.doors.moved(record, zone, now);
    this.schedule(record);
    this.emit({
      type: 'tag.moved',
      atMs: now,
      tag: this.hexOf(record),
      from: this.map.zoneIds[from] as string,
      to: this.map.zoneIds[zone] as string,
      direction,
      reader: this.map.readerIds[reader] as string,
      antenna,
      rssi: this.floats[f + F_RSSI] as number,
      reads: this.floats[f + F_READS] as number,
    });
  }

  private arrive(record: number, zone: number): void {
    const i = record * INT_FIELDS;
    const f = record * FLOAT_FIELDS;
    const now = this.current[AT_MS] as number;
    const reads = this.map.arriveAfterReads[zone] as number;
    this.ints[i + I_PHASE] = PRESENT;
    this.floats[f + F_SINCE] = now;
    this.floats[f + F_READS] = reads;
    this.floats[f + F_NEXT_REPORT] = now + (this.map.reReportMs[zone] as number);
    this.doors.arrived(record, zone, now);
    this.schedule(record);
    this.emit({
      type: 'tag.arrived',
      atMs: now,
      tag: this.hexOf(record),
      zone: this.map.zoneIds[zone] as string,
      reader: this.map.readerIds[this.ints[i + I_READER] as number] as string,
      antenna: this.ints[i + I_ANTENNA] as number,
      rssi: this.floats[f + F_RSSI] as number,
      reads,
    });
  }

  /**
   * True time of the record's next deadline, into `current[DUE]`: departure or re-report when present,
   * expiry when a candidate.
   */
  private computeDue(record: number): void {
    const i = record * INT_FIELDS;
    const f = record * FLOAT_FIELDS;
    const zone = this.ints[i + I_ZONE] as number;
    const lastSeen = this.floats[f + F_LAST_SEEN] as number;
    if (this.ints[i + I_PHASE] !== PRESENT) {
      this.current[DUE] = lastSeen + (this.map.arriveWindowMs[zone] as number);
      return;
    }
    const departAt = lastSeen + (this.map.departAfterMs[zone] as number);
    this.current[DUE] = Math.min(this.floats[f + F_NEXT_REPORT] as number, departAt);
  }

  /** EWMA of `floats[at]` with the current read's RSSI; NaN samples are ignored, a NaN level is replaced. */
  private smoothInto(at: number): void {
    const sample = this.current[RSSI] as number;
    if (Number.isNaN(sample)) return;
    const floats = this.floats;
    const level = floats[at] as number;
    floats[at] = Number.isNaN(level) ? sample : level + this.smoothing * (sample - level);
  }
}
