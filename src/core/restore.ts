import { type Admission, FILTERED_UNCACHED, REFUSED } from './admission.js';
import * as currentRead from './current-read.js';
import { fromHex } from './hex.js';
import * as tagState from './tag-state.js';
import type { TagTable } from './tag-table.js';
import type { ZoneMap } from './zone-map.js';
import type { ZonePresence } from './zone-presence.js';

const { AT_MS } = currentRead;
const { CANDIDATE } = tagState;

/** A tag the gateway knew to be present before it stopped. */
export interface RestoredTag {
  /** Uppercase (or lowercase) hex, as events carry it. */
  tag: string;
  zone: string;
  /** The reader of its last read: holds (`holdReader`) apply to it until it is read again. */
  reader: string;
  /** When it arrived, for `dwellMs`. */
  sinceMs: number;
}

export type RestoreRefusalReason =
  | 'invalid tag'
  | 'unknown zone'
  | 'unknown reader'
  | 'already tracked'
  | 'filtered'
  | 'table full';

/** An entry `restore` did not take, and why: the caller decides what became of the tag. */
export interface RestoreRefusal {
  tag: string;
  zone: string;
  reason: RestoreRefusalReason;
}

export interface RestoreParts {
  map: ZoneMap;
  table: TagTable;
  tags: tagState.TagState;
  admission: Admission;
  presence: ZonePresence;
  current: Float64Array;
  maxTagBytes: number;
}

/** `PresenceEngine.restore` entry by entry (the engine has advanced to now). Allocates; start-up only. */
export function restoreTags(
  parts: RestoreParts,
  entries: ReadonlyArray<RestoredTag>,
  graceMs: number,
): RestoreRefusal[] {
  const { map, table, tags, admission, presence } = parts;
  const lastSeenMs = (parts.current[AT_MS] as number) + Math.max(0, graceMs);
  const refused: RestoreRefusal[] = [];
  for (const entry of entries) {
    const refuse = (reason: RestoreRefusalReason) =>
      refused.push({ tag: entry.tag, zone: entry.zone, reason });
    let bytes: Uint8Array;
    try {
      bytes = fromHex(entry.tag);
    } catch {
      refuse('invalid tag');
      continue;
    }
    if (bytes.length === 0 || bytes.length > parts.maxTagBytes) {
      refuse('invalid tag');
      continue;
    }
    const zone = map.zoneIndex(entry.zone);
    const reader = map.readerIndex(entry.reader);
    if (zone < 0) refuse('unknown zone');
    else if (reader < 0) refuse('unknown reader');
    if (zone < 0 || reader < 0) continue;
    if (table.find(bytes, 0, bytes.length) >= 0) {
      refuse('already tracked');
      continue;
    }
    const record = admission.admit(bytes, 0, bytes.length);
    if (record === REFUSED) refuse('table full');
    else if (record === FILTERED_UNCACHED || tags.phase(record) !== CANDIDATE) refuse('filtered');
    else presence.restore(record, zone, reader, entry.sinceMs, lastSeenMs);
  }
  return refused;
}
