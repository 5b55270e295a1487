import type { Direction } from '../shared/events.js';

/**
 * What the core reports. `tag` is uppercase hex; `reader`/`antenna`/`rssi` are those of the tag's last
 * read in the zone (`rssi` in dBm, NaN when the reader gives none); `reads` counts the tag's reads since
 * it arrived, starting at the zone's `arriveAfterReads`; `dwellMs` = `atMs` - arrival time.
 * `atMs` is when the event logically happened (a departure at last read + `departAfterMs`).
 */
export type CoreEvent =
  | {
      type: 'tag.arrived';
      atMs: number;
      tag: string;
      zone: string;
      reader: string;
      antenna: number;
      rssi: number;
      reads: number;
    }
  | {
      type: 'tag.departed';
      atMs: number;
      tag: string;
      zone: string;
      reader: string;
      antenna: number;
      rssi: number;
      reads: number;
      dwellMs: number;
      /** Restored (`PresenceEngine.restore`) and never read since: it left while the gateway was down. */
      restored?: true;
      /**
       * Last read before its reader's `releaseReader` and not since: it left at an unknown time during
       * or after the hold, and `atMs` is the release plus the hold-off, not last read plus hold-off.
       */
      held?: true;
    }
  | {
      type: 'tag.present';
      atMs: number;
      tag: string;
      zone: string;
      reader: string;
      antenna: number;
      rssi: number;
      reads: number;
      dwellMs: number;
    }
  | {
      type: 'tag.moved';
      atMs: number;
      tag: string;
      from: string;
      to: string;
      direction: Direction;
      reader: string;
      antenna: number;
      rssi: number;
      reads: number;
    }
  /** New tags were refused because the tag table was full; `dropped` = reads refused since the last one. */
  | { type: 'core.overflow'; atMs: number; dropped: number; capacity: number };

export type CoreEventType = CoreEvent['type'];

export interface EngineStats {
  /** Every `ingest` call. */
  reads: number;
  /** Reads that reached presence logic. */
  accepted: number;
  /** Reads of tags excluded by include/exclude. */
  filtered: number;
  /** Reads under their zone's `rssiFloor`. */
  belowFloor: number;
  /** Reads longer than `maxTagBytes`, or empty. */
  tooLong: number;
  /** Reads of new tags refused because the tag table was full. */
  overflowDrops: number;
  /** Candidate and present tags now in the table. */
  tracked: number;
  /** Filtered tags remembered (so their reads skip pattern matching); evicted first when the table is full. */
  ignoredCached: number;
}

export function emptyStats(): EngineStats {
  return {
    ...{ reads: 0, accepted: 0, filtered: 0, belowFloor: 0, tooLong: 0, overflowDrops: 0 },
    ...{ tracked: 0, ignoredCached: 0 },
  };
}

export interface PresentTag {
  tag: string;
  zone: string;
  sinceMs: number;
  lastSeenMs: number;
  /** Reads since it arrived (from `arriveAfterReads`), or since it was restored (from 0). */
  reads: number;
}
