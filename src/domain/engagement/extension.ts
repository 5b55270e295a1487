import type { EngagementConfig } from '../../config/engagement.js';
import type { Logger } from '../../observability/logger.js';
import type { ProductRef } from '../../shared/events.js';
import { defineFeature, type FeatureContext, type Services } from '../../shared/feature.js';
import { EngagementStore } from './engagement-store.js';
import {
  answerEngagement,
  type EngagementAnswer,
  type EngagementRequest,
  engagementRequestFields,
} from './request.js';
import { Coalescer, ENGAGEMENT_PUBLISH_MS, type TodayPayload, todayPayload } from './retained.js';
import { addDays, StoreDays } from './store-day.js';
import { QuarterHours } from './timers.js';
import { FunnelTracker, guard } from './tracker.js';
import type { EngagementOptions, EngagementStats } from './types.js';
import { WatchedZones } from './watched-zones.js';

export const DEFAULT_MAX_PENDING = 10_000;

declare module '../../shared/feature.js' {
  interface Services {
    /** The funnel's counters. */
    engagement: Pick<Engagement, 'stats'>;
  }
}

export interface EngagementDeps {
  context: FeatureContext;
  /** Products of tags: without it nothing is a known product, so nothing is counted. */
  catalog?: Services['catalog'] | undefined;
  /** Where `<base>/engagement` goes, when there is a broker. */
  retained?: Services['retained'] | undefined;
}

/**
 * The physical store's conversion funnel. A tag of a catalog product that leaves a watched zone
 * (departs, or moves to another zone) is picked up; back in the same zone within `putBackWithinMs`
 * of its last sighting there, it is put back; sold (`purchase.completed`, `tags.paid`) while its
 * window is open, it is bought. Figures per product and store day, counted on the day of the pick-up
 * so that bought ≤ picked up on every day; a sale of a tag never seen leaving a watched zone is not
 * counted, so the conversion compares the same items.
 *
 * The counting is FunnelTracker's; this is its lifecycle, the store days and their retention, the
 * `engagement/get` request and the retained `<base>/engagement` message. Open pick-ups are
 * persisted, so a restart within the window still closes them.
 */
export class Engagement {
  private readonly context: FeatureContext;
  private readonly logger: Logger;
  private readonly days: StoreDays;
  private readonly watched: WatchedZones;
  private readonly tracker: FunnelTracker;
  private readonly quarterHours: QuarterHours;
  private readonly retained: Coalescer | undefined;
  private rows: EngagementStore | undefined;
  private unsubscribe: Array<() => void> = [];
  private unregister: () => void;
  private today = '';

  constructor(
    private readonly deps: EngagementDeps,
    private readonly config: EngagementConfig,
    options: EngagementOptions = {},
  ) {
    const { context, retained } = deps;
    this.context = context;
    this.logger = context.logger.child({ component: 'engagement' });
    this.days = new StoreDays(config.timeZone);
    this.watched = new WatchedZones(context.config, config.zones);
    const { bus, clock } = context;
    this.tracker = new FunnelTracker({
      ...{ bus, clock, logger: this.logger, days: this.days, watched: this.watched },
      putBackWithinMs: config.putBackWithinMs,
      maxPending: options.maxPending ?? DEFAULT_MAX_PENDING,
      changed: () => this.retained?.changed(),
    });
    this.quarterHours = new QuarterHours(clock, () =>
      this.guard('store day check failed', () => this.checkDay()),
    );
    if (retained) {
      this.retained = new Coalescer(context.clock, options.publishEveryMs ?? ENGAGEMENT_PUBLISH_MS, () =>
        this.guard('retained engagement not published', () =>
          retained.publish({ kind: 'engagement' }, this.todayFigures()),
        ),
      );
    }
    this.unregister = context.requests.register(
      'engagement/get',
      engagementRequestFields['engagement/get'],
      (request) => this.get(request),
      { owner: 'engagement' },
    );
  }

  /** A store that cannot hold the tables leaves the feature off (logged), not the gateway down. */
  start(): void {
    const { clock } = this.context;
    try {
      this.rows = new EngagementStore(this.context.store);
    } catch (error) {
      this.logger.error({ err: error }, 'engagement off: its tables could not be set up');
      return;
    }
    const catalog = this.deps.catalog;
    if (!catalog) this.logger.warn('no catalog: no tag is a known product, so nothing is counted');
    this.tracker.attach(this.rows, (tag, epc) => refOf(catalog?.productForTag(tag, epc)));
    this.warnAboutZones();
    this.guard('open pick-ups not restored', () => this.tracker.restore());
    this.today = this.days.dayOf(clock.now());
    this.purge();
    this.unsubscribe = this.tracker.listen();
    this.quarterHours.start();
    this.retained?.publishNow();
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.unsubscribe = [];
    this.unregister();
    this.unregister = () => {};
    this.tracker.cancel();
    this.quarterHours.cancel();
    this.retained?.cancel();
    this.retained?.flush();
    this.logger.info({ ...this.stats }, 'engagement stopped');
  }

  get stats(): EngagementStats {
    return this.tracker.stats;
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

  private guard(what: string, fn: () => void): void {
    guard(this.logger, what, fn);
  }
}

function refOf(product: { sku: string; gtin?: string; name: string } | undefined): ProductRef | undefined {
  if (!product) return undefined;
  const ref: ProductRef = { sku: product.sku, name: product.name };
  if (product.gtin !== undefined) ref.gtin = product.gtin;
  return ref;
}

/** Shopper engagement, with options of its own (tests, benches); not built without an `engagement` section. */
export function createEngagementFeature(options: EngagementOptions = {}) {
  return defineFeature({
    name: 'engagement',
    uses: ['catalog', 'retained'],
    provides: ['engagement'],
    build: (input) => {
      const settings = input.config.engagement;
      if (!settings) return undefined;
      const { catalog, retained } = input.uses;
      const engagement = new Engagement({ context: input, catalog, retained }, settings, options);
      return { start: () => engagement.start(), stop: () => engagement.stop(), provides: { engagement } };
    },
  });
}

export const engagementFeature = createEngagementFeature();
