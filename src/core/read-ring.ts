import { AT_MS, RSSI } from './current-read.js';
import { toHex } from './hex.js';

/** What the engine did with a read; kept with the read so "why did my tag not arrive?" has an answer. */
export const READ_OUTCOMES = ['accepted', 'filtered', 'belowFloor', 'tooLong', 'overflow'] as const;
export type ReadOutcome = (typeof READ_OUTCOMES)[number];

export const OUTCOME_ACCEPTED = 0;
export const OUTCOME_FILTERED = 1;
export const OUTCOME_BELOW_FLOOR = 2;
export const OUTCOME_TOO_LONG = 3;
export const OUTCOME_OVERFLOW = 4;

export interface RecentRead {
  atMs: number;
  /**
   * Uppercase hex; for a `tooLong` read only its first `maxTagBytes` bytes; null when the tag has left
   * the table and its record has been reused since (the ring names tracked tags by record).
   */
  tag: string | null;
  /** The read's length in bytes (0 when `tag` is null). */
  length: number;
  reader: string;
  /** Its low 16 bits (antennas are 0..65535 in every protocol we know). */
  antenna: number;
  zone: string;
  rssi: number;
  outcome: ReadOutcome;
}

/** Names for the small integers the ring stores, resolved only when a snapshot is taken. */
export interface RingNames {
  /** Hex of a table record's key if the record's generation (low 8 bits) still matches, else null. */
  tagOf(record: number, generation8: number): string | null;
  readerIds: readonly string[];
  zoneOf(reader: number, antenna: number): string;
}

/*
 * Entry layout, exported for the engine's hot path, which appends accepted reads itself (a call per read
 * would cost more than the four stores). Entry `e = (written++ & mask) * 2`: `floats[e]` time,
 * `floats[e + 1]` RSSI, `ints[e]` the ref, `ints[e + 1]` the meta. The ref of a read of a tag-table record
 * is `(generation & 0xff) << REF_RECORD_BITS | record`; of a read whose bytes were copied, `-1 - length`.
 * The meta is `outcome << META_OUTCOME_SHIFT | reader << META_READER_SHIFT | (antenna & META_ANTENNA_MASK)`.
 */
export const REF_RECORD_BITS = 23;
export const META_OUTCOME_SHIFT = 28;
export const META_READER_SHIFT = 16;
export const META_ANTENNA_MASK = 0xffff;
const RECORD_MASK = (1 << REF_RECORD_BITS) - 1;

/**
 * The last `size` raw reads, whatever became of them; the oldest is overwritten. Four stores per read
 * (layout above): a read of a tag in the table is kept as its record and generation (copying the bytes
 * would cost more than the rest of the read's processing), reader, antenna and outcome share a word, and
 * the zone is derived again from reader and antenna when a snapshot is taken. Only reads that got no
 * record copy their bytes. Never allocates.
 */
export class ReadRing {
  readonly floats: Float64Array;
  readonly ints: Int32Array;
  readonly mask: number;
  /** Reads pushed since construction; the next one goes to `written & mask`. */
  written = 0;
  private readonly maxTagBytes: number;
  private readonly bytes: Uint8Array;

  constructor(size: number, maxTagBytes: number) {
    this.mask = size - 1;
    this.maxTagBytes = maxTagBytes;
    this.floats = new Float64Array(size * 2);
    this.ints = new Int32Array(size * 2);
    this.bytes = new Uint8Array(size * maxTagBytes);
  }

  /** A read of the tag table's `record`; time and RSSI from `current` (see `current-read.ts`). */
  push(
    current: Float64Array,
    reader: number,
    antenna: number,
    record: number,
    generation: number,
    outcome: number,
  ): void {
    this.store(current, reader, antenna, ((generation & 0xff) << REF_RECORD_BITS) | record, outcome);
  }

  /** A read that got no record: its bytes (up to `maxTagBytes`) are copied. */
  pushBytes(
    current: Float64Array,
    reader: number,
    antenna: number,
    tag: Uint8Array,
    offset: number,
    length: number,
    outcome: number,
  ): void {
    const base = (this.written & this.mask) * this.maxTagBytes;
    const kept = Math.min(length, this.maxTagBytes);
    for (let index = 0; index < kept; index++) this.bytes[base + index] = tag[offset + index] as number;
    this.store(current, reader, antenna, -1 - Math.max(0, length), outcome);
  }

  private store(current: Float64Array, reader: number, antenna: number, ref: number, outcome: number): void {
    const at = (this.written++ & this.mask) * 2;
    this.floats[at] = current[AT_MS] as number;
    this.floats[at + 1] = current[RSSI] as number;
    this.ints[at] = ref;
    this.ints[at + 1] =
      (outcome << META_OUTCOME_SHIFT) | (reader << META_READER_SHIFT) | (antenna & META_ANTENNA_MASK);
  }

  /** Up to `limit` most recent reads, oldest first. Allocates; for diagnostics, not the hot path. */
  recent(limit: number, names: RingNames): RecentRead[] {
    const available = Math.min(this.written, this.mask + 1, Math.max(0, Math.floor(limit)));
    const result: RecentRead[] = [];
    for (let sequence = this.written - available; sequence < this.written; sequence++) {
      const slot = sequence & this.mask;
      const ref = this.ints[slot * 2] as number;
      const meta = this.ints[slot * 2 + 1] as number;
      const reader = (meta >>> META_READER_SHIFT) & 0xfff;
      const antenna = meta & META_ANTENNA_MASK;
      let tag: string | null;
      let length: number;
      if (ref >= 0) {
        tag = names.tagOf(ref & RECORD_MASK, ref >>> REF_RECORD_BITS);
        length = tag === null ? 0 : tag.length / 2;
      } else {
        length = -1 - ref;
        tag = toHex(this.bytes, slot * this.maxTagBytes, Math.min(length, this.maxTagBytes));
      }
      result.push({
        atMs: this.floats[slot * 2] as number,
        tag,
        length,
        reader: names.readerIds[reader] ?? '',
        antenna,
        zone: names.zoneOf(reader, antenna),
        rssi: this.floats[slot * 2 + 1] as number,
        outcome: READ_OUTCOMES[meta >>> META_OUTCOME_SHIFT] as ReadOutcome,
      });
    }
    return result;
  }
}
