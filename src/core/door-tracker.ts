import type { Direction } from '../shared/events.js';

interface Door {
  /** Zone indexes from inside to outside. */
  path: Int32Array;
  windowMs: number;
}

/**
 * Door direction from the order in which a present tag passed through zones. Per record it keeps the
 * last few zones the tag was in and when it entered each (as many as the longest door path), so a
 * move is classified without allocating.
 */
export class DoorTracker {
  private readonly doors: readonly Door[];
  private readonly depth: number;
  private readonly zones: Int32Array;
  private readonly enteredAt: Float64Array;
  private readonly heads: Uint8Array;
  private readonly counts: Uint8Array;

  constructor(records: number, doors: ReadonlyArray<{ path: readonly number[]; windowMs: number }>) {
    this.doors = doors.map((door) => ({ path: Int32Array.from(door.path), windowMs: door.windowMs }));
    this.depth = Math.max(0, ...doors.map((door) => door.path.length));
    const perRecord = this.depth === 0 ? 0 : records;
    this.zones = new Int32Array(perRecord * this.depth);
    this.enteredAt = new Float64Array(perRecord * this.depth);
    this.heads = new Uint8Array(perRecord);
    this.counts = new Uint8Array(perRecord);
  }

  /** The tag arrived: its history starts over in `zone`. */
  arrived(record: number, zone: number, atMs: number): void {
    if (this.depth === 0) return;
    this.counts[record] = 0;
    this.heads[record] = 0;
    this.push(record, zone, atMs);
  }

  /**
   * The tag moved into `zone`. 'exit' when its last zones are a door's path in order and the moves
   * along it took at most the door's window, 'entry' for the reverse order, otherwise null.
   */
  moved(record: number, zone: number, atMs: number): Direction {
    if (this.depth === 0) return null;
    this.push(record, zone, atMs);
    for (const door of this.doors) {
      if (this.follows(record, door, false, atMs)) return 'exit';
      if (this.follows(record, door, true, atMs)) return 'entry';
    }
    return null;
  }

  private push(record: number, zone: number, atMs: number): void {
    const head = this.heads[record] as number;
    const at = record * this.depth + head;
    this.zones[at] = zone;
    this.enteredAt[at] = atMs;
    this.heads[record] = (head + 1) % this.depth;
    const count = this.counts[record] as number;
    if (count < this.depth) this.counts[record] = count + 1;
  }

  private follows(record: number, door: Door, reverse: boolean, atMs: number): boolean {
    const steps = door.path.length;
    if ((this.counts[record] as number) < steps) return false;
    const base = record * this.depth;
    const head = this.heads[record] as number;
    // Walk back from the newest zone; `back` = 1 is the zone just entered.
    for (let back = 1; back <= steps; back++) {
      const at = base + ((head - back + this.depth) % this.depth);
      const expected = door.path[reverse ? back - 1 : steps - back] as number;
      if (this.zones[at] !== expected) return false;
    }
    // The first move along the path is the entry into its second zone.
    const firstMove = this.enteredAt[base + ((head - (steps - 1) + this.depth) % this.depth)] as number;
    return atMs - firstMove <= door.windowMs;
  }
}
