import type { GatewayEvent } from '../shared/events.js';

/**
 * How much an event matters when the outbox is full: `critical` events (purchases, alarms) are
 * never dropped; `low` ones (tag movements, snapshots) are dropped first, oldest first.
 */
export type EventPriority = 'critical' | 'normal' | 'low';

export function priorityOf(type: string): EventPriority {
  if (type.startsWith('purchase.') || type === 'security.alarm') return 'critical';
  if (type.startsWith('tag.') || type === 'inventory.snapshot') return 'low';
  return 'normal';
}

/** One stored event, as the publisher reads it back. */
export interface OutboxRecord {
  seq: number;
  id: string;
  type: string;
  /** The event envelope as JSON, exactly the bytes to publish. */
  payload: string;
  /** When it was committed (epoch ms, from the clock). */
  committedAt: number;
}

export interface OutboxStats {
  /** Events committed and not yet acknowledged by the broker. */
  depth: number;
  /** Bytes of their payloads. */
  bytes: number;
  /** Commit time of the oldest unacknowledged event, if any. */
  oldestCommittedAt: number | null;
  /** The last committed seq. */
  lastSeq: number;
  /** Highest seq acknowledged such that every lower seq is acknowledged, dropped or dead-lettered. */
  ackedThroughSeq: number;
  /** Events dropped by the full-outbox policy since the database was created, by type. */
  dropped: Record<string, number>;
  deadLettered: number;
  /** Events accepted but not yet committed (waiting for the next batch). */
  buffered: number;
  /**
   * The disk is full (or nearly): commits drop the oldest low-value events to make room and may
   * fail; events wait in memory, at most `maxBufferedEvents` of them. Absent: not tracked.
   */
  diskFull?: boolean;
  /** Of `dropped`, how many were dropped from memory (commits failing) since the process started. */
  droppedFromMemory?: number;
}

/**
 * The durable queue between the core and the broker (SQLite, WAL). Events are appended in memory,
 * committed in batches (one transaction per tick), published from the committed rows in `seq`
 * order and deleted or marked once acknowledged. `seq` numbers come from here and survive restarts.
 */
export interface Outbox {
  /**
   * The seq the next `append` must carry (last committed + buffered + 1); taken only by that
   * append, so seqs have no gaps, even across a crash.
   */
  nextSeq(): number;
  /** Buffers an event whose `seq` came from `nextSeq()`; written by the next `commit()`. */
  append(event: GatewayEvent): void;
  /** Writes every buffered event in one transaction and applies the size policy. */
  commit(): { committed: number; dropped: number };
  /** Committed, unacknowledged events with `seq > afterSeq`, in `seq` order. */
  pending(afterSeq: number, limit: number): OutboxRecord[];
  /** The broker acknowledged these. */
  markSent(seqs: readonly number[]): void;
  /** The broker refused this one for good (e.g. not authorised); kept aside with the reason. */
  deadLetter(seq: number, reason: string): void;
  /**
   * Calls `listener` after committed, unacknowledged rows were rewritten in place (personal data
   * redacted by a forget): a copy read with `pending` before then is stale and must be read again.
   * Returns the unsubscribe function.
   */
  onRewrite(listener: () => void): () => void;
  stats(): OutboxStats;
  close(): void;
}
