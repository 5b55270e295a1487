import type { ExtensionContext, ExtensionFactory } from '../../app/context.js';
import type { EngagementConfig } from '../../config/engagement.js';
import type { Logger } from '../../observability/logger.js';
import type { EpcInfo, ProductRef } from '../../shared/events.js';
import type { EventOf, Extension } from '../../shared/extension.js';
import { catalogOf } from '../catalog/extension.js';
import { EngagementStore, type PendingPickUp } from './engagement-store.js';
import { Funnel } from './funnel.js';
import {
  answerEngagement,
  type EngagementAnswer,
  type EngagementRequest,
  engagementRequestFields,
} from './request.js';
import { Coalescer, ENGAGEMENT_PUBLISH_MS, type TodayPayload, todayPayload } from './retained.js';
import { addDays, StoreDays } from './store-day.js';
import { QuarterHours, SweepTimer } from './timers.js';
import type { EngagementOptions, EngagementStats } from './types.js';
import { WatchedZones } from './watched-zones.js';

export const DEFAULT_MAX_PENDING = 10_000;
/** Ended pick-ups are swept at most this often. */
const SWEEP_MIN_INTERVAL_MS = 1000;
/** Failed writes are logged on the first and then every this many, not once per shopper. */
const LOG_EVERY_FAILURES = 1000;

type TagEvent = EventOf<'tag.arrived' | 'tag.departed' | 'tag.moved'>;

/**
 * The physical store's conversion funnel. A tag of a catalog product that leaves a watched zone
 * (departs, or moves to another zone) is picked up; back in the same zone within `putBackWithinMs`
 * of its last sighting there, it is put back; sold (`purchase.completed`, `tags.paid`) while its
 * window is open, it is bought. Figures per product and store day, counted on the day of the pick-up
 * so that bought ≤ picked up on every day; a sale of a tag never seen leaving a watched zone is not
 * counted, so the conversion compares the same items.
 *
 * The counts, the open pick-ups and the events change in one `bus.transaction`; memory follows only
 * after the commit. Open pick-ups are persisted, so a restart within the window still closes them.
 */
export class Engagement implements Extension {
  readonly name = 'engagement';
  private readonly logger: Logger;
  private readonly days: StoreDays;
  private readonly watched: WatchedZones;
  private readonly funnel: Funnel;
  private readonly sweeper: SweepTimer;
  private readonly quarterHours: QuarterHours;
  private readonly retained: Coalescer | undefined;
  private readonly counters: Omit<EngagementStats, 'pending'> = {
    ...{ pickedUp: 0, putBack: 0, bought: 0, unknownProduct: 0, leftWhileDown: 0 },
    ...{ leftWhileOffline: 0, ended: 0, evicted: 0, writeFailures: 0 },
  };
  /** Reader → when it last came back online: its held tags that went meanwhile depart from then. */
  private readonly releasedAt = new Map<string, number>();
  private readonly online = new Set<string>();
  private rows: EngagementStore | undefined;
  private productOf: (tag: string, epc: EpcInfo | undefined) => ProductRef | undefined = () => undefined;
  private unsubscribe: Array<() => void> = [];
  private unregister: () => void;
  private today = '';

  constructor(
    private readonly context: ExtensionContext,
    private readonly config: EngagementConfig,
    options: EngagementOptions = {},
  ) {
    if (engagements.has(context)) throw new Error('the engagement is built twice for one controller');
    this.logger = context.logger.child({ component: 'engagement' });
    this.days = new StoreDays(config.timeZone);
    this.watched = new WatchedZones(context.config, config.zones);
    const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    if (!(Number.isInteger(maxPending) && maxPending >= 1))
      throw new Error(`engagement maxPending: must be a whole number >= 1, got ${maxPending}`);
    this.funnel = new Funnel({
      windowMs: config.putBackWithinMs,
      maxPending,
      saleMemoryMs: config.putBackWithinMs + this.watched.longestDepartAfterMs,
    });
    const { clock } = context;
    this.sweeper = new SweepTimer(clock, SWEEP_MIN_INTERVAL_MS, () => {
      this.guard('sweep of ended pick-ups failed', () => this.sweep(clock.now()));
      return this.funnel.nextEnd();
    });
    this.quarterHours = new QuarterHours(clock, () =>
      this.guard('store day check failed', () => this.checkDay()),
    );
    const mqtt = context.mqtt;
    if (mqtt) {
      const topic = `${mqtt.topics.base}/engagement`;
      this.retained = new Coalescer(context.clock, options.publishEveryMs ?? ENGAGEMENT_PUBLISH_MS, () =>
        this.guard('retained engagement not published', () => mqtt.retain(topic, this.todayFigures())),
      );
    }
    this.unregister = context.requests.register(
      'engagement/get',
      engagementRequestFields['engagement/get'],
      (request) => this.get(request),
      { owner: 'engagement' },
    );
    engagements.set(context, this);
  }

  /** A store that cannot hold the tables leaves the feature off (logged), not the gateway down. */
  start(): void {
    const { bus, clock } = this.context;
    try {
      this.rows = new EngagementStore(this.context.store);
    } catch (error) {
      this.logger.error({ err: error }, 'engagement off: its tables could not be set up');
      return;
    }
    const catalog = catalogOf(this.context);
    if (catalog) this.productOf = (tag, epc) => refOf(catalog.productForTag(tag, epc));
    else this.logger.warn('no catalog: no tag is a known product, so nothing is counted');
    this.warnAboutZones();
    this.guard('open pick-ups not restored', () => this.restorePending());
    this.today = this.days.dayOf(clock.now());
    this.purge();
    this.unsubscribe = [
      bus.on('engagement', ['tag.arrived', 'tag.departed', 'tag.moved'], (event) => this.onTag(event)),
      bus.on('engagement', 'reader.status', (event) => this.onReaderStatus(event)),
      bus.on('engagement', 'purchase.completed', (event) =>
        this.onSale(
          event.items.map((item) => item.tag),
          Date.parse(event.ts),
        ),
      ),
      bus.on('engagement', 'tags.paid', (event) => this.onSale(event.tags, Date.parse(event.ts))),
    ];
    this.quarterHours.start();
    this.retained?.publishNow();
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.unsubscribe = [];
    this.unregister();
    this.unregister = () => {};
    this.sweeper.cancel();
    this.quarterHours.cancel();
    this.retained?.cancel();
    this.retained?.flush();
    this.logger.info({ ...this.stats }, 'engagement stopped');
  }

  get stats(): EngagementStats {
    return { ...this.counters, pending: this.funnel.size };
  }

  /** Today's figures, as `<base>/engagement` carries them. */
  todayFigures(): TodayPayload {
    const now = this.context.clock.now();
    const day = this.days.dayOf(now);
    return todayPayload(this.rows?.days(day, day) ?? [], day, this.config.timeZone, now);
  }

  /** `engagement/get`: per day and product over `from`..`to` (store days, inclusive), and totals. */
  get(request: EngagementRequest): EngagementAnswer {
    if (!this.rows) throw new Error('engagement is off: its tables could not be set up (see the log)');
    return answerEngagement(this.rows, this.config.timeZone, request);
  }

  private onTag(event: TagEvent): void {
    const atMs = Date.parse(event.ts);
    switch (event.type) {
      case 'tag.arrived':
        if (this.watched.has(event.zone)) this.returned(event.tag, event.zone, atMs);
        return;
      case 'tag.moved':
        // Back first: a tag carried from another watched shelf to its own closes its funnel there.
        if (this.watched.has(event.to)) this.returned(event.tag, event.to, atMs);
        if (this.watched.has(event.from)) this.pickedUp(event.tag, event.from, event.epc, atMs, atMs);
        return;
      case 'tag.departed': {
        if (!this.watched.has(event.zone)) return;
        if (event.reads === 0) {
          this.counters.leftWhileDown += 1;
          return;
        }
        // The core reports a departure its zone's hold-off after the last read: that read is when it left.
        const leftAtMs = atMs - this.watched.departAfterMs(event.zone);
        const released = this.releasedAt.get(event.reader);
        if (released !== undefined && leftAtMs > released - 1 && leftAtMs <= released) {
          this.counters.leftWhileOffline += 1;
          return;
        }
        this.pickedUp(event.tag, event.zone, event.epc, leftAtMs, atMs);
        return;
      }
    }
  }

  private onReaderStatus(event: EventOf<'reader.status'>): void {
    if (event.state !== 'online') {
      this.online.delete(event.reader);
      return;
    }
    // The core restarts the departure clock of the reader's held tags at the release, which is now.
    if (!this.online.has(event.reader)) this.releasedAt.set(event.reader, this.context.clock.now());
    this.online.add(event.reader);
  }

  private pickedUp(tag: string, zone: string, epc: EpcInfo | undefined, leftAtMs: number, atMs: number) {
    const product = this.productOf(tag, epc);
    if (!product) {
      this.counters.unknownProduct += 1;
      return;
    }
    const rows = this.rows;
    if (!rows) return;
    const pickUp: PendingPickUp = { tag, zone, product, leftAtMs, day: this.days.dayOf(leftAtMs) };
    const sold = this.funnel.takeSale(tag, leftAtMs);
    // One open pick-up per tag: one picked up again elsewhere ends the earlier funnel.
    const replaced = this.funnel.get(tag);
    const evicted = sold || replaced ? undefined : this.makeRoom(atMs);
    const committed = this.write('pick-up not counted', () => {
      rows.add(pickUp.day, product, { pickedUp: 1, bought: sold ? 1 : 0 });
      if (sold) rows.deletePending(tag);
      else rows.savePending(pickUp);
      if (evicted) rows.deletePending(evicted.tag);
      this.context.bus.emit({ type: 'product.pickedUp', zone, tag, product }, atMs);
    });
    if (!committed) {
      // The sale stays remembered for the next departure of the tag.
      if (sold) this.funnel.noteSale(tag, atMs, false);
      return;
    }
    this.counters.pickedUp += 1;
    if (replaced) this.counters.ended += 1;
    if (sold) {
      this.counters.bought += 1;
      this.funnel.delete(tag);
    } else {
      this.funnel.set(pickUp);
      this.sweeper.armAfter(pickUp.leftAtMs + this.config.putBackWithinMs);
    }
    if (evicted) {
      this.funnel.delete(evicted.tag);
      this.counters.evicted += 1;
      if (this.counters.evicted === 1 || this.counters.evicted % LOG_EVERY_FAILURES === 0) {
        this.logger.warn(
          { evicted: this.counters.evicted, maxPending: this.funnel.options.maxPending },
          'too many open pick-ups; the oldest funnels were ended early',
        );
      }
    }
    this.retained?.changed();
  }

  /** The pick-up to give up so that one more fits, after the ended ones are swept. */
  private makeRoom(nowMs: number): PendingPickUp | undefined {
    if (this.funnel.size < this.funnel.options.maxPending) return undefined;
    this.sweep(nowMs);
    return this.funnel.size < this.funnel.options.maxPending ? undefined : this.funnel.oldest();
  }

  private returned(tag: string, zone: string, atMs: number): void {
    const pickUp = this.funnel.get(tag);
    const rows = this.rows;
    if (!pickUp || pickUp.zone !== zone || !rows) return;
    if (!this.funnel.isOpen(pickUp, atMs)) {
      this.end([pickUp]);
      return;
    }
    const committed = this.write('put-back not counted', () => {
      rows.add(pickUp.day, pickUp.product, { putBack: 1 });
      rows.deletePending(tag);
      this.context.bus.emit(
        {
          type: 'product.putBack',
          zone,
          tag,
          product: pickUp.product,
          awayMs: Math.max(0, Math.round(atMs - pickUp.leftAtMs)),
        },
        atMs,
      );
    });
    if (!committed) return;
    this.counters.putBack += 1;
    this.funnel.delete(tag);
    this.retained?.changed();
  }

  private onSale(tags: readonly string[], atMs: number): void {
    const rows = this.rows;
    if (!rows) return;
    const closing: PendingPickUp[] = [];
    const over: PendingPickUp[] = [];
    for (const tag of new Set(tags)) {
      const pickUp = this.funnel.get(tag);
      if (pickUp && this.funnel.isOpen(pickUp, atMs)) {
        closing.push(pickUp);
        continue;
      }
      if (pickUp) over.push(pickUp);
      // Perhaps still in the zone's hold-off: its departure, reported later, will find this sale.
      this.funnel.noteSale(tag, atMs, false);
    }
    if (over.length > 0) this.end(over);
    if (closing.length === 0) return;
    const committed = this.write('sale not counted', () => {
      for (const pickUp of closing) {
        rows.add(pickUp.day, pickUp.product, { bought: 1 });
        rows.deletePending(pickUp.tag);
      }
    });
    if (!committed) return;
    for (const pickUp of closing) {
      this.funnel.delete(pickUp.tag);
      this.funnel.noteSale(pickUp.tag, atMs, true);
    }
    this.counters.bought += closing.length;
    this.retained?.changed();
  }

  /** Funnels whose window is over: forgotten, in memory now and in the store if it lets us. */
  private end(pickUps: readonly PendingPickUp[]): void {
    for (const pickUp of pickUps) this.funnel.delete(pickUp.tag);
    this.counters.ended += pickUps.length;
    const rows = this.rows;
    if (!rows) return;
    // A row left behind is dropped at the next start, as its window is over by then.
    this.write('ended pick-ups not deleted', () => {
      for (const pickUp of pickUps) rows.deletePending(pickUp.tag);
    });
  }

  private sweep(nowMs: number): void {
    const over = this.funnel.expired(nowMs);
    if (over.length > 0) this.end(over);
  }

  /** A new store day drops the days past retention and republishes (today's figures start at 0). */
  private checkDay(): void {
    const day = this.days.dayOf(this.context.clock.now());
    if (day === this.today) return;
    this.today = day;
    this.purge();
    this.retained?.changed();
  }

  /** Keeps the `retentionDays` most recent store days, today included. */
  private purge(): void {
    const rows = this.rows;
    if (!rows) return;
    const keepFrom = addDays(this.today, 1 - this.config.retentionDays);
    this.guard('old engagement days not purged', () => {
      const removed = rows.purge(keepFrom);
      if (removed > 0) this.logger.info({ removed, keepFrom }, 'engagement days past retention purged');
    });
  }

  private restorePending(): void {
    const rows = this.rows;
    if (!rows) return;
    const now = this.context.clock.now();
    const stored = rows.loadPending();
    const { maxPending } = this.funnel.options;
    // Oldest first, so the newest are kept when the bound shrank since they were written.
    const over = stored.filter(
      (pickUp, index) => !this.funnel.isOpen(pickUp, now) || index < stored.length - maxPending,
    );
    const gone = new Set(over.map((pickUp) => pickUp.tag));
    for (const pickUp of stored) if (!gone.has(pickUp.tag)) this.funnel.set(pickUp);
    if (over.length > 0) {
      this.write('ended pick-ups not deleted', () => {
        for (const pickUp of over) rows.deletePending(pickUp.tag);
      });
    }
    const next = this.funnel.nextEnd();
    if (next !== undefined) this.sweeper.armAfter(next);
    this.logger.info({ restored: this.funnel.size, ended: over.length }, 'open pick-ups restored');
  }

  private warnAboutZones(): void {
    const uncovered = this.watched.uncovered();
    if (uncovered.length > 0) this.logger.warn({ zones: uncovered }, 'watched zones that no reader covers');
    const { putBackWithinMs } = this.config;
    const tooLate = this.watched.reportedTooLate(putBackWithinMs);
    if (tooLate.length > 0) {
      this.logger.warn(
        { zones: tooLate, putBackWithinMs },
        'departAfterMs of these zones is not below putBackWithinMs: nothing there can be put back',
      );
    }
  }

  /** Runs a store transaction; a failure is logged (sampled) and counted, never thrown. */
  private write(what: string, fn: () => void): boolean {
    try {
      this.context.bus.transaction(fn);
      return true;
    } catch (error) {
      this.counters.writeFailures += 1;
      const failures = this.counters.writeFailures;
      if (failures === 1 || failures % LOG_EVERY_FAILURES === 0) {
        this.logger.error({ err: error, failures }, what);
      }
      return false;
    }
  }

  /** Timer work must not take the process down. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.logger.error({ err: error }, what);
    }
  }
}

function refOf(product: { sku: string; gtin?: string; name: string } | undefined): ProductRef | undefined {
  if (!product) return undefined;
  const ref: ProductRef = { sku: product.sku, name: product.name };
  if (product.gtin !== undefined) ref.gtin = product.gtin;
  return ref;
}

const engagements = new WeakMap<ExtensionContext, Engagement>();

/** The engagement built for this context, if the config asked for one. */
export function engagementOf(context: ExtensionContext): Engagement | undefined {
  return engagements.get(context);
}

/**
 * Shopper engagement; `undefined` when the config has no `engagement` section. Listed a second time
 * for the same controller (built in and passed as an extra feature) it builds nothing the second time.
 */
export function createEngagementExtension(options: EngagementOptions = {}): ExtensionFactory {
  return (context) => {
    const settings = context.config.engagement;
    if (!settings || engagements.has(context)) return undefined;
    return new Engagement(context, settings, options);
  };
}

export const engagement: ExtensionFactory = createEngagementExtension();
