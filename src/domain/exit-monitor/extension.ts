import type { ExitMonitorConfig } from '../../config/exit-monitor.js';
import type { Logger } from '../../observability/logger.js';
import type { TimerHandle } from '../../shared/clock.js';
import type { EventBody, ProductRef } from '../../shared/events.js';
import type { EventOf } from '../../shared/extension.js';
import { defineFeature, type FeatureContext, type Services } from '../../shared/feature.js';
import { AlarmLimiter } from './alarm-limiter.js';
import { DoorMap } from './door-map.js';
import { type PaidMark, PaidMarks } from './paid-marks.js';
import { type TagsPaidRequest, type TagsPaidResponse, tagsPaidFields } from './request.js';

/** Expired marks are deleted at most this often: they cost a row each, and reads ignore them anyway. */
export const PURGE_MIN_INTERVAL_MS = 60_000;
/** Sold tags whose mark did not commit are written again this much later (kept paid in memory meanwhile). */
const RETRY_MS = 1000;
/** Sold tags held in memory while the store refuses them; past this the oldest are dropped (and logged). */
const MAX_PENDING_MARKS = 10_000;

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

type Verdict = { paid: true } | { paid: false; detail: string };

declare module '../../shared/feature.js' {
  interface Services {
    exitMonitor: ExitMonitor;
  }
}

/**
 * The exit monitor: a tag that leaves through a watched door (`tag.moved` with direction `exit`,
 * mapped to its door by DoorMap) and is not paid raises `security.alarm` kind `unpaid_exit`, at most
 * once per tag per `alarmIntervalMs`. A tag the catalog does not know follows `unknownTags`.
 *
 * Paid: every item of a `purchase.completed`, and the tags a point of sale sends in `tags/paid`, for
 * `paidTtlMs` (or the request's `ttlMs`). Marks live in the store, written in the same transaction as
 * the `tags.paid` event, so they survive a restart; an expired mark is not paid, and expired rows are
 * deleted at start and on a timer set for the next expiry. A purchase's marks announce nothing (the
 * purchase event is the record); if the store refuses them they are kept paid in memory and retried,
 * since nobody else would, and a paying customer must not set the alarm off.
 */
export class ExitMonitor {
  private readonly logger: Logger;
  private readonly doors: DoorMap;
  private readonly marks: PaidMarks;
  private readonly limiter: AlarmLimiter;
  private readonly unregister: () => void;
  private readonly counts = {
    exits: 0,
    paidExits: 0,
    alarms: 0,
    unknownLogged: 0,
    unknownIgnored: 0,
    marked: 0,
    purged: 0,
    failures: 0,
  };
  /** Sold tags whose marks the store refused, by tag: paid all the same until written. */
  private readonly pending = new Map<string, PaidMark>();
  private unsubscribe: Array<() => void> = [];
  private running = false;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private lastPurgeAt = Number.NEGATIVE_INFINITY;
  private readFailing = false;
  private writeFailing = false;

  constructor(
    private readonly context: FeatureContext,
    private readonly settings: ExitMonitorConfig,
    private readonly catalog?: Services['catalog'],
  ) {
    this.logger = context.logger.child({ component: 'exit-monitor' });
    this.doors = new DoorMap(context.config.doors, settings.doors);
    this.limiter = new AlarmLimiter(settings.alarmIntervalMs);
    // Here rather than at start: the command is answerable as soon as it is registered.
    this.marks = new PaidMarks(context.store);
    this.unregister = context.requests.register(
      'tags/paid',
      tagsPaidFields,
      (request) => this.markPaid(request),
      { owner: 'exit-monitor', changesState: true },
    );
  }

  start(): void {
    const { bus } = this.context;
    this.running = true;
    this.purge();
    for (const shared of this.doors.sharedLastSteps) {
      this.logger.warn(
        { from: shared.from, to: shared.to, doors: shared.doors, named: shared.named ?? null },
        'doors end with the same step; an exit there is reported as the first watched one',
      );
    }
    this.unsubscribe = [
      bus.on('exit-monitor', 'tag.moved', (event) => this.onMoved(event)),
      bus.on('exit-monitor', 'purchase.completed', (event) => this.onPurchase(event)),
    ];
    this.schedule();
    this.logger.info(
      { doors: this.settings.doors, unknownTags: this.settings.unknownTags, marks: this.safeCount() },
      'exit monitor started',
    );
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.unsubscribe = [];
    this.running = false;
    if (this.timer) this.context.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.writePending();
    if (this.pending.size > 0) {
      this.logger.error({ tags: this.pending.size }, 'sold tags not marked paid at shutdown; they may alarm');
    }
    this.unregister();
  }

  get stats(): ExitMonitorStats {
    return { ...this.counts, suppressed: this.limiter.suppressed };
  }

  /** Whether the tag may leave now (for tests and an operator's question). */
  isPaid(tag: string): boolean {
    return this.verdict(tag.toUpperCase(), this.context.clock.now()).paid;
  }

  /** `tags/paid`: the marks and the `tags.paid` event commit together, or nothing changes. */
  markPaid(request: TagsPaidRequest): TagsPaidResponse {
    const { bus, clock } = this.context;
    const tags = [...new Set(request.tags)];
    const now = clock.now();
    const untilMs = Math.floor(now + (request.ttlMs ?? this.settings.paidTtlMs));
    const until = new Date(untilMs).toISOString();
    const reference = request.reference;
    bus.transaction(() => {
      for (const tag of tags) {
        this.marks.mark({
          tag,
          untilMs,
          markedAtMs: now,
          source: 'request',
          ...(reference === undefined ? {} : { reference }),
        });
      }
      bus.emit({ type: 'tags.paid', tags, until, ...(reference === undefined ? {} : { reference }) });
    });
    this.counts.marked += tags.length;
    this.schedule();
    this.logger.debug({ tags: tags.length, until }, 'tags marked paid');
    return { marked: tags.length, until, ...(reference === undefined ? {} : { reference }) };
  }

  private onMoved(event: EventOf<'tag.moved'>): void {
    if (event.direction !== 'exit') return;
    const door = this.doors.doorFor(event.from, event.to);
    if (door === undefined) return;
    this.counts.exits += 1;
    const { tag } = event;
    const now = this.context.clock.now();
    const verdict = this.verdict(tag, now);
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

  private onPurchase(event: EventOf<'purchase.completed'>): void {
    const tags = [...new Set(event.items.map((item) => item.tag.toUpperCase()))];
    if (tags.length === 0) return;
    const now = this.context.clock.now();
    const untilMs = Math.floor(now + this.settings.paidTtlMs);
    for (const tag of tags) {
      this.pending.delete(tag);
      this.pending.set(tag, { tag, untilMs, markedAtMs: now, source: 'purchase', reference: event.session });
    }
    this.counts.marked += tags.length;
    this.trimPending();
    this.writePending();
    this.logger.debug({ session: event.session, tags: tags.length }, 'sold tags marked paid');
    this.schedule();
  }

  /** Writes the sold tags' marks held in memory; on failure they stay there and a retry is set. */
  private writePending(): void {
    if (this.pending.size === 0) return;
    const marks = [...this.pending.values()];
    try {
      this.context.bus.transaction(() => {
        for (const mark of marks) this.marks.mark(mark);
      });
    } catch (error) {
      this.counts.failures += 1;
      if (!this.writeFailing) {
        this.logger.error(
          { err: error, tags: marks.length },
          'sold tags not written as paid; kept paid in memory and retried',
        );
      }
      this.writeFailing = true;
      return;
    }
    if (this.writeFailing) this.logger.info({ tags: marks.length }, 'sold tags written as paid again');
    this.writeFailing = false;
    // Only the marks written: a purchase handled meanwhile (none can be, synchronously) would stay.
    for (const mark of marks) if (this.pending.get(mark.tag) === mark) this.pending.delete(mark.tag);
  }

  private trimPending(): void {
    let dropped = 0;
    for (const tag of this.pending.keys()) {
      if (this.pending.size <= MAX_PENDING_MARKS) break;
      this.pending.delete(tag);
      dropped += 1;
    }
    if (dropped > 0)
      this.logger.error({ dropped }, 'too many sold tags waiting for the store; oldest dropped');
  }

  private verdict(tag: string, now: number): Verdict {
    const held = this.pending.get(tag);
    if (held && held.untilMs > now) return { paid: true };
    let mark: PaidMark | undefined;
    try {
      mark = this.marks.get(tag);
      if (this.readFailing) this.logger.info('paid marks readable again');
      this.readFailing = false;
    } catch (error) {
      // Alarming on a store that cannot answer: a missed theft is silent, a false alarm is not.
      if (!this.readFailing) this.logger.error({ err: error, tag }, 'paid marks unreadable; exits alarm');
      this.readFailing = true;
      return { paid: false, detail: 'paid marks could not be read' };
    }
    if (mark === undefined) return { paid: false, detail: 'not paid' };
    if (mark.untilMs > now) return { paid: true };
    return { paid: false, detail: `paid mark expired at ${new Date(mark.untilMs).toISOString()}` };
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

  private purge(): void {
    const now = this.context.clock.now();
    this.lastPurgeAt = now;
    try {
      const purged = this.marks.purge(now);
      this.counts.purged += purged;
      if (purged > 0) this.logger.debug({ purged }, 'expired paid marks deleted');
    } catch (error) {
      this.logger.error({ err: error }, 'expired paid marks not deleted; tried again later');
    }
  }

  /** One timer: the retry of refused marks, else the purge of the next mark to expire. */
  private schedule(): void {
    if (!this.running) return;
    const { clock } = this.context;
    const now = clock.now();
    let at: number;
    if (this.pending.size > 0) {
      at = now + RETRY_MS;
    } else {
      let next: number | undefined;
      try {
        next = this.marks.nextExpiry();
      } catch {
        next = now;
      }
      if (next === undefined) return;
      at = Math.max(next, this.lastPurgeAt + PURGE_MIN_INTERVAL_MS);
    }
    if (this.timer) {
      if (this.timerAt <= at) return;
      clock.clearTimeout(this.timer);
    }
    this.timerAt = at;
    this.timer = clock.setTimeout(() => this.onTimer(), Math.max(0, at - now));
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.writePending();
    if (this.pending.size === 0) this.purge();
    this.schedule();
  }

  private safeCount(): number | null {
    try {
      return this.marks.count();
    } catch {
      return null;
    }
  }
}

/** The exit monitor feature; not built without an `exitMonitor` section. */
export const exitMonitorFeature = defineFeature({
  name: 'exit-monitor',
  uses: ['catalog'],
  provides: ['exitMonitor'],
  build: (input) => {
    const settings = input.config.exitMonitor;
    if (!settings) return undefined;
    const monitor = new ExitMonitor(input, settings, input.uses.catalog);
    return { start: () => monitor.start(), stop: () => monitor.stop(), provides: { exitMonitor: monitor } };
  },
});
