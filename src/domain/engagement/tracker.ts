import type { Logger } from '../../observability/logger.js';
import type { Clock } from '../../shared/clock.js';
import type { EpcInfo, ProductRef } from '../../shared/events.js';
import type { Bus, EventOf } from '../../shared/extension.js';
import type { EngagementStore, PendingPickUp } from './engagement-store.js';
import { Funnel } from './funnel.js';
import type { StoreDays } from './store-day.js';
import { SweepTimer } from './timers.js';
import type { EngagementStats } from './types.js';
import type { WatchedZones } from './watched-zones.js';

/** Ended pick-ups are swept at most this often. */
const SWEEP_MIN_INTERVAL_MS = 1000;
/** Failed writes are logged on the first and then every this many, not once per shopper. */
const LOG_EVERY_FAILURES = 1000;

type TagEvent = EventOf<'tag.arrived' | 'tag.departed' | 'tag.moved'>;
type ProductOf = (tag: string, epc: EpcInfo | undefined) => ProductRef | undefined;

export interface TrackerDeps {
  bus: Bus;
  clock: Clock;
  logger: Logger;
  days: StoreDays;
  watched: WatchedZones;
  putBackWithinMs: number;
  maxPending: number;
  /** The figures changed (committed): the retained message is due again. */
  changed: () => void;
}

/**
 * Turns tag, reader and sale events into counted funnels: the counts, the open pick-ups and the
 * events change in one `bus.transaction`, and the in-memory funnel follows only after the commit, so
 * that a refused write leaves memory and store agreeing. Knows nothing of the extension's lifecycle,
 * its request or its retained message.
 */
export class FunnelTracker {
  private readonly funnel: Funnel;
  private readonly sweeper: SweepTimer;
  private readonly counters: Omit<EngagementStats, 'pending'> = {
    ...{ pickedUp: 0, putBack: 0, bought: 0, unknownProduct: 0, leftWhileDown: 0 },
    ...{ leftWhileOffline: 0, ended: 0, evicted: 0, writeFailures: 0 },
  };
  private rows: EngagementStore | undefined;
  private productOf: ProductOf = () => undefined;

  constructor(private readonly deps: TrackerDeps) {
    const { maxPending, clock } = deps;
    if (!(Number.isInteger(maxPending) && maxPending >= 1))
      throw new Error(`engagement maxPending: must be a whole number >= 1, got ${maxPending}`);
    this.funnel = new Funnel({
      windowMs: deps.putBackWithinMs,
      maxPending,
      saleMemoryMs: deps.putBackWithinMs + deps.watched.longestDepartAfterMs,
    });
    this.sweeper = new SweepTimer(clock, SWEEP_MIN_INTERVAL_MS, () => {
      guard(deps.logger, 'sweep of ended pick-ups failed', () => this.sweep(clock.now()));
      return this.funnel.nextEnd();
    });
  }

  get stats(): EngagementStats {
    return { ...this.counters, pending: this.funnel.size };
  }

  /** Until attached to the store (which may fail to open), nothing is counted. */
  attach(rows: EngagementStore, productOf: ProductOf): void {
    this.rows = rows;
    this.productOf = productOf;
  }

  /** Subscribes to the events that move a funnel; returns the unsubscribers. */
  listen(): Array<() => void> {
    const { bus } = this.deps;
    return [
      bus.on('engagement', ['tag.arrived', 'tag.departed', 'tag.moved'], (event) => this.onTag(event)),
      bus.on('engagement', 'purchase.completed', (event) =>
        this.onSale(
          event.items.map((item) => item.tag),
          Date.parse(event.ts),
        ),
      ),
      bus.on('engagement', 'tags.paid', (event) => this.onSale(event.tags, Date.parse(event.ts))),
    ];
  }

  cancel(): void {
    this.sweeper.cancel();
  }

  /** Reloads the open pick-ups persisted before a restart, so their windows still close. */
  restore(): void {
    const rows = this.rows;
    if (!rows) return;
    const now = this.deps.clock.now();
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
    this.deps.logger.info({ restored: this.funnel.size, ended: over.length }, 'open pick-ups restored');
  }

  private onTag(event: TagEvent): void {
    const { watched } = this.deps;
    const atMs = Date.parse(event.ts);
    switch (event.type) {
      case 'tag.arrived':
        if (watched.has(event.zone)) this.returned(event.tag, event.zone, atMs);
        return;
      case 'tag.moved':
        // Back first: a tag carried from another watched shelf to its own closes its funnel there.
        if (watched.has(event.to)) this.returned(event.tag, event.to, atMs);
        if (watched.has(event.from)) this.pickedUp(event.tag, event.from, event.epc, atMs, atMs);
        return;
      case 'tag.departed': {
        if (!watched.has(event.zone)) return;
        if (event.reads === 0) {
          this.counters.leftWhileDown += 1;
          return;
        }
        // Its reader could not hear it for a while, and the core says it was not heard since: when it
        // left is unknown, so no funnel starts (the core knows the release; no clock reading here).
        if (event.held) {
          this.counters.leftWhileOffline += 1;
          return;
        }
        // The core reports a departure its zone's hold-off after the last read: that read is when it left.
        const leftAtMs = atMs - watched.departAfterMs(event.zone);
        this.pickedUp(event.tag, event.zone, event.epc, leftAtMs, atMs);
        return;
      }
    }
  }

  private pickedUp(tag: string, zone: string, epc: EpcInfo | undefined, leftAtMs: number, atMs: number) {
    const product = this.productOf(tag, epc);
    if (!product) {
      this.counters.unknownProduct += 1;
      return;
    }
    const rows = this.rows;
    if (!rows) return;
    const pickUp: PendingPickUp = { tag, zone, product, leftAtMs, day: this.deps.days.dayOf(leftAtMs) };
    const sold = this.funnel.takeSale(tag, leftAtMs);
    // One open pick-up per tag: one picked up again elsewhere ends the earlier funnel.
    const replaced = this.funnel.get(tag);
    const evicted = sold || replaced ? undefined : this.makeRoom(atMs);
    const committed = this.write('pick-up not counted', () => {
      rows.add(pickUp.day, product, { pickedUp: 1, bought: sold ? 1 : 0 });
      if (sold) rows.deletePending(tag);
      else rows.savePending(pickUp);
      if (evicted) rows.deletePending(evicted.tag);
      this.deps.bus.emit({ type: 'product.pickedUp', zone, tag, product }, atMs);
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
      this.sweeper.armAfter(pickUp.leftAtMs + this.deps.putBackWithinMs);
    }
    if (evicted) {
      this.funnel.delete(evicted.tag);
      this.counters.evicted += 1;
      if (this.counters.evicted === 1 || this.counters.evicted % LOG_EVERY_FAILURES === 0) {
        this.deps.logger.warn(
          { evicted: this.counters.evicted, maxPending: this.funnel.options.maxPending },
          'too many open pick-ups; the oldest funnels were ended early',
        );
      }
    }
    this.deps.changed();
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
      this.deps.bus.emit(
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
    this.deps.changed();
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
    this.deps.changed();
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

  /** Runs a store transaction; a failure is logged (sampled) and counted, never thrown. */
  private write(what: string, fn: () => void): boolean {
    try {
      this.deps.bus.transaction(fn);
      return true;
    } catch (error) {
      this.counters.writeFailures += 1;
      const failures = this.counters.writeFailures;
      if (failures === 1 || failures % LOG_EVERY_FAILURES === 0) {
        this.deps.logger.error({ err: error, failures }, what);
      }
      return false;
    }
  }
}

/** Timer work must not take the process down. */
export function guard(logger: Logger, what: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    logger.error({ err: error }, what);
  }
}
