import { PRIORITY_RANK } from './size-policy.js';

export interface BufferedEvent {
  seq: number;
  id: string;
  type: string;
  priority: number;
  payload: string;
  bytes: number;
}

/** Where a transaction started, to forget exactly the events appended since. */
export interface BufferMark {
  length: number;
  lastSeq: number;
}

/**
 * Events accepted but not yet committed, in seq order. Dropping one leaves a hole (`undefined`)
 * rather than splicing, and each droppable priority has a cursor that only moves forward, so
 * dropping the oldest low event of a large buffer costs O(1) amortised: when the disk is full this
 * runs for every append.
 */
export class OutboxBuffer {
  private items: (BufferedEvent | undefined)[] = [];
  private liveCount = 0;
  private criticalCount = 0;
  /** Per droppable priority (index = rank): no droppable event of that rank before it. */
  private readonly cursors = [0, 0];
  /** Drops not yet written to the `dropped` table (the next successful commit writes them). */
  readonly unsaved = new Map<string, number>();
  /** Drops since the last successful commit, reported by that commit. */
  unreported = 0;
  /** Drops since the process started. */
  total = 0;

  /** `lastSeq`: the last seq handed out (committed, buffered or dropped from here). */
  constructor(public lastSeq: number) {}

  get size(): number {
    return this.liveCount;
  }

  hasCritical(): boolean {
    return this.criticalCount > 0;
  }

  /** Something to write: events, or seqs consumed by dropped events that the file must remember. */
  hasWork(lastCommittedSeq: number): boolean {
    return this.liveCount > 0 || this.lastSeq > lastCommittedSeq || this.unsaved.size > 0;
  }

  push(event: BufferedEvent): void {
    this.items.push(event);
    this.liveCount += 1;
    if (event.priority === PRIORITY_RANK.critical) this.criticalCount += 1;
    this.lastSeq = event.seq;
  }

  events(): BufferedEvent[] {
    return this.items.filter((event): event is BufferedEvent => event !== undefined);
  }

  mark(): BufferMark {
    return { length: this.items.length, lastSeq: this.lastSeq };
  }

  /** Forgets the events appended since `mark`; their seqs are handed out again. */
  rollback(mark: BufferMark): void {
    for (const event of this.items.splice(mark.length)) {
      if (event === undefined) continue;
      this.liveCount -= 1;
      if (event.priority === PRIORITY_RANK.critical) this.criticalCount -= 1;
    }
    this.lastSeq = mark.lastSeq;
    for (let rank = 0; rank < this.cursors.length; rank++) {
      this.cursors[rank] = Math.min(this.cursors[rank] ?? 0, this.items.length);
    }
  }

  /** Everything was written: start empty (drop counts were saved by the same commit). */
  committed(): void {
    this.items = [];
    this.liveCount = 0;
    this.criticalCount = 0;
    this.cursors.fill(0);
    this.unsaved.clear();
    this.unreported = 0;
  }

  /**
   * The full-outbox policy applied to memory: while more than `limit` events wait, drop the oldest
   * low ones, then the oldest normal ones; never critical ones. Returns how many were dropped.
   */
  bound(limit: number): number {
    let dropped = 0;
    for (const rank of [PRIORITY_RANK.low, PRIORITY_RANK.normal]) {
      while (this.liveCount > limit && this.dropOldest(rank)) dropped += 1;
    }
    return dropped;
  }

  /** Last resort on a full disk: keep only the critical events so that they fit. */
  dropAllButCritical(): number {
    return this.bound(0);
  }

  private dropOldest(rank: number): boolean {
    let index = this.cursors[rank] ?? 0;
    while (index < this.items.length && this.items[index]?.priority !== rank) index += 1;
    this.cursors[rank] = index;
    const event = this.items[index];
    if (event === undefined) return false;
    this.items[index] = undefined;
    this.cursors[rank] = index + 1;
    this.liveCount -= 1;
    this.unsaved.set(event.type, (this.unsaved.get(event.type) ?? 0) + 1);
    this.unreported += 1;
    this.total += 1;
    return true;
  }
}
