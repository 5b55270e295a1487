import { cardReaderIds, deviceZones } from '../../config/zones.js';
import { decodeEpc } from '../../core/epc.js';
import type { RestoreRefusalReason } from '../../core/index.js';
import type { Logger } from '../../observability/logger.js';
import type { TimerHandle } from '../../shared/clock.js';
import { eventItem } from '../../shared/commerce.js';
import type { EventOf } from '../../shared/extension.js';
import { defineFeature, type FeatureContext, type Services } from '../../shared/feature.js';
import { InventoryStore } from './inventory-store.js';
import { epcItem, guardedLookup, type ItemLookup } from './items.js';
import { Ledger } from './ledger.js';
import { type LowStockReport, lowStock } from './low-stock.js';
import { buildSnapshot, type InventorySnapshot, SNAPSHOT_MAX_TAGS } from './snapshot.js';

export const DEFAULT_RESTORE_GRACE_MS = 10_000;
/** `removed[].reason` of a tag stored at the last stop and not read again after the restart. */
export const LEFT_WHILE_DOWN = 'left while the gateway was down';
/** After a failed commit, the changes stay pending and are tried again this much later. */
const RETRY_MS = 1000;
/**
 * The offline reason a transport gives when the gateway itself stops it (shutdown, `readers/restart`):
 * the reader is not at fault, so its zones are not marked stale (the core holds its tags all the same).
 */
const STOPPED_BY_GATEWAY = 'stopped';

declare module '../../shared/feature.js' {
  interface Services {
    /** Per-zone inventory as committed and announced. */
    inventory: Pick<Inventory, 'snapshot' | 'zones'>;
  }
}

export interface InventoryDeps {
  context: FeatureContext;
  /** Where the stored tags go back at start-up. */
  presence: Services['presence'];
  /** Products of tags; without it, the EPC's URI and GTIN. */
  catalog?: Services['catalog'] | undefined;
}

/** Why a stored tag the core did not take back at start-up is removed. */
const NOT_RESTORED: Record<RestoreRefusalReason, string> = {
  'invalid tag': 'not a valid tag identifier',
  'unknown zone': 'zone no longer configured',
  'unknown reader': 'no configured reader covers the zone any more',
  'already tracked': 'already present elsewhere',
  filtered: 'excluded by the tag filters',
  'table full': 'no room in the tag table',
};

export interface InventoryOptions {
  /** What a tag is. Default: the catalog's `itemFor` when the catalog runs, else the EPC's URI and GTIN. */
  itemFor?: ItemLookup;
  /** After a restart, how long the readers get to read a stored tag before its hold-off starts. Default 10 s. */
  restoreGraceMs?: number;
  /** Tags listed in a snapshot (counts stay exact). Default 2000. */
  maxSnapshotTags?: number;
}

type TagEvent = EventOf<'tag.arrived' | 'tag.departed' | 'tag.moved' | 'tag.present'>;

/**
 * Per-zone inventory, persisted so that a restart floods nothing: the present tags and their products
 * in the store, changed only together with the `inventory.changed` event that announces the change
 * (one `bus.transaction`), coalesced per zone over one turn of the clock (a pallet is one event).
 *
 * At start the stored tags are put back into the core (`presence.restore`), so a tag still there makes
 * no event at all, one gone departs after `restoreGraceMs` + its zone's hold-off and is removed with
 * reason `left while the gateway was down`, a new one arrives and is added. A reader that goes
 * `offline` or into `error` is held by the reading side (its tags neither depart nor move) and its zones are
 * stale: an `inventory.changed` with `stale: "<why>"` and no deltas, `stale` on every later event and
 * snapshot of the zone until its readers are `online` again, then one event without it.
 */
export class Inventory {
  private readonly ledger = new Ledger();
  private readonly context: FeatureContext;
  private readonly logger: Logger;
  private readonly graceMs: number;
  private readonly maxTags: number;
  /** Reader id → the zones it covers (sensors are not here). */
  private readonly readerZones: ReadonlyMap<string, readonly string[]>;
  /** Zone → a reader covering it, for stored rows whose reader left the config. */
  private readonly zoneReader = new Map<string, string>();
  private readonly cardReaders = new Set<string>();
  private lookup: ItemLookup = epcItem;
  private rows: InventoryStore | undefined;
  private unsubscribe: Array<() => void> = [];
  private running = false;
  private failing = false;
  private flushTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;

  constructor(
    private readonly deps: InventoryDeps,
    private readonly options: InventoryOptions = {},
  ) {
    const { context } = deps;
    this.context = context;
    this.logger = context.logger.child({ component: 'inventory' });
    this.graceMs = checkedMs('restoreGraceMs', options.restoreGraceMs ?? DEFAULT_RESTORE_GRACE_MS);
    this.maxTags = checkedMs('maxSnapshotTags', options.maxSnapshotTags ?? SNAPSHOT_MAX_TAGS);
    // A cabinet's card reader reads customers' cards: people, not stock, so kept nowhere.
    for (const reader of cardReaderIds(context.config)) this.cardReaders.add(reader);
    this.readerZones = new Map(
      context.config.readers
        .filter((reader) => !this.cardReaders.has(reader.id))
        .map((reader) => [reader.id, deviceZones(reader).all]),
    );
    for (const [reader, zones] of this.readerZones) {
      for (const zone of zones) if (!this.zoneReader.has(zone)) this.zoneReader.set(zone, reader);
    }
  }

  start(): void {
    const { bus } = this.context;
    const catalog = this.deps.catalog;
    // Inventory events carry the item as DESIGN.md has it: without the catalog's weights.
    const lookup =
      this.options.itemFor ?? (catalog ? (tag, epc) => eventItem(catalog.itemFor(tag, epc)) : epcItem);
    this.lookup = guardedLookup(lookup, this.logger);
    this.rows = new InventoryStore(this.context.store);
    const { entries, duplicates } = this.rows.load((tag, stored) => ({
      ...stored,
      ...this.lookup(tag, decodeEpc(tag)),
    }));
    if (duplicates > 0) this.logger.warn({ duplicates }, 'stored tags listed in two zones; kept the newest');
    for (const entry of entries) {
      if (!this.readerZones.has(entry.reader)) entry.reader = this.zoneReader.get(entry.zone) ?? entry.reader;
    }
    const refused = this.deps.presence.restore(entries, this.graceMs);
    this.ledger.seed(entries);
    for (const { tag, reason } of refused) this.ledger.remove(tag, `not restored: ${NOT_RESTORED[reason]}`);
    this.logger.info(
      { restored: entries.length - refused.length, refused: refused.length },
      'inventory restored',
    );
    this.running = true;
    this.unsubscribe = [
      bus.on('inventory', ['tag.arrived', 'tag.departed', 'tag.moved', 'tag.present'], (event) =>
        this.onTag(event),
      ),
      bus.on('inventory', 'reader.status', (event) => this.onReaderStatus(event)),
    ];
    // Without the catalog nothing says what low is: no such request.
    if (catalog) {
      this.unsubscribe.push(
        this.context.requests.register('inventory/low', {}, () => this.lowStock(catalog), {
          owner: 'inventory',
        }),
      );
    }
    this.schedule();
  }

  /** Writes what is pending (the readers, stopped before, report nothing more). */
  stop(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.unsubscribe = [];
    this.running = false;
    const { clock } = this.context;
    for (const timer of [this.flushTimer, this.retryTimer]) if (timer) clock.clearTimeout(timer);
    this.flushTimer = this.retryTimer = undefined;
    if (this.rows) this.flush();
  }

  /** The zone now, as committed and announced: for the retained `inventory/<zone>` and `inventory/get`. */
  snapshot(zone: string): InventorySnapshot {
    return buildSnapshot(zone, this.ledger.entries(zone), {
      nowMs: this.context.clock.now(),
      stale: this.ledger.stale(zone),
      maxTags: this.maxTags,
    });
  }

  /** The catalog's products under their low-stock threshold, with where their units are. */
  lowStock(catalog: NonNullable<InventoryDeps['catalog']>): LowStockReport {
    return lowStock(
      catalog.list(),
      this.zones().map((zone) => ({
        zone,
        entries: this.ledger.entries(zone),
        stale: this.ledger.stale(zone),
      })),
      (tag) => catalog.productForTag(tag)?.sku,
    );
  }

  /** Every zone a reader covers, and any other zone with tags or staleness. */
  zones(): string[] {
    return [...new Set([...this.zoneReader.keys(), ...this.ledger.zoneIds()])].sort();
  }

  private onTag(event: TagEvent): void {
    if (this.cardReaders.has(event.reader)) return;
    const atMs = Date.parse(event.ts);
    const before = this.ledger.latest(event.tag);
    switch (event.type) {
      case 'tag.arrived':
      case 'tag.moved':
        this.ledger.put({
          ...{ tag: event.tag, zone: event.zone, reader: event.reader },
          item: this.lookup(event.tag, event.epc),
          ...{ sinceMs: atMs, lastSeenMs: atMs, restored: false },
        });
        break;
      case 'tag.departed':
        // `reads` 0: restored and never read since, so it left while the gateway was down.
        this.ledger.remove(event.tag, before?.restored && event.reads === 0 ? LEFT_WHILE_DOWN : undefined);
        break;
      case 'tag.present':
        // A restored tag not read yet is reported present too; that is no sighting.
        if (event.reads === 0 || before?.zone !== event.zone) return;
        this.ledger.put({ ...before, reader: event.reader, lastSeenMs: atMs, restored: false });
        break;
    }
    this.schedule();
  }

  /** The reading side has held or released the reader already; here its zones' staleness follows it. */
  private onReaderStatus(event: EventOf<'reader.status'>): void {
    const zones = this.readerZones.get(event.reader);
    if (!zones) return;
    if (event.state === 'online') {
      for (const zone of zones) this.ledger.setStale(zone, event.reader, undefined);
    } else {
      if (event.reason === STOPPED_BY_GATEWAY) return;
      const why = `reader ${event.reader} ${event.state}${event.reason ? `: ${event.reason}` : ''}`;
      for (const zone of zones) this.ledger.setStale(zone, event.reader, why);
    }
    this.schedule();
  }

  /** A flush at the end of this turn of the clock: everything reported until then is one event per zone. */
  private schedule(): void {
    if (!this.running || this.flushTimer || this.retryTimer || !this.ledger.dirty) return;
    this.flushTimer = this.context.clock.setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, 0);
  }

  private flush(): void {
    const rows = this.rows;
    if (!rows || !this.ledger.dirty) return;
    const { bus, clock } = this.context;
    const plan = this.ledger.prepare();
    try {
      bus.transaction(() => {
        for (const { zone, tag } of plan.deletes) rows.delete(zone, tag);
        for (const entry of plan.puts) rows.put(entry);
        for (const event of plan.events) bus.emit(event);
        // In the transaction: its events reach listeners right after the commit, and must find the new state.
        this.ledger.commit(plan);
      });
    } catch (error) {
      this.ledger.revert(plan);
      if (!this.failing) this.logger.error({ err: error }, 'inventory not written; it is retried');
      this.failing = true;
      if (this.running) {
        this.retryTimer = clock.setTimeout(() => {
          this.retryTimer = undefined;
          this.flush();
        }, RETRY_MS);
      }
      return;
    }
    if (this.failing) this.logger.info('inventory written again');
    this.failing = false;
    this.schedule();
  }
}

function checkedMs(name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0))
    throw new Error(`inventory ${name}: must be >= 0, got ${value}`);
  return value;
}

/** The inventory feature with a product lookup of its own, or another restore grace (tests, benches). */
export function createInventoryFeature(options: InventoryOptions = {}) {
  return defineFeature({
    name: 'inventory',
    needs: ['presence'],
    uses: ['catalog'],
    provides: ['inventory'],
    build: (input) => {
      const inventory = new Inventory(
        { context: input, presence: input.needs.presence, catalog: input.uses.catalog },
        options,
      );
      return { start: () => inventory.start(), stop: () => inventory.stop(), provides: { inventory } };
    },
  });
}

/** The inventory feature with the defaults: the catalog's products when it runs, a 10 s restore grace. */
export const inventoryFeature = createInventoryFeature();
