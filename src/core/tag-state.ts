/** Lifecycle of a tag-table record (`I_PHASE`). */
export const FREE = 0;
/** Excluded by include/exclude: kept only so its next reads skip pattern matching. */
export const IGNORED = 1;
/** Being read but not yet arrived (fewer than `arriveAfterReads` reads in the window). */
export const CANDIDATE = 2;
export const PRESENT = 3;
/**
 * Present, but parked: its departure came due while the reader that last read it was held
 * (`ReaderHold`). Out of the deadline heap until a read or the reader's release takes it back to PRESENT;
 * a phase of its own so that the hot path, which already tests for PRESENT, sends its reads aside.
 */
export const HELD = 4;

/*
 * Per-record fields, record by record (array of structs): with thousands of tags read in random order,
 * every separate array a read touches is a cache miss, so the fields a read needs share a line or two.
 * Integer fields live in `ints` at `record * INT_FIELDS + I_*`, times and levels in `floats` at
 * `record * FLOAT_FIELDS + F_*`.
 */
export const INT_FIELDS = 8;
export const I_PHASE = 0;
/** Current zone (candidate zone before arrival); -1 before the first read. */
export const I_ZONE = 1;
/** Reader and antenna of the last read in the current zone. */
export const I_READER = 2;
export const I_ANTENNA = 3;
/** The best other zone reading the tag; -1 = none. */
export const I_CHALLENGER = 4;
/** Bumped each time the record is handed out, so the read ring can tell a reused record apart. */
export const I_GENERATION = 5;

export const FLOAT_FIELDS = 8;
/** Last read in the current zone. */
export const F_LAST_SEEN = 0;
/** EWMA of RSSI in the current zone; NaN while only NaN-RSSI readers have seen the tag there. */
export const F_SMOOTHED = 1;
export const F_READS = 2;
/** RSSI of the last read in the current zone. */
export const F_RSSI = 3;
export const F_SINCE = 4;
export const F_CHALLENGER_SMOOTHED = 5;
export const F_CHALLENGER_SEEN = 6;
/** Next `tag.present`; +Infinity when the zone does not re-report. */
export const F_NEXT_REPORT = 7;

/** Per-record presence state, indexed by `TagTable` record. */
export class TagState {
  readonly ints: Int32Array;
  readonly floats: Float64Array;
  /** Hex of the identifier, made at the first event and reused until the record is freed. */
  readonly hex: Array<string | undefined>;
  /** FIFO of IGNORED records, the first to go when the table is full. */
  private readonly ignoredPrev: Int32Array;
  private readonly ignoredNext: Int32Array;
  private ignoredHead = -1;
  private ignoredTail = -1;

  constructor(records: number) {
    this.ints = new Int32Array(records * INT_FIELDS);
    this.floats = new Float64Array(records * FLOAT_FIELDS);
    for (let record = 0; record < records; record++) this.reset(record);
    this.hex = new Array<string | undefined>(records).fill(undefined);
    this.ignoredPrev = new Int32Array(records).fill(-1);
    this.ignoredNext = new Int32Array(records).fill(-1);
  }

  phase(record: number): number {
    return this.ints[record * INT_FIELDS + I_PHASE] as number;
  }

  generation(record: number): number {
    return this.ints[record * INT_FIELDS + I_GENERATION] as number;
  }

  /** A record just handed out by the table becomes a candidate or an ignored tag. */
  claim(record: number, phase: typeof CANDIDATE | typeof IGNORED): void {
    const at = record * INT_FIELDS;
    this.ints[at + I_GENERATION] = ((this.ints[at + I_GENERATION] as number) + 1) | 0;
    this.ints[at + I_PHASE] = phase;
    if (phase !== IGNORED) return;
    this.ignoredPrev[record] = this.ignoredTail;
    this.ignoredNext[record] = -1;
    if (this.ignoredTail >= 0) this.ignoredNext[this.ignoredTail] = record;
    else this.ignoredHead = record;
    this.ignoredTail = record;
  }

  /** Oldest IGNORED record, -1 when there is none. */
  get oldestIgnored(): number {
    return this.ignoredHead;
  }

  /** Back to FREE, whatever the phase was. */
  clear(record: number): void {
    if (this.phase(record) === IGNORED) {
      const prev = this.ignoredPrev[record] as number;
      const next = this.ignoredNext[record] as number;
      if (prev >= 0) this.ignoredNext[prev] = next;
      else this.ignoredHead = next;
      if (next >= 0) this.ignoredPrev[next] = prev;
      else this.ignoredTail = prev;
    }
    this.reset(record);
    this.hex[record] = undefined;
  }

  private reset(record: number): void {
    const at = record * INT_FIELDS;
    this.ints[at + I_PHASE] = FREE;
    this.ints[at + I_ZONE] = -1;
    this.ints[at + I_CHALLENGER] = -1;
  }
}
