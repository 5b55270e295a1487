/**
 * Readers whose silence says nothing: one that is offline (unplugged) or faulty (an antenna error)
 * stops reading, and without this every tag it last read would depart `departAfterMs` later — for a
 * fridge, a loose cable would read as "everything was taken", and everything would arrive again on
 * reconnect.
 *
 * While a reader is held, a present tag whose last read came from it does not depart when its
 * deadline comes: it is parked (phase HELD) in the reader's list and leaves the deadline heap, so an
 * outage of any length costs nothing after the park. On release the reader's parked tags go back to
 * the heap, and `releasedAt` makes every tag last read by the reader before the release count as read
 * at the release (parked or not yet due): each departure clock restarts from there, with no scan.
 *
 * Per-reader arrays and per-record links over typed arrays, allocated once.
 */
export class ReaderHold {
  /** 1 while the reader is held. */
  readonly held: Uint8Array;
  /** Each reader's last release, -Infinity before the first. */
  readonly releasedAt: Float64Array;
  /** First parked record per reader, -1 when none; records are linked both ways in park order. */
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  /** Reader a parked record is listed under (its last read's reader when parked). */
  private readonly owner: Int32Array;

  constructor(readers: number, records: number) {
    this.held = new Uint8Array(readers);
    this.releasedAt = new Float64Array(readers).fill(Number.NEGATIVE_INFINITY);
    this.head = new Int32Array(readers).fill(-1);
    this.tail = new Int32Array(readers).fill(-1);
    this.prev = new Int32Array(records).fill(-1);
    this.next = new Int32Array(records).fill(-1);
    this.owner = new Int32Array(records).fill(-1);
  }

  park(record: number, reader: number): void {
    const last = this.tail[reader] as number;
    this.owner[record] = reader;
    this.prev[record] = last;
    this.next[record] = -1;
    if (last >= 0) this.next[last] = record;
    else this.head[reader] = record;
    this.tail[reader] = record;
  }

  /** Takes a parked record out of its reader's list (read again, or freed). */
  unpark(record: number): void {
    const reader = this.owner[record] as number;
    if (reader < 0) return;
    const before = this.prev[record] as number;
    const after = this.next[record] as number;
    if (before >= 0) this.next[before] = after;
    else this.head[reader] = after;
    if (after >= 0) this.prev[after] = before;
    else this.tail[reader] = before;
    this.owner[record] = -1;
  }

  /** Empties the reader's list, oldest park first, handing each record to `visit`. */
  drain(reader: number, visit: (record: number) => void): void {
    let record = this.head[reader] as number;
    this.head[reader] = -1;
    this.tail[reader] = -1;
    while (record >= 0) {
      const after = this.next[record] as number;
      this.owner[record] = -1;
      visit(record);
      record = after;
    }
  }
}
