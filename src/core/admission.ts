import * as currentRead from './current-read.js';
import type { DeadlineHeap } from './deadline-heap.js';
import type { CoreEvent, EngineStats } from './events.js';
import type { TagFilter } from './tag-filter.js';
import * as tagState from './tag-state.js';
import type { TagTable } from './tag-table.js';
import type { ZonePresence } from './zone-presence.js';

const { AT_MS } = currentRead;
const { CANDIDATE, IGNORED } = tagState;

/** `admit`: the tag is filtered out and the table has no room to remember that. */
export const FILTERED_UNCACHED = -1;
/** `admit`: the table is full of tags that cannot be evicted; the read is refused and counted. */
export const REFUSED = -2;

export interface AdmissionParts {
  filter: TagFilter;
  table: TagTable;
  tags: tagState.TagState;
  presence: ZonePresence;
  heap: DeadlineHeap;
  counters: EngineStats;
  /** The read being processed: see `current-read.ts`. */
  current: Float64Array;
  /** Heap id of the overflow report deadline (after the records' ids). */
  overflowId: number;
  overflowReportMs: number;
  emit: (event: CoreEvent) => void;
}

/**
 * How a tag not yet in the table gets a record: the include/exclude filters (matched once, here),
 * eviction of the oldest IGNORED record when the table is full, and, when nothing can be evicted, the
 * refusal with its rate-limited `core.overflow` report. Only reads of tags not in the table (and
 * restored tags) come here, so it stays off the hot path.
 */
export class Admission {
  /** Reads refused since the last `core.overflow`. */
  pendingDrops = 0;

  constructor(private readonly parts: AdmissionParts) {}

  /**
   * A record for the tag `find` just missed, or FILTERED_UNCACHED / REFUSED. The caller's last table
   * call must be that `find` (the table inserts where it stopped).
   */
  admit(tag: Uint8Array, offset: number, length: number): number {
    const { filter, table, tags, counters } = this.parts;
    const wanted = filter.passesAll || filter.accepts(tag, offset, length);
    if (table.full && tags.oldestIgnored >= 0) {
      this.parts.presence.release(tags.oldestIgnored);
      table.find(tag, offset, length); // removal may shift the probe run: find the insertion slot again
    }
    const record = table.insert();
    if (record < 0) {
      if (!wanted) return FILTERED_UNCACHED;
      this.refuse();
      return REFUSED;
    }
    tags.claim(record, wanted ? CANDIDATE : IGNORED);
    if (wanted) counters.tracked++;
    else counters.ignoredCached++;
    return record;
  }

  /** The overflow deadline came: report what was refused since the last report, or retire it. */
  overflowDue(): void {
    const { heap, overflowId } = this.parts;
    if (this.pendingDrops > 0) this.report(heap.keys[overflowId] as number);
    else heap.remove(overflowId);
  }

  private refuse(): void {
    const { counters, heap, overflowId, current } = this.parts;
    counters.overflowDrops++;
    this.pendingDrops++;
    // No report pending = the last one is older than overflowReportMs (or there was none): report now.
    if (!heap.has(overflowId)) this.report(current[AT_MS] as number);
  }

  private report(at: number): void {
    const { heap, overflowId, table } = this.parts;
    const dropped = this.pendingDrops;
    this.pendingDrops = 0;
    heap.keys[overflowId] = at + this.parts.overflowReportMs;
    heap.update(overflowId);
    this.parts.emit({ type: 'core.overflow', atMs: at, dropped, capacity: table.capacity });
  }
}
