import { DEFAULT_PAID_TTL_MS } from '../../config/exit-monitor.js';
import type { Logger } from '../../observability/logger.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { Bus, CommandRegistry, EventOf } from '../../shared/extension.js';
import { defineFeature } from '../../shared/feature.js';
import type { Store } from '../../store/index.js';
import { type PaidMark, PaidMarks } from './paid-marks.js';
import { type TagsPaidRequest, type TagsPaidResponse, tagsPaidFields } from './request.js';

/** Expired marks are deleted at most this often: they cost a row each, and reads ignore them anyway. */
export const PURGE_MIN_INTERVAL_MS = 60_000;
/** Sold tags whose mark did not commit are written again this much later (kept paid in memory meanwhile). */
const RETRY_MS = 1000;
/** Sold tags held in memory while the store refuses them; past this the oldest are dropped (and logged). */
const MAX_PENDING_MARKS = 10_000;

export type Verdict = { paid: true } | { paid: false; detail: string };

export interface PaidTagsStats {
  /** Tags marked paid (by `tags/paid` and by purchases; a tag marked twice counts twice). */
  marked: number;
  /** Expired marks deleted. */
  purged: number;
  /** Paid marks the store refused. */
  failures: number;
}

export interface PaidTagsDeps {
  store: Store;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  requests: CommandRegistry;
  paidTtlMs: number;
}

/**
 * Which tags are paid, in one place for every feature: `tags/paid` from a point of sale (the marks
 * and the `tags.paid` event commit together; engagement counts the event as a sale) and every item of
 * a `purchase.completed`, each for `paidTtlMs` (or the request's `ttlMs`). Marks live in the store,
 * so they survive a restart; an expired mark is not paid, and expired rows are deleted at start and
 * on a timer set for the next expiry. A purchase's marks announce nothing (the purchase event is the
 * record); if the store refuses them they are kept paid in memory and retried, since nobody else
 * would, and a paying customer must not set an exit alarm off.
 *
 * Part of the exit monitor, or on its own when only engagement is configured: a till closes the
 * funnel of a shelf-only gateway.
 */
export class PaidTags {
  private readonly marks: PaidMarks;
  private unregister: () => void;
  private readonly counts: PaidTagsStats = { marked: 0, purged: 0, failures: 0 };
  /** Sold tags whose marks the store refused, by tag: paid all the same until written. */
  private readonly pending = new Map<string, PaidMark>();
  private unsubscribe: (() => void) | undefined;
  private running = false;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private lastPurgeAt = Number.NEGATIVE_INFINITY;
  private readFailing = false;
  private writeFailing = false;

  constructor(private readonly deps: PaidTagsDeps) {
    this.marks = new PaidMarks(deps.store);
    // Here rather than at start: the command is answerable as soon as it is registered.
    this.unregister = deps.requests.register(
      'tags/paid',
      tagsPaidFields,
      (request) => this.markPaid(request),
      {
        owner: 'paid-tags',
        changesState: true,
      },
    );
  }

  start(): void {
    this.running = true;
    this.purge();
    this.unsubscribe = this.deps.bus.on('paid-tags', 'purchase.completed', (event) => this.onPurchase(event));
    this.schedule();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.running = false;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.writePending();
    if (this.pending.size > 0) {
      this.deps.logger.error(
        { tags: this.pending.size },
        'sold tags not marked paid at shutdown; they may alarm',
      );
    }
    this.unregister();
    this.unregister = () => {};
  }

  get stats(): PaidTagsStats {
    return { ...this.counts };
  }

  /** `tags/paid`: the marks and the `tags.paid` event commit together, or nothing changes. */
  markPaid(request: TagsPaidRequest): TagsPaidResponse {
    const { bus, clock } = this.deps;
    const tags = [...new Set(request.tags)];
    const now = clock.now();
    const untilMs = Math.floor(now + (request.ttlMs ?? this.deps.paidTtlMs));
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
    this.deps.logger.debug({ tags: tags.length, until }, 'tags marked paid');
    return { marked: tags.length, until, ...(reference === undefined ? {} : { reference }) };
  }

  /** Whether `tag` (uppercase) is paid at `now`, and why not. */
  verdict(tag: string, now: number): Verdict {
    const held = this.pending.get(tag);
    if (held && held.untilMs > now) return { paid: true };
    let mark: PaidMark | undefined;
    try {
      mark = this.marks.get(tag);
      if (this.readFailing) this.deps.logger.info('paid marks readable again');
      this.readFailing = false;
    } catch (error) {
      // Alarming on a store that cannot answer: a missed theft is silent, a false alarm is not.
      if (!this.readFailing)
        this.deps.logger.error({ err: error, tag }, 'paid marks unreadable; exits alarm');
      this.readFailing = true;
      return { paid: false, detail: 'paid marks could not be read' };
    }
    if (mark === undefined) return { paid: false, detail: 'not paid' };
    if (mark.untilMs > now) return { paid: true };
    return { paid: false, detail: `paid mark expired at ${new Date(mark.untilMs).toISOString()}` };
  }

  /** Marks in the store, or null when it cannot say. */
  count(): number | null {
    try {
      return this.marks.count();
    } catch {
      return null;
    }
  }

  private onPurchase(event: EventOf<'purchase.completed'>): void {
    const tags = [...new Set(event.items.map((item) => item.tag.toUpperCase()))];
    if (tags.length === 0) return;
    const now = this.deps.clock.now();
    const untilMs = Math.floor(now + this.deps.paidTtlMs);
    for (const tag of tags) {
      this.pending.delete(tag);
      this.pending.set(tag, { tag, untilMs, markedAtMs: now, source: 'purchase', reference: event.session });
    }
    this.counts.marked += tags.length;
    this.trimPending();
    this.writePending();
    this.deps.logger.debug({ session: event.session, tags: tags.length }, 'sold tags marked paid');
    this.schedule();
  }

  /** Writes the sold tags' marks held in memory; on failure they stay there and a retry is set. */
  private writePending(): void {
    if (this.pending.size === 0) return;
    const marks = [...this.pending.values()];
    try {
      this.deps.bus.transaction(() => {
        for (const mark of marks) this.marks.mark(mark);
      });
    } catch (error) {
      this.counts.failures += 1;
      if (!this.writeFailing) {
        this.deps.logger.error(
          { err: error, tags: marks.length },
          'sold tags not written as paid; kept paid in memory and retried',
        );
      }
      this.writeFailing = true;
      return;
    }
    if (this.writeFailing) this.deps.logger.info({ tags: marks.length }, 'sold tags written as paid again');
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
      this.deps.logger.error({ dropped }, 'too many sold tags waiting for the store; oldest dropped');
  }

  private purge(): void {
    const now = this.deps.clock.now();
    this.lastPurgeAt = now;
    try {
      const purged = this.marks.purge(now);
      this.counts.purged += purged;
      if (purged > 0) this.deps.logger.debug({ purged }, 'expired paid marks deleted');
    } catch (error) {
      this.deps.logger.error({ err: error }, 'expired paid marks not deleted; tried again later');
    }
  }

  /** One timer: the retry of refused marks, else the purge of the next mark to expire. */
  private schedule(): void {
    if (!this.running) return;
    const { clock } = this.deps;
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
    // Marks waiting to be written are work; a purge of expired ones is a chore (see Clock).
    this.timer = clock.setTimeout(() => this.onTimer(), Math.max(0, at - now), {
      background: this.pending.size === 0,
    });
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.writePending();
    if (this.pending.size === 0) this.purge();
    this.schedule();
  }
}

declare module '../../shared/feature.js' {
  interface Services {
    /** Which tags are paid: `tags/paid` and sold items. */
    paidTags: Pick<PaidTags, 'verdict' | 'markPaid' | 'count' | 'stats'>;
  }
}

/**
 * The paid marks, whenever something asks whether a tag is paid: the exit monitor, or engagement
 * alone (`tags/paid` from a till closes the funnel of a shelf-only gateway, as its "bought").
 */
export const paidTagsFeature = defineFeature({
  name: 'paid-tags',
  provides: ['paidTags'],
  build: ({ config, store, bus, clock, logger, requests }) => {
    if (!config.exitMonitor && !config.engagement) return undefined;
    const paidTags = new PaidTags({
      ...{ store, bus, clock, requests },
      paidTtlMs: config.exitMonitor?.paidTtlMs ?? DEFAULT_PAID_TTL_MS,
      logger: logger.child({ component: 'paid-tags' }),
    });
    return { start: () => paidTags.start(), stop: () => paidTags.stop(), provides: { paidTags } };
  },
});
