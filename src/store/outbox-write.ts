import type Database from 'better-sqlite3';
import type { DiskGuard } from './disk-guard.js';
import { isDiskFull, OutboxError } from './errors.js';
import type { OutboxBuffer } from './outbox-buffer.js';
import {
  type Bounds,
  type DropResult,
  dropForRoom,
  enforceBounds,
  type Occupancy,
  PRIORITY_RANK,
  pagesFor,
} from './size-policy.js';
import type { Statements } from './statements.js';

/** Rows written by one commit, applied to the in-memory counters once the transaction committed. */
export interface WriteResult extends DropResult {
  inserted: number;
  lastSeq: number;
  critical: boolean;
  /** Old events were dropped to make room on a full disk. */
  madeRoom: boolean;
}

export interface BatchState {
  path: string;
  buffer: OutboxBuffer;
  lastCommittedSeq: number;
  occupancy: Occupancy;
  bounds: Bounds;
  now: number;
  pageSize: number;
  /** 0 = just write; n > 0 = first make sure n times the batch's pages are free. */
  room: number;
}

/**
 * Writes the buffer; runs inside the caller's transaction. Room is made before writing, never as a
 * retry after an SQLITE_FULL in the same transaction: SQLite rolls the whole transaction back when
 * a plain INSERT fails with SQLITE_FULL, so there would be nothing left to retry in.
 */
export function writeBatch(db: Database.Database, statements: Statements, state: BatchState): WriteResult {
  const { buffer, lastCommittedSeq, room, pageSize } = state;
  const events = buffer.events();
  const lastSeq = buffer.lastSeq;
  // Compare-and-set: another writer on the file would make seqs collide.
  if (lastSeq !== lastCommittedSeq && statements.advanceSeq.run(lastSeq, lastCommittedSeq).changes !== 1) {
    throw new OutboxError(
      `outbox ${state.path} was written by another process since it was opened; run one gateway per data directory`,
      state.path,
    );
  }
  let occupancy = { ...state.occupancy };
  const byType = new Map<string, number>();
  let dropped = 0;
  const count = (result: DropResult) => {
    dropped += result.dropped;
    for (const [type, n] of result.byType) byType.set(type, (byType.get(type) ?? 0) + n);
    occupancy = { rows: result.rows, bytes: result.bytes };
  };
  if (room > 0 && events.length > 0) {
    // Pages on the free list are reused first: drop only for the rest, so a steady stream on a
    // full disk drops about as much as it writes instead of emptying the outbox.
    const free = db.pragma('freelist_count', { simple: true }) as number;
    const missing = room * pagesFor(events, pageSize) - free;
    if (missing > 0) count(dropForRoom(statements, occupancy, missing * pageSize));
  }
  for (const { seq, id, type, priority, payload, bytes } of events) {
    statements.insert.run(seq, id, type, priority, payload, bytes, state.now);
    occupancy.rows += 1;
    occupancy.bytes += bytes;
  }
  const bounded = enforceBounds(statements, occupancy, state.bounds);
  count(bounded);
  for (const [type, n] of buffer.unsaved) statements.countDrop.run(type, n);
  return {
    ...occupancy,
    dropped,
    byType,
    overBound: bounded.overBound,
    inserted: events.length,
    lastSeq,
    critical: events.some((event) => event.priority === PRIORITY_RANK.critical),
    madeRoom: room > 0,
  };
}

/**
 * Commits the buffer (`attempt(room)` = one transaction), on a full disk climbing a ladder of
 * remedies, each dearer than the last, retrying after each. Room is asked for sparingly: deleting
 * rows is itself written to the WAL, which is what a full filesystem lacks.
 */
export function commitOnFullDisk(
  guard: DiskGuard,
  buffer: OutboxBuffer,
  attempt: (room: number) => WriteResult,
): WriteResult {
  let lastError: unknown;
  const tryWith = (room: number): WriteResult | undefined => {
    try {
      const result = attempt(room);
      guard.noteSuccess(room === 0);
      return result;
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      guard.noteFull(error);
      lastError = error;
      return undefined;
    }
  };
  if (!guard.underPressure() || guard.worthProbing()) {
    const plain = tryWith(0);
    if (plain !== undefined) return plain;
  }
  const steps: [() => boolean, number][] = [
    [() => true, 1],
    [() => guard.checkpoint(), 1],
    [() => buffer.hasCritical() && guard.releaseReserve() && (guard.checkpoint() || true), 1],
    [() => buffer.hasCritical() && buffer.dropAllButCritical() > 0, 1],
    // The estimate of the pages a batch takes may fall short when a page limit is the constraint.
    [() => true, 3],
  ];
  for (const [step, room] of steps) {
    if (!step()) continue;
    const result = tryWith(room);
    if (result !== undefined) return result;
  }
  throw lastError;
}
