import type { Statements } from './statements.js';
import type { EventPriority } from './types.js';

export const PRIORITY_RANK: Record<EventPriority, number> = { low: 0, normal: 1, critical: 2 };

/** Droppable priorities, in the order they are sacrificed. Critical is absent on purpose. */
const DROP_ORDER = [PRIORITY_RANK.low, PRIORITY_RANK.normal] as const;
const DROP_CHUNK = 256;

export interface Bounds {
  maxRows: number;
  maxBytes: number;
}

export interface Occupancy {
  rows: number;
  bytes: number;
}

export interface DropResult extends Occupancy {
  dropped: number;
  byType: Map<string, number>;
  /** Still over a bound after dropping everything allowed: only critical events are left. */
  overBound: boolean;
}

/**
 * The full-outbox policy, run inside the commit's transaction: while over `maxRows` or `maxBytes`,
 * delete the oldest `low` events, then the oldest `normal` ones; `critical` ones (purchases, alarms)
 * are kept even if the outbox then stays over its bound. Drops are counted per type, persistently.
 */
export function enforceBounds(statements: Statements, start: Occupancy, bounds: Bounds): DropResult {
  let { rows, bytes } = start;
  const byType = new Map<string, number>();
  let dropped = 0;
  const over = () => rows > bounds.maxRows || bytes > bounds.maxBytes;
  for (const priority of DROP_ORDER) {
    let after = 0;
    while (over()) {
      const candidates = statements.oldestOfPriority.all(priority, after, DROP_CHUNK);
      if (candidates.length === 0) break;
      for (const candidate of candidates) {
        if (!over()) break;
        statements.remove.run(candidate.seq);
        rows -= 1;
        bytes -= candidate.bytes;
        dropped += 1;
        byType.set(candidate.type, (byType.get(candidate.type) ?? 0) + 1);
        after = candidate.seq;
      }
    }
  }
  for (const [type, count] of byType) statements.countDrop.run(type, count);
  return { rows, bytes, dropped, byType, overBound: over() };
}

/**
 * Room for a write on a full disk: drops the oldest low, then normal, events worth `needBytes` of
 * payload, so that the write reuses their pages instead of growing the file. Same order and
 * counting as the bound, of which it is a temporary tightening.
 */
export function dropForRoom(statements: Statements, start: Occupancy, needBytes: number): DropResult {
  return enforceBounds(statements, start, {
    maxRows: start.rows,
    maxBytes: Math.max(0, start.bytes - needBytes),
  });
}

/**
 * Pages a batch will take: payloads plus row and index overhead, with slack because pages are
 * never full, plus a few for the b-tree changes.
 */
export function pagesFor(events: readonly { bytes: number }[], pageSize: number): number {
  let bytes = 0;
  for (const event of events) bytes += event.bytes + 64;
  return Math.ceil((bytes * 1.25) / pageSize) + 4;
}
