import { AT_MS } from './current-read.js';
import type { ZoneMap } from './zone-map.js';

/**
 * Debounce for `arriveAfterReads` > 1: per record, the times of its last few reads in the candidate
 * zone, so "N reads within the window" is a true sliding window (not "N reads after the first one").
 * Sized by the largest N of any zone; with N = 1 everywhere it holds nothing.
 */
export class ArrivalWindow {
  /** Earlier reads kept per record: the largest N minus the read being counted. */
  private readonly depth: number;
  private readonly times: Float64Array;
  private readonly heads: Uint8Array;
  private readonly counts: Uint8Array;
  private readonly map: ZoneMap;
  /** The read being processed (see `AT_MS`). */
  private readonly current: Float64Array;

  constructor(records: number, map: ZoneMap, current: Float64Array) {
    this.map = map;
    this.current = current;
    this.depth = map.maxArriveAfterReads - 1;
    this.times = new Float64Array(records * this.depth);
    this.heads = new Uint8Array(this.depth === 0 ? 0 : records);
    this.counts = new Uint8Array(this.depth === 0 ? 0 : records);
  }

  clear(record: number): void {
    if (this.depth === 0) return;
    this.counts[record] = 0;
    this.heads[record] = 0;
  }

  /**
   * Counts the current read, in `zone`; true when it and the `arriveAfterReads - 1` reads before it
   * span less than the zone's `arriveWindowMs`. Times must not decrease.
   */
  record(record: number, zone: number): boolean {
    const needed = this.map.arriveAfterReads[zone] as number;
    if (needed <= 1) return true;
    const atMs = this.current[AT_MS] as number;
    const depth = this.depth;
    const base = record * depth;
    const head = this.heads[record] as number;
    const count = this.counts[record] as number;
    if (count >= needed - 1) {
      // The (needed-1)-th most recent earlier read; the newer ones are within the window if it is.
      const oldest = this.times[base + ((head - (needed - 1) + depth) % depth)] as number;
      if (atMs - oldest < (this.map.arriveWindowMs[zone] as number)) return true;
    }
    this.times[base + head] = atMs;
    this.heads[record] = (head + 1) % depth;
    if (count < depth) this.counts[record] = count + 1;
    return false;
  }
}
