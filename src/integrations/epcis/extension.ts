import type { EpcisConfig } from '../../config/integrations.js';
import { cardReaderIds, deviceZones } from '../../config/zones.js';
import { decodeEpc } from '../../core/epc.js';
import { epcItem, type ItemLookup } from '../../domain/inventory/index.js';
import { guardedLookup } from '../../domain/inventory/items.js';
import type { Logger } from '../../observability/logger.js';
import type { TimerHandle } from '../../shared/clock.js';
import type { EpcisEventKind, EpcisObjectEventJson } from '../../shared/events.js';
import type { EventOf } from '../../shared/extension.js';
import type { FeatureContext, Services } from '../../shared/feature.js';
import {
  cycleCountEvent,
  doorEvent,
  doorReadPointFor,
  type EpcisObjects,
  type EventStamp,
  epcisDocument,
  eventIdFor,
  objectsOf,
  saleEvent,
  timeZoneOffset,
} from './mapping.js';

export interface EpcisStats {
  /** `epcis.event`s emitted, per kind. */
  events: Record<EpcisEventKind, number>;
  /** Tags left out because EPCIS cannot name them (no EPC URI, no GTIN), in or instead of an event. */
  unidentified: number;
  /** Cycle counts not made because a reader of the zone was offline or in error. */
  staleCountsSkipped: number;
}

/**
 * EPCIS 2.0 output (config `epcis`, devices.md §4): each completed purchase, each door passage and
 * every `cycleCountIntervalMs` each zone of `countZones` become an ObjectEvent, emitted on the bus as
 * an `epcis.event` (so with a `seq`, through the outbox, published on `<base>/epcis`).
 *
 * - A sale: OBSERVE, `retail_selling`, `retail_sold`, the items taken; at the cabinet's zone.
 * - A door: OBSERVE, `entering_exiting`, the tag of a `tag.moved` with a direction; read at the
 *   zone the passage ended in (outside for an exit, inside for an entry): its SGLN from `locations`,
 *   else the door's own read point in that zone (`doorReadPointFor`).
 * - A count: OBSERVE, `cycle_counting`, every tag the readers see in the zone (restored tags not read
 *   since the restart are not observed, so not listed), at multiples of the interval since the epoch
 *   (hourly counts come on the hour). A stale zone (a reader offline) is not counted. Counts are a
 *   background chore of the clock: a replay's run-on after the capture's end counts only while
 *   something else is still due (a departure, a settle), not on and on.
 *
 * `readPoint` and `bizLocation` are the zone's SGLN from `locations`, when configured. Times carry
 * the offset of the store's time zone (`engagement.timeZone`) when there is one, else `+00:00`.
 */
export interface EpcisDeps {
  context: FeatureContext;
  tags: Services['tags'];
  catalog?: Services['catalog'] | undefined;
  /** Whether a zone is stale (a reader offline) comes from the inventory. */
  inventory?: Services['inventory'] | undefined;
}

export class EpcisExtension {
  readonly stats: EpcisStats = {
    events: { sale: 0, exit: 0, entry: 0, cycle_count: 0 },
    unidentified: 0,
    staleCountsSkipped: 0,
  };
  private readonly logger: Logger;
  private readonly timeZone: string;
  private readonly context: FeatureContext;
  private readonly cardReaders: ReadonlySet<string>;
  private readonly cabinetZones = new Map<string, string>();
  /** Zones a reader other than a card reader covers: the ones that can be counted. */
  private readonly stockZones = new Set<string>();
  private lookup: ItemLookup = epcItem;
  private unsubscribe: Array<() => void> = [];
  private countTimer: TimerHandle | undefined;
  private running = false;

  constructor(
    private readonly deps: EpcisDeps,
    private readonly settings: EpcisConfig,
  ) {
    const { context } = deps;
    this.context = context;
    const { config } = context;
    this.logger = context.logger.child({ component: 'epcis' });
    this.timeZone = config.engagement?.timeZone ?? 'UTC';
    for (const cabinet of config.cabinets) this.cabinetZones.set(cabinet.id, cabinet.zone);
    this.cardReaders = cardReaderIds(config);
    for (const reader of config.readers) {
      if (!this.cardReaders.has(reader.id))
        for (const zone of deviceZones(reader).all) this.stockZones.add(zone);
    }
  }

  start(): void {
    const uncovered = this.settings.countZones.filter((zone) => !this.stockZones.has(zone));
    if (uncovered.length > 0) {
      throw new Error(
        `epcis.countZones: no reader covers ${uncovered.map((zone) => JSON.stringify(zone)).join(', ')} (a cabinet's card reader does not count)`,
      );
    }
    const catalog = this.deps.catalog;
    this.lookup = catalog ? guardedLookup((tag, epc) => catalog.itemFor(tag, epc), this.logger) : epcItem;
    const { bus } = this.context;
    this.running = true;
    this.unsubscribe = [
      bus.on('epcis', 'purchase.completed', (event) => this.onSale(event)),
      bus.on('epcis', 'tag.moved', (event) => this.onMoved(event)),
    ];
    this.armCount();
  }

  stop(): void {
    this.running = false;
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.unsubscribe = [];
    if (this.countTimer) this.context.clock.clearTimeout(this.countTimer);
    this.countTimer = undefined;
  }

  private onSale(event: EventOf<'purchase.completed'>): void {
    // Nothing taken, nothing sold.
    if (event.items.length === 0) return;
    const objects = objectsOf(event.items);
    const zone = this.cabinetZones.get(event.cabinet) ?? event.cabinet;
    if (this.nothingToName(objects)) {
      this.stats.unidentified += objects.unidentified;
      this.logger.warn(
        { session: event.session, cabinet: event.cabinet, items: event.items.length },
        'sale without an item EPCIS can name (no EPC URI, no GTIN): no EPCIS event',
      );
      return;
    }
    const atMs = Date.parse(event.ts);
    const location = this.location(zone);
    const epcis = saleEvent(objects, this.stamp(atMs, `sale ${event.id}`), {
      readPoint: location,
      bizLocation: location,
    });
    this.emit('sale', zone, epcis, atMs, objects.unidentified, event.id);
  }

  private onMoved(event: EventOf<'tag.moved'>): void {
    if (event.direction === null || this.cardReaders.has(event.reader)) return;
    const objects = objectsOf([this.lookup(event.tag, event.epc)]);
    if (this.nothingToName(objects)) {
      this.stats.unidentified += 1;
      this.logger.debug(
        { tag: event.tag, zone: event.zone, direction: event.direction },
        'door passage of a tag EPCIS cannot name (no EPC URI, no GTIN): no EPCIS event',
      );
      return;
    }
    const atMs = Date.parse(event.ts);
    const epcis = doorEvent(
      objects,
      this.stamp(atMs, `${event.direction} ${event.id}`),
      this.location(event.zone) ?? this.doorReadPoint(event),
    );
    this.emit(event.direction, event.zone, epcis, atMs, 0, event.id);
  }

  /** The next count at the next multiple of the interval; a no-op when one is set. */
  private armCount(): void {
    if (!this.running || this.countTimer !== undefined || this.settings.countZones.length === 0) return;
    const { clock } = this.context;
    const interval = this.settings.cycleCountIntervalMs;
    const now = clock.now();
    const at = (Math.floor(now / interval) + 1) * interval;
    this.countTimer = clock.setTimeout(() => this.onCountDue(), at - now, { background: true });
  }

  private onCountDue(): void {
    this.countTimer = undefined;
    if (!this.running) return;
    for (const zone of this.settings.countZones) {
      try {
        this.count(zone);
      } catch (error) {
        // A timer callback: a throw here would reach the event loop.
        this.logger.error({ err: error, zone }, 'cycle count failed');
      }
    }
    this.armCount();
  }

  private count(zone: string): void {
    const { clock } = this.context;
    const { tags } = this.deps;
    const stale = this.deps.inventory?.snapshot(zone).stale;
    if (stale !== undefined) {
      this.stats.staleCountsSkipped += 1;
      this.logger.warn({ zone, stale }, 'zone not counted: its tags are held, not seen');
      return;
    }
    const atMs = clock.now();
    const items = tags
      .present(zone)
      .filter((present) => present.reads > 0)
      .map(({ tag }) => this.lookup(tag, tags.epcOf(tag) ?? decodeEpc(tag)));
    const objects = objectsOf(items);
    const location = this.location(zone);
    const eventTime = new Date(atMs).toISOString();
    const epcis = cycleCountEvent(
      objects,
      this.stamp(atMs, `cycle_count ${this.context.config.gatewayId} ${zone} ${eventTime}`),
      { readPoint: location, bizLocation: location },
    );
    this.emit('cycle_count', zone, epcis, atMs, objects.unidentified);
  }

  /**
   * The door's read point in the zone a passage ended in. The door is the one whose path ends (an
   * exit) or starts (an entry) with the passage's last step, as the core matched it.
   */
  private doorReadPoint(event: EventOf<'tag.moved'>): string {
    const exit = event.direction === 'exit';
    const door = this.context.config.doors.find(({ path }) => {
      const steps = exit ? path.slice(-2) : path.slice(0, 2).reverse();
      return steps[0] === event.from && steps[1] === event.zone;
    });
    return doorReadPointFor(this.context.config.gatewayId, door?.id ?? '', event.zone);
  }

  private nothingToName(objects: EpcisObjects): boolean {
    return objects.epcList.length === 0 && objects.quantityList.length === 0;
  }

  private location(zone: string): string | undefined {
    return this.settings.locations[zone];
  }

  private stamp(atMs: number, name: string): EventStamp {
    return { atMs, timeZoneOffset: timeZoneOffset(atMs, this.timeZone), eventID: eventIdFor(name) };
  }

  private emit(
    kind: EpcisEventKind,
    zone: string,
    event: EpcisObjectEventJson,
    atMs: number,
    unidentified: number,
    source?: string,
  ): void {
    this.context.bus.emit(
      {
        type: 'epcis.event',
        kind,
        zone,
        ...(source === undefined ? {} : { source }),
        ...(unidentified > 0 ? { unidentified } : {}),
        document: epcisDocument([event], atMs),
      },
      atMs,
    );
    this.stats.events[kind] += 1;
    this.stats.unidentified += unidentified;
  }
}
