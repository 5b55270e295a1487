import { ArrivalWindow } from './arrival-window.js';
import { Challenger } from './challenger.js';
import type { CrossReadSettings } from './config.js';
import * as currentRead from './current-read.js';
import type { DeadlineHeap } from './deadline-heap.js';
import { DoorTracker } from './door-tracker.js';
import type { CoreEvent, EngineStats, PresentTag } from './events.js';
import type { ReaderHold } from './reader-hold.js';
import * as tagState from './tag-state.js';
import type { TagTable } from './tag-table.js';
import type { ZoneMap } from './zone-map.js';

// Local copies: V8 folds a module's own constants but checks an imported binding at every use.
const { AT_MS, DUE, RSSI } = currentRead;
const { CANDIDATE, F_LAST_SEEN, F_NEXT_REPORT, F_READS, F_RSSI, F_SINCE, F_SMOOTHED } = tagState;
const { FLOAT_FIELDS, HELD, I_ANTENNA, I_PHASE, I_READER, I_ZONE, INT_FIELDS, PRESENT } = tagState;

export interface ZonePresenceParts {
  map: ZoneMap;
  table: TagTable;
  tags: tagState.TagState;
  heap: DeadlineHeap;
  hold: ReaderHold;
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
  private readonly hold: ReaderHold;
  private readonly counters: EngineStats;
  private readonly current: Float64Array;
  private readonly arrival: ArrivalWindow;
  private readonly doors: DoorTracker;
  private readonly emit: (event: CoreEvent) => void;
  private readonly challenger: Challenger;

  constructor(parts: ZonePresenceParts) {
    ({ map: this.map, table: this.table, tags: this.tags, heap: this.heap, hold: this.hold } = parts);
    ({ counters: this.counters, current: this.current, emit: this.emit } = parts);
    this.ints = parts.tags.ints;
    this.floats = parts.tags.floats;
    this.challenger = new Challenger(parts.tags, parts.current, parts.crossRead, parts.hold.releasedAt);
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
      if (!this.challenger.challenge(record, zone)) return;
      this.challenger.takeOver(record);
      this.arrival.clear(record);
    } else {
      floats[f + F_LAST_SEEN] = this.current[AT_MS] as number;
      this.challenger.smoothInto(f + F_SMOOTHED);
    }
    ints[i + I_READER] = reader;
    ints[i + I_ANTENNA] = antenna;
    floats[f + F_RSSI] = rssi;
    if (this.arrival.record(record, zone)) this.arrive(record, zone);
    else if (previousZone !== zone) this.schedule(record);
  }

  /**
   * An accepted read of a present record from a zone other than its own (the engine handles reads in
   * its own zone inline): counted, and the tag moves if that zone wins. Not while the reader that last
   * read it is held: that zone's silence is the reader's, so "stale there" would be a false move.
   */
  presentReadElsewhere(record: number, zone: number, reader: number, antenna: number): void {
    const f = record * FLOAT_FIELDS;
    this.floats[f + F_READS] = (this.floats[f + F_READS] as number) + 1;
    if (this.hold.held[this.ints[record * INT_FIELDS + I_READER] as number] === 1) return;
    if (this.challenger.challenge(record, zone)) this.move(record, zone, reader, antenna);
  }

  /**
   * A read of a parked (HELD) record. In its own zone the tag is present again, read now, whichever
   * reader read it; from another zone the read only counts (its reader is still held).
   */
  heldRead(record: number, zone: number, reader: number, antenna: number): void {
    const ints = this.ints;
    const i = record * INT_FIELDS;
    if (ints[i + I_ZONE] !== zone) {
      this.presentReadElsewhere(record, zone, reader, antenna);
      return;
    }
    this.unpark(record);
    const floats = this.floats;
    const f = record * FLOAT_FIELDS;
    floats[f + F_READS] = (floats[f + F_READS] as number) + 1;
    floats[f + F_LAST_SEEN] = this.current[AT_MS] as number;
    floats[f + F_RSSI] = this.current[RSSI] as number;
    ints[i + I_READER] = reader;
    ints[i + I_ANTENNA] = antenna;
    this.challenger.smoothInto(f + F_SMOOTHED);
    this.schedule(record);
  }

  /** From now on, tags last read by `reader` are parked instead of departing (see `ReaderHold`). */
  holdReader(reader: number): void {
    this.hold.held[reader] = 1;
  }

  /**
   * Ends a hold: the reader's tags count as read now, and its parked tags go back to the heap
   * (O(parked tags)). Nothing happens for a reader that is not held.
   */
  releaseReader(reader: number): void {
    if (this.hold.held[reader] === 0) return;
    this.hold.held[reader] = 0;
    this.hold.releasedAt[reader] = this.current[AT_MS] as number;
    this.hold.drain(reader, (record) => {
      this.unpark(record);
      this.schedule(record);
    });
  }

  /**
   * Makes a fresh candidate record (no read yet) present without an arrival: a tag known before a
   * restart. It counts as last read by `reader` at `lastSeenMs` (now + a grace for the readers to
   * start), with `reads` 0 until it is read, so its departure without a read says `restored`. The heap
   * key is now + departAfterMs rather than its true deadline: a read may come at once and bring the
   * deadline before the grace ends, and the lazy scheme needs a key no later than the true deadline.
   */
  restore(record: number, zone: number, reader: number, sinceMs: number, lastSeenMs: number): void {
    const i = record * INT_FIELDS;
    const f = record * FLOAT_FIELDS;
    const now = this.current[AT_MS] as number;
    this.ints[i + I_PHASE] = PRESENT;
    this.ints[i + I_ZONE] = zone;
    this.ints[i + I_READER] = reader;
    this.ints[i + I_ANTENNA] = 0;
    this.floats[f + F_SINCE] = Math.min(sinceMs, now);
    this.floats[f + F_LAST_SEEN] = lastSeenMs;
    this.floats[f + F_READS] = 0;
    this.floats[f + F_RSSI] = Number.NaN;
    this.floats[f + F_SMOOTHED] = Number.NaN;
    this.floats[f + F_NEXT_REPORT] = now + (this.map.reReportMs[zone] as number);
    this.arrival.clear(record);
    this.doors.arrived(record, zone, now);
    this.heap.keys[record] = Math.min(
      this.floats[f + F_NEXT_REPORT] as number,
      now + (this.map.departAfterMs[zone] as number),
    );
    this.heap.update(record);
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
    const reader = ints[i + I_READER] as number;
    const departAt = this.heardAt(record) + (this.map.departAfterMs[zone] as number);
    const departs = departAt <= (floats[f + F_NEXT_REPORT] as number);
    if (departs && this.hold.held[reader] === 1) {
      // Its reader cannot hear it: parked until a read or the release, out of the heap meanwhile.
      ints[i + I_PHASE] = HELD;
      this.heap.remove(record);
      this.hold.park(record, reader);
      return;
    }
    const reads = floats[f + F_READS] as number;
    const base = {
      atMs: due,
      tag: this.hexOf(record),
      zone: this.map.zoneIds[zone] as string,
      reader: this.map.readerIds[reader] as string,
      antenna: ints[i + I_ANTENNA] as number,
      rssi: floats[f + F_RSSI] as number,
      reads,
      dwellMs: due - (floats[f + F_SINCE] as number),
    };
    if (departs) {
      // Not heard since before its reader's release: its departure clock restarted there, so when it
      // left (during the outage or after) is unknown. Said here, where the release time is known.
      const held = (floats[f + F_LAST_SEEN] as number) < (this.hold.releasedAt[reader] as number);
      this.release(record);
      // Only a restored tag has no read: it left while the gateway was down.
      this.emit({
        type: 'tag.departed',
        ...base,
        ...(reads === 0 ? { restored: true as const } : {}),
        ...(held ? { held: true as const } : {}),
      });
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
      const phase = ints[i + I_PHASE];
      if ((phase !== PRESENT && phase !== HELD) || (zoneFilter >= 0 && zone !== zoneFilter)) continue;
      const f = record * FLOAT_FIELDS;
      result.push({
        tag: this.hexOf(record),
        zone: this.map.zoneIds[zone] as string,
        sinceMs: floats[f + F_SINCE] as number,
        // A restored tag not read yet counts as read at the end of its grace: not a time to show.
        lastSeenMs: Math.min(floats[f + F_LAST_SEEN] as number, this.current[AT_MS] as number),
        reads: floats[f + F_READS] as number,
      });
    }
    return result.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  }

  /** Frees a record whatever its phase: no event. */
  release(record: number): void {
    const phase = this.tags.phase(record);
    if (phase === CANDIDATE || phase === PRESENT || phase === HELD) this.counters.tracked--;
    else this.counters.ignoredCached--;
    if (phase === HELD) this.hold.unpark(record);
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

  private move(record: number, zone: number, reader: number, antenna: number): void {
    const i = record * INT_FIELDS;
    const f = record * FLOAT_FIELDS;
    const now = this.current[AT_MS] as number;
    const from = this.ints[i + I_ZONE] as number;
    this.challenger.takeOver(record);
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
    const departAt = this.heardAt(record) + (this.map.departAfterMs[zone] as number);
    this.current[DUE] = Math.min(this.floats[f + F_NEXT_REPORT] as number, departAt);
  }

  /**
   * When a present tag was last heard for departure purposes: its last read, or the last release of
   * the reader that made it if that is later (an outage restarts the clock; see `ReaderHold`).
   */
  private heardAt(record: number): number {
    const lastSeen = this.floats[record * FLOAT_FIELDS + F_LAST_SEEN] as number;
    const released = this.hold.releasedAt[this.ints[record * INT_FIELDS + I_READER] as number] as number;
    return lastSeen > released ? lastSeen : released;
  }

  /** A parked record is present again; a re-report that fell due while it was parked starts over. */
  private unpark(record: number): void {
    const i = record * INT_FIELDS;
    const f = record * FLOAT_FIELDS;
    const now = this.current[AT_MS] as number;
    this.hold.unpark(record);
    this.ints[i + I_PHASE] = PRESENT;
    if ((this.floats[f + F_NEXT_REPORT] as number) < now) {
      this.floats[f + F_NEXT_REPORT] = now + (this.map.reReportMs[this.ints[i + I_ZONE] as number] as number);
    }
  }
}
