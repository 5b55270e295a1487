import type { Logger } from '../observability/logger.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import { systemClock } from '../shared/clock.js';
import type { Outbox, OutboxRecord } from '../store/types.js';
import type { GatewayMqttClient, PublishOutcome } from './client.js';
import { ClosingRefusalWatch, plainlyItsDoing, REFUSED_BY_CLOSING } from './closing-refusal.js';
import { RetainedValues } from './retained-values.js';
import { eventPayload } from './topics.js';
import type { CloseContext } from './wire-watch.js';

export interface OutboxPublisherOptions {
  outbox: Outbox;
  client: GatewayMqttClient;
  logger: Logger;
  clock?: Clock;
  /** Events awaiting their PUBACK at once; default: the client's `inFlightWindow` (64). */
  inFlightWindow?: number;
  /** An event without PUBACK for this long on a live connection drops the connection; default 30 s. */
  ackTimeoutMs?: number;
  /** Rows read from the outbox per query; default 256. */
  readBatch?: number;
}

export interface PublisherStats {
  inFlight: number;
  /** Events handed to MQTT (re-publications after a reconnect count again). */
  published: number;
  acknowledged: number;
  deadLettered: number;
  /** Events that were in flight when a connection dropped, hence published again. */
  unacknowledgedAtDisconnect: number;
}

interface DrainWaiter {
  resolve(drained: boolean): void;
  timer: TimerHandle;
}

/**
 * Publishes committed outbox events in `seq` order with QoS 1 on `<base>/events/<type>` (an
 * `epcis.event`: its EPCIS document on `<base>/epcis`, see `eventPayload`), at most
 * `inFlightWindow` awaiting their PUBACK, and marks each sent only when its PUBACK arrives.
 *
 * Delivery rules:
 * - A connection drop makes everything in flight unacknowledged: after the reconnect, publishing
 *   restarts from the lowest unacknowledged seq. Events may reach the broker twice; consumers
 *   dedupe by `id`/`seq`. Acknowledgements of an old connection are ignored.
 * - MQTT 5: a PUBACK reason code >= 0x80 (e.g. 135, not authorised) dead-letters the event with the
 *   reason; it is never marked sent.
 * - MQTT 3.1.1 cannot refuse a publish: Mosquitto answers a publish its ACL denies with an ordinary
 *   PUBACK and drops the message, so such an event is marked sent: use MQTT 5 where the ACL might
 *   deny. A broker that closes the connection instead: see ClosingRefusalWatch.
 * - A row rewritten in the outbox (`onRewrite`: a forget redacts it) is published as rewritten from
 *   then on: the rows read ahead are read again. What was already handed to MQTT went out before the
 *   rewrite; after a disconnect it is published again from the outbox, rewritten.
 */
export class OutboxPublisher {
  private readonly outbox: Outbox;
  private readonly client: GatewayMqttClient;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly window: number;
  private readonly ackTimeoutMs: number;
  private readonly readBatch: number;

  /** Bumped on every disconnect; a callback from an older generation is stale. */
  private generation = 0;
  /** Highest seq handed to MQTT on this connection. */
  private cursor = 0;
  private readAhead: OutboxRecord[] = [];
  private readIndex = 0;
  /** The last read found nothing new: no query until `notify()` or a reconnect. */
  private exhausted = false;
  /** seq → when it was published, in publication order. */
  private readonly inFlight = new Map<number, number>();
  private acked: number[] = [];
  private ackFlush: TimerHandle | undefined;
  /** A suspect waiting for the wire to be quiet (ClosingRefusalWatch.holdsBack). */
  private quietCheck: TimerHandle | undefined;
  private watchdog: TimerHandle | undefined;
  private readonly retained: RetainedValues;
  private readonly waiters = new Set<DrainWaiter>();
  private readonly unsubscribe: (() => void)[] = [];
  private started = false;
  private stopped = false;
  private pumping = false;
  /** Set when the publisher itself drops the connection: that close says nothing about an event. */
  private droppingOurselves = false;
  private readonly refusals = new ClosingRefusalWatch();
  /** The event published last (the one a broker refusing by closing would close on). */
  private lastSent: OutboxRecord | undefined;
  private readonly counters = {
    published: 0,
    acknowledged: 0,
    deadLettered: 0,
    unacknowledgedAtDisconnect: 0,
  };

  constructor(options: OutboxPublisherOptions) {
    this.outbox = options.outbox;
    this.client = options.client;
    this.log = options.logger.child({ component: 'publisher' });
    this.clock = options.clock ?? systemClock;
    this.window = options.inFlightWindow ?? options.client.inFlightWindow;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
    this.readBatch = options.readBatch ?? 256;
    this.retained = new RetainedValues(this.client, this.log);
    if (!Number.isInteger(this.window) || this.window < 1)
      throw new RangeError(`inFlightWindow must be a positive integer, got ${this.window}`);
    if (!(this.ackTimeoutMs > 0))
      throw new RangeError(`ackTimeoutMs must be positive, got ${this.ackTimeoutMs}`);
    if (!Number.isInteger(this.readBatch) || this.readBatch < 1)
      throw new RangeError(`readBatch must be a positive integer, got ${this.readBatch}`);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.unsubscribe.push(
      this.client.onConnect(() => this.connected()),
      this.client.onDisconnect((context) => this.disconnected(context)),
      this.outbox.onRewrite(() => this.dropReadAhead()),
    );
    if (this.client.connected) this.connected();
  }

  /** Call after each outbox commit: new rows may be waiting. */
  notify(): void {
    this.exhausted = false;
    this.pump();
  }

  /**
   * Publishes `payload` retained on `topic` (status, inventory, readers, metrics), with QoS 1 unless
   * told otherwise. The latest value wins: one publish per topic is in flight at a time, and every
   * topic's latest value is published again after each reconnect.
   */
  publishRetained(topic: string, payload: string | object, qos: 0 | 1 = 1): void {
    this.retained.publish(topic, payload, qos);
  }

  /** Resolves true once every committed event is acknowledged (or dead-lettered), false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.isDrained()) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: DrainWaiter = {
        resolve,
        timer: this.clock.setTimeout(() => {
          this.waiters.delete(waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      this.notify();
    });
  }

  /**
   * Stops publishing. Acknowledgements received so far are written to the outbox; later ones are
   * ignored, so those events are published again by the next run.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.retained.stop();
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.flushAcks();
    this.clearTimer('watchdog');
    this.clearTimer('quietCheck');
    for (const waiter of this.waiters) {
      this.clock.clearTimeout(waiter.timer);
      waiter.resolve(this.isDrained());
    }
    this.waiters.clear();
  }

  stats(): PublisherStats {
    return { inFlight: this.inFlight.size, ...this.counters };
  }

  private connected(): void {
    if (this.stopped) return;
    this.droppingOurselves = false;
    this.refusals.connected();
    this.retained.connected();
    this.pump();
  }

  private disconnected(context: CloseContext): void {
    // PUBACKs already received are real: record them before forgetting the rest.
    this.flushAcks();
    this.generation++;
    this.retained.disconnected();
    const byUs = this.droppingOurselves;
    this.droppingOurselves = false;
    if (!byUs && this.inFlight.size > 0) this.weighClose(context);
    this.counters.unacknowledgedAtDisconnect += this.inFlight.size;
    if (this.inFlight.size > 0)
      this.log.info(
        { unacknowledged: this.inFlight.size },
        'connection lost with events in flight; they are published again after the reconnect',
      );
    this.inFlight.clear();
    this.clearTimer('watchdog');
    this.clearTimer('quietCheck');
    this.cursor = 0;
    this.dropReadAhead();
  }

  /** The broker closed the connection with events in flight: was it refusing the oldest? */
  private weighClose(context: CloseContext): void {
    const [oldest, sentAt] = this.inFlight.entries().next().value as [number, number];
    const last = this.lastSent?.seq === oldest && this.inFlight.size === 1 ? this.lastSent : undefined;
    const itsDoing = plainlyItsDoing(context, last && this.client.topics.event(last.type), {
      sinceSentMs: this.clock.now() - sentAt,
    });
    const refused = this.refusals.closed(oldest, itsDoing);
    if (refused !== undefined && last !== undefined) {
      this.inFlight.delete(refused);
      this.deadLetter(last, REFUSED_BY_CLOSING);
    } else if (this.refusals.suspected === oldest) {
      this.log.warn({ seq: oldest }, 'closed again before this event was acknowledged: sending it alone');
    }
  }

  /**
   * Rows not yet sent were rewritten (a forgotten customer redacted): the copies read ahead hold the
   * old bytes, so they are read again from the outbox. Rows in flight went out before the rewrite;
   * if their connection drops, they are read again too, rewritten.
   */
  private dropReadAhead(): void {
    this.readAhead = [];
    this.readIndex = 0;
    this.exhausted = false;
  }

  private pump(): void {
    if (this.stopped || !this.started || this.pumping || !this.client.connected) return;
    if (this.refusals.holdsBack(this.inFlight.size, () => this.client.awaitingAck(), this.clock.now())) {
      this.quietCheck ??= this.clock.setTimeout(() => {
        this.quietCheck = undefined;
        this.pump();
      }, 25);
      return;
    }
    // publish() may settle a callback synchronously on an error path; one loop at a time.
    this.pumping = true;
    try {
      while (this.inFlight.size < this.refusals.window(this.window)) {
        const record = this.nextRecord();
        if (record === undefined || !this.send(record)) break;
      }
    } finally {
      this.pumping = false;
    }
    this.armWatchdog();
    this.checkDrained();
  }

  private nextRecord(): OutboxRecord | undefined {
    if (this.readIndex >= this.readAhead.length) {
      if (this.exhausted) return undefined;
      this.readAhead = this.outbox.pending(this.cursor, this.readBatch);
      this.readIndex = 0;
      this.exhausted = this.readAhead.length < this.readBatch;
    }
    const record = this.readAhead[this.readIndex];
    if (record !== undefined) this.readIndex++;
    return record;
  }

  private send(record: OutboxRecord): boolean {
    let topic: string;
    let payload: string;
    try {
      topic = this.client.topics.event(record.type);
    } catch (error) {
      this.deadLetter(
        record,
        `no topic for type ${JSON.stringify(record.type)}: ${(error as Error).message}`,
      );
      return true;
    }
    try {
      payload = eventPayload(record.type, record.payload);
    } catch (error) {
      this.deadLetter(
        record,
        `no payload for type ${JSON.stringify(record.type)}: ${(error as Error).message}`,
      );
      return true;
    }
    const generation = this.generation;
    const cursor = this.cursor;
    // Recorded before publish(): MQTT.js may run the callback before it returns, and settle() must
    // find the event in flight (and a disconnect it causes must find the cursor to reset).
    this.cursor = record.seq;
    if (this.inFlight.size === 0) this.refusals.first(record.seq);
    this.lastSent = record;
    this.inFlight.set(record.seq, this.clock.now());
    this.counters.published++;
    const sent = this.client.publish(topic, payload, { qos: 1 }, (outcome) =>
      this.settle(record, topic, generation, outcome),
    );
    if (!sent) {
      // Not connected (and so never called back): as if it had not been read.
      this.cursor = cursor;
      this.inFlight.delete(record.seq);
      this.counters.published--;
      this.readIndex--;
      return false;
    }
    return true;
  }

  private settle(record: OutboxRecord, topic: string, generation: number, outcome: PublishOutcome): void {
    if (generation !== this.generation || this.stopped || !this.inFlight.delete(record.seq)) return;
    if (outcome.kind !== 'failed') this.refusals.settled(record.seq);
    if (outcome.kind === 'acked') {
      this.acked.push(record.seq);
      this.counters.acknowledged++;
      // One transaction per burst of PUBACKs rather than one per event.
      this.ackFlush ??= this.clock.setTimeout(() => {
        this.ackFlush = undefined;
        this.flushAcks();
        this.checkDrained();
      }, 0);
    } else if (outcome.kind === 'rejected') {
      this.deadLetter(record, `the broker refused the publish on ${topic}: ${outcome.reason}`);
    } else {
      // No PUBACK and no disconnect: later events are already on the wire, so the only way back to
      // this one without breaking the order is a fresh connection.
      this.droppingOurselves = true;
      this.client.reconnectNow(`publish of seq ${record.seq} failed: ${outcome.error.message}`);
      return;
    }
    this.pump();
  }

  private deadLetter(record: OutboxRecord, reason: string): void {
    this.log.warn({ seq: record.seq, id: record.id, type: record.type, reason }, 'event dead-lettered');
    this.counters.deadLettered++;
    try {
      this.outbox.deadLetter(record.seq, reason);
    } catch (error) {
      this.log.error(
        { err: error, seq: record.seq },
        'could not dead-letter the event; it will be published again',
      );
    }
  }

  private flushAcks(): void {
    this.clearTimer('ackFlush');
    if (this.acked.length === 0) return;
    const seqs = this.acked;
    this.acked = [];
    try {
      this.outbox.markSent(seqs);
    } catch (error) {
      // Not recorded means published again later: a duplicate, never a loss.
      this.log.error({ err: error, events: seqs.length }, 'could not mark acknowledged events as sent');
    }
  }

  private armWatchdog(): void {
    if (this.watchdog !== undefined || this.inFlight.size === 0) return;
    const oldest = this.inFlight.values().next().value as number;
    const delay = Math.max(0, oldest + this.ackTimeoutMs - this.clock.now());
    this.watchdog = this.clock.setTimeout(() => {
      this.watchdog = undefined;
      const [seq, sentAt] = this.inFlight.entries().next().value ?? [];
      if (seq === undefined || sentAt === undefined) return;
      if (this.clock.now() - sentAt >= this.ackTimeoutMs) {
        this.droppingOurselves = true;
        this.client.reconnectNow(`no PUBACK for seq ${seq} within ${this.ackTimeoutMs} ms`);
      } else this.armWatchdog();
    }, delay);
  }

  private isDrained(): boolean {
    if (this.inFlight.size > 0 || this.acked.length > 0) return false;
    const stats = this.outbox.stats();
    return stats.depth === 0 && stats.buffered === 0;
  }

  private checkDrained(): void {
    if (this.waiters.size === 0 || !this.isDrained()) return;
    for (const waiter of this.waiters) {
      this.clock.clearTimeout(waiter.timer);
      waiter.resolve(true);
    }
    this.waiters.clear();
  }

  private clearTimer(name: 'watchdog' | 'ackFlush' | 'quietCheck'): void {
    const timer = this[name];
    if (timer !== undefined) this.clock.clearTimeout(timer);
    this[name] = undefined;
  }
}
