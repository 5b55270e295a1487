import type { TaggedItem } from '../../shared/commerce.js';
import type { EventBody } from '../../shared/events.js';
import type { InventoryEntry } from './inventory-store.js';

export type InventoryChanged = Extract<EventBody, { type: 'inventory.changed' }>;
export type RemovedItem = TaggedItem & { reason?: string };

/** What a tag should be once the pending changes are written: in a zone, or gone (and why). */
interface Desired {
  entry: InventoryEntry | undefined;
  reason?: string;
}

/** One flush: the rows to write, the events to emit with them, and what to undo if the commit fails. */
export interface FlushPlan {
  puts: InventoryEntry[];
  deletes: Array<{ zone: string; tag: string }>;
  events: InventoryChanged[];
  /** The pending changes and each tag's committed entry before them. */
  pending: Map<string, Desired>;
  before: Map<string, InventoryEntry | undefined>;
  staleBefore: Map<string, string>;
}

/**
 * The inventory in memory: what has been committed (and announced), and what the core reported since,
 * waiting for the next flush. A pending change is kept per tag as the state it should end in, so a
 * flush writes the net difference: a tag that left and came back within one flush is no event, a
 * pallet of 200 arrivals is one event with 200 items, a move is a removal from one zone and an addition
 * to another. Staleness is per zone, from the readers that cover it.
 */
export class Ledger {
  private readonly committed = new Map<string, InventoryEntry>();
  private readonly zones = new Map<string, Map<string, InventoryEntry>>();
  private readonly pending = new Map<string, Desired>();
  /** zone → reader → why the reader cannot be trusted now. */
  private readonly staleReasons = new Map<string, Map<string, string>>();
  /** zone → the `stale` text of its last committed event (absent = fresh). */
  private readonly announcedStale = new Map<string, string>();

  /** Entries committed by an earlier run (start-up): no event. */
  seed(entries: readonly InventoryEntry[]): void {
    for (const entry of entries) this.set(entry.tag, entry);
  }

  /** The tag as the inventory will have it after the pending changes (undefined = absent). */
  latest(tag: string): InventoryEntry | undefined {
    const desired = this.pending.get(tag);
    return desired === undefined ? this.committed.get(tag) : desired.entry;
  }

  put(entry: InventoryEntry): void {
    this.pending.set(entry.tag, { entry });
  }

  remove(tag: string, reason: string | undefined): void {
    this.pending.set(tag, reason === undefined ? { entry: undefined } : { entry: undefined, reason });
  }

  /** Marks (`reason`) or clears (undefined) the zone as stale because of `reader`. */
  setStale(zone: string, reader: string, reason: string | undefined): void {
    let readers = this.staleReasons.get(zone);
    if (reason === undefined) {
      readers?.delete(reader);
      if (readers?.size === 0) this.staleReasons.delete(zone);
      return;
    }
    if (!readers) {
      readers = new Map();
      this.staleReasons.set(zone, readers);
    }
    readers.set(reader, reason);
  }

  get dirty(): boolean {
    return this.pending.size > 0 || this.staleChanges().length > 0;
  }

  /** The net difference between committed and pending, per zone; changes nothing. */
  prepare(): FlushPlan {
    const plan: FlushPlan = {
      ...{ puts: [], deletes: [], events: [], pending: new Map(this.pending) },
      ...{ before: new Map(), staleBefore: new Map(this.announcedStale) },
    };
    const deltas = new Map<string, { added: TaggedItem[]; removed: RemovedItem[] }>();
    const delta = (zone: string) => {
      let found = deltas.get(zone);
      if (!found) {
        found = { added: [], removed: [] };
        deltas.set(zone, found);
      }
      return found;
    };
    for (const [tag, desired] of this.pending) {
      const before = this.committed.get(tag);
      const after = desired.entry;
      plan.before.set(tag, before);
      if (before && before.zone !== after?.zone) {
        plan.deletes.push({ zone: before.zone, tag });
        const reason = after ? `moved to ${after.zone}` : desired.reason;
        delta(before.zone).removed.push(reason === undefined ? before.item : { ...before.item, reason });
      }
      if (after) {
        plan.puts.push(after);
        if (before?.zone !== after.zone) delta(after.zone).added.push(after.item);
      }
    }
    for (const zone of this.staleChanges()) delta(zone);
    for (const [zone, { added, removed }] of deltas) {
      const stale = this.staleText(zone);
      const count = (this.zones.get(zone)?.size ?? 0) + added.length - removed.length;
      plan.events.push({
        ...{ type: 'inventory.changed', zone, added, removed, count },
        ...(stale === undefined ? {} : { stale }),
      });
    }
    return plan;
  }

  /** Applies a plan (inside its transaction, so that listeners of its events see the new state). */
  commit(plan: FlushPlan): void {
    for (const [tag, desired] of plan.pending) {
      if (this.pending.get(tag) === desired) this.pending.delete(tag);
      this.set(tag, desired.entry);
    }
    for (const event of plan.events) {
      if (event.stale === undefined) this.announcedStale.delete(event.zone);
      else this.announcedStale.set(event.zone, event.stale);
    }
  }

  /** Undoes `commit` after a failed transaction: the changes are pending again, for the next flush. */
  revert(plan: FlushPlan): void {
    for (const [tag, before] of plan.before) this.set(tag, before);
    for (const [tag, desired] of plan.pending) if (!this.pending.has(tag)) this.pending.set(tag, desired);
    this.announcedStale.clear();
    for (const [zone, stale] of plan.staleBefore) this.announcedStale.set(zone, stale);
  }

  /** Committed entries of a zone. */
  entries(zone: string): InventoryEntry[] {
    return [...(this.zones.get(zone)?.values() ?? [])];
  }

  /** The zone's announced staleness. */
  stale(zone: string): string | undefined {
    return this.announcedStale.get(zone);
  }

  /** Zones with committed tags or announced staleness. */
  zoneIds(): string[] {
    return [...new Set([...this.zones.keys(), ...this.announcedStale.keys()])].sort();
  }

  private set(tag: string, entry: InventoryEntry | undefined): void {
    const old = this.committed.get(tag);
    if (old) {
      const zone = this.zones.get(old.zone);
      zone?.delete(tag);
      if (zone?.size === 0) this.zones.delete(old.zone);
    }
    if (entry === undefined) {
      this.committed.delete(tag);
      return;
    }
    this.committed.set(tag, entry);
    let zone = this.zones.get(entry.zone);
    if (!zone) {
      zone = new Map();
      this.zones.set(entry.zone, zone);
    }
    zone.set(tag, entry);
  }

  private staleText(zone: string): string | undefined {
    const readers = this.staleReasons.get(zone);
    if (!readers || readers.size === 0) return undefined;
    return [...readers.keys()]
      .sort()
      .map((reader) => readers.get(reader))
      .join('; ');
  }

  private staleChanges(): string[] {
    const zones = new Set([...this.staleReasons.keys(), ...this.announcedStale.keys()]);
    return [...zones].filter((zone) => this.staleText(zone) !== this.announcedStale.get(zone)).sort();
  }
}
