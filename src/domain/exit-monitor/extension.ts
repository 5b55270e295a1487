import type { ExitMonitorConfig } from '../../config/exit-monitor.js';
import type { Logger } from '../../observability/logger.js';
import type { EventBody, ProductRef } from '../../shared/events.js';
import type { EventOf } from '../../shared/extension.js';
import { defineFeature, type FeatureContext, type Services } from '../../shared/feature.js';
import { AlarmLimiter } from './alarm-limiter.js';
import { DoorMap } from './door-map.js';
import type { TagsPaidRequest, TagsPaidResponse } from './request.js';

export interface ExitMonitorStats {
  /** Exits through a watched door. */
  exits: number;
  /** ...of which were paid. */
  paidExits: number;
  alarms: number;
  /** Repeat exits of a tag within `alarmIntervalMs` of its alarm (or its log line), not reported again. */
  suppressed: number;
  /** Unpaid exits of tags the catalog does not know, by what `unknownTags` did with them. */
  unknownLogged: number;
  unknownIgnored: number;
  /** Tags marked paid (by `tags/paid` and by purchases; a tag marked twice counts twice). */
  marked: number;
  /** Expired marks deleted. */
  purged: number;
  /** Alarms or paid marks the store refused (an alarm is tried again at the tag's next exit). */
  failures: number;
}

/**
 * The exit monitor: a tag that leaves through a watched door (`tag.moved` with direction `exit`,
 * mapped to its door by DoorMap) and is not paid raises `security.alarm` kind `unpaid_exit`, at most
 * once per tag per `alarmIntervalMs`. A tag the catalog does not know follows `unknownTags`.
 *
 * Paid: what PaidTags says (every item of a `purchase.completed`, and the tags a point of sale sends
 * in `tags/paid`, for `paidTtlMs`), which it owns and starts and stops with itself.
 */
declare module '../../shared/feature.js' {
  interface Services {
    /** The exit monitor's counters, and whether a tag may leave now. */
    exitMonitor: Pick<ExitMonitor, 'stats' | 'isPaid'>;
  }
}

export class ExitMonitor {
  private readonly logger: Logger;
  private readonly doors: DoorMap;
  private readonly limiter: AlarmLimiter;
  private readonly counts = {
    exits: 0,
    paidExits: 0,
    alarms: 0,
    unknownLogged: 0,
    unknownIgnored: 0,
    /** Alarms the store refused. */
    failures: 0,
  };
  private unsubscribe: Array<() => void> = [];

  constructor(
    private readonly context: FeatureContext,
    private readonly settings: ExitMonitorConfig,
    private readonly paid: Services['paidTags'],
    private readonly catalog?: Services['catalog'],
  ) {
    this.logger = context.logger.child({ component: 'exit-monitor' });
    this.doors = new DoorMap(context.config.doors, settings.doors);
    this.limiter = new AlarmLimiter(settings.alarmIntervalMs);
  }

  start(): void {
    const { bus } = this.context;
    for (const shared of this.doors.sharedLastSteps) {
      this.logger.warn(
        { from: shared.from, to: shared.to, doors: shared.doors, named: shared.named ?? null },
        'doors end with the same step; an exit there is reported as the first watched one',
      );
    }
    this.unsubscribe = [bus.on('exit-monitor', 'tag.moved', (event) => this.onMoved(event))];
    this.logger.info(
      { doors: this.settings.doors, unknownTags: this.settings.unknownTags, marks: this.paid.count() },
      'exit monitor started',
    );
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.unsubscribe = [];
  }

  get stats(): ExitMonitorStats {
    const paid = this.paid.stats;
    return {
      ...this.counts,
      marked: paid.marked,
      purged: paid.purged,
      failures: this.counts.failures + paid.failures,
      suppressed: this.limiter.suppressed,
    };
  }

  /** Whether the tag may leave now (for tests and an operator's question). */
  isPaid(tag: string): boolean {
    return this.paid.verdict(tag.toUpperCase(), this.context.clock.now()).paid;
  }

  /** `tags/paid` (see PaidTags.markPaid). */
  markPaid(request: TagsPaidRequest): TagsPaidResponse {
    return this.paid.markPaid(request);
  }

  private onMoved(event: EventOf<'tag.moved'>): void {
    if (event.direction !== 'exit') return;
    const door = this.doors.doorFor(event.from, event.to);
    if (door === undefined) return;
    this.counts.exits += 1;
    const { tag } = event;
    const now = this.context.clock.now();
    const verdict = this.paid.verdict(tag, now);
    if (verdict.paid) {
      this.counts.paidExits += 1;
      this.logger.debug({ tag, door }, 'paid item left');
      return;
    }
    const product = this.productOf(event);
    if (product === undefined && this.settings.unknownTags !== 'alarm') {
      if (this.settings.unknownTags === 'ignore') {
        this.counts.unknownIgnored += 1;
        return;
      }
      this.counts.unknownLogged += 1;
      // The same flood guard as alarms: a log line per move would fill an SD card.
      if (!this.limiter.allows(tag, now)) return;
      this.limiter.fired(tag, now);
      this.logger.info(
        { tag, door, zone: event.to, unknownExits: this.counts.unknownLogged },
        'unpaid tag that is not in the catalog left',
      );
      return;
    }
    if (!this.limiter.allows(tag, now)) {
      this.logger.debug(
        { tag, door, suppressed: this.limiter.suppressed },
        'repeat unpaid exit not reported',
      );
      return;
    }
    const detail = product === undefined ? `${verdict.detail}; tag not in the catalog` : verdict.detail;
    this.raise(
      {
        type: 'security.alarm',
        kind: 'unpaid_exit',
        door,
        zone: event.to,
        tag,
        ...(product === undefined ? {} : { product }),
        detail,
      },
      tag,
      now,
    );
  }

  private raise(alarm: EventBody & { type: 'security.alarm' }, tag: string, now: number): void {
    const { bus } = this.context;
    try {
      // In a transaction so that an alarm the outbox refuses is known here, and not counted as sent.
      bus.transaction(() => bus.emit(alarm));
    } catch (error) {
      this.counts.failures += 1;
      this.logger.error(
        { err: error, tag, door: alarm.door },
        'unpaid exit alarm not committed; the next exit of the tag tries again',
      );
      return;
    }
    this.limiter.fired(tag, now);
    this.counts.alarms += 1;
    this.logger.warn({ tag, door: alarm.door, sku: alarm.product?.sku ?? null }, 'unpaid item left');
  }

  private productOf(event: EventOf<'tag.moved'>): ProductRef | undefined {
    const product = this.catalog?.productForTag(event.tag, event.epc);
    if (!product) return undefined;
    const ref: ProductRef = { sku: product.sku, name: product.name };
    // The tag's own GTIN when it has one: a prefix mapping may be coarser than the item.
    const gtin = event.epc?.gtin ?? product.gtin;
    if (gtin !== undefined) ref.gtin = gtin;
    return ref;
  }
}

/** The exit monitor feature; not built without an `exitMonitor` section. */
export const exitMonitorFeature = defineFeature({
  name: 'exit-monitor',
  needs: ['paidTags'],
  uses: ['catalog'],
  provides: ['exitMonitor'],
  build: (input) => {
    const settings = input.config.exitMonitor;
    if (!settings) return undefined;
    const monitor = new ExitMonitor(input, settings, input.needs.paidTags, input.uses.catalog);
    return { start: () => monitor.start(), stop: () => monitor.stop(), provides: { exitMonitor: monitor } };
  },
});
