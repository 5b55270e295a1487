import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../shared/clock.js';
import type { EventBody, EventType, GatewayEvent } from '../shared/events.js';
import type { Bus, BusCommand, BusCommands, BusStats, EventOf } from '../shared/extension.js';

export type { EventOf };

/**
 * The durable first recipient of every event (the outbox): it gets each event before any listener,
 * and it is where `seq` comes from, so a listener can never make the journal miss one.
 */
export interface Journal {
  nextSeq(): number;
  append(event: GatewayEvent): void;
}

/** Runs a function in one store transaction that also commits the journal's buffered events. */
export interface Transactor {
  transaction<T>(fn: () => T): T;
}

export interface BusOptions {
  gateway: string;
  clock: Clock;
  logger: Logger;
  /** Absent: `seq` is counted in memory (a replay, or a gateway without MQTT). */
  journal?: Journal;
  /** Absent: `transaction` just runs the function (nothing is persisted). */
  store?: Transactor;
  /** Where `seq` starts when counted in memory. */
  firstSeq?: number;
}

interface Subscription {
  name: string;
  types: ReadonlySet<string> | null;
  handler: (event: GatewayEvent) => void;
}

interface Pending {
  body: EventBody;
  atMs: number;
}

export type { BusStats };

/**
 * The typed event bus: the one place where an event gets its envelope and `seq`.
 *
 * An event emitted while another is being handled waits in a queue and is handled after it, so
 * `seq` follows cause and effect and no listener is ever re-entered. A listener that throws is
 * logged with the event's `seq` and `type` and counted; the other listeners still get the event.
 */
export class EventBus implements Bus {
  private readonly subscriptions: Subscription[] = [];
  private readonly queue: Pending[] = [];
  private head = 0;
  private dispatching = false;
  /** Set while a transaction runs: its events are held until it commits. */
  private collecting: Pending[] | undefined;
  private memorySeq: number;
  private emitted = 0;
  private journalErrors = 0;
  private readonly listenerErrors = new Map<string, number>();
  private readonly commandHandlers = new Map<string, (input: never) => Promise<void>>();

  constructor(private readonly options: BusOptions) {
    this.memorySeq = (options.firstSeq ?? 1) - 1;
  }

  /**
   * Calls `handler` for every event of the given types (`'*'` = all), after the journal and after
   * the listeners subscribed before it. Returns the unsubscribe function.
   */
  on<T extends EventType>(
    name: string,
    types: T | readonly T[] | '*',
    handler: (event: EventOf<T>) => void,
  ): () => void {
    const subscription: Subscription = {
      name,
      types: types === '*' ? null : new Set(typeof types === 'string' ? [types] : types),
      handler: handler as (event: GatewayEvent) => void,
    };
    this.subscriptions.push(subscription);
    return () => {
      const index = this.subscriptions.indexOf(subscription);
      if (index >= 0) this.subscriptions.splice(index, 1);
    };
  }

  /** `atMs` is when it logically happened (a departure's deadline), which may precede `now`. */
  emit(body: EventBody, atMs: number = this.options.clock.now()): void {
    const pending = { body, atMs };
    if (this.collecting) {
      this.collecting.push(pending);
      return;
    }
    this.queue.push(pending);
    this.drain();
  }

  /**
   * Runs `fn` (which changes persisted state and emits events) so that the state and the events
   * commit together: on success both are durable before any listener sees the events; if `fn` or
   * the commit throws, the state rolls back, the events are forgotten (their seqs are reused) and
   * the error is rethrown. Nested calls join the outer transaction.
   */
  transaction<T>(fn: () => T): T {
    const outer = this.collecting;
    if (outer) {
      // Nested: a savepoint. If it fails (and the outer one goes on), its rows and its events go.
      const mark = outer.length;
      try {
        return this.options.store ? this.options.store.transaction(fn) : fn();
      } catch (error) {
        outer.length = mark;
        throw error;
      }
    }
    const collected: Pending[] = [];
    const seqBefore = this.memorySeq;
    let events: GatewayEvent[] = [];
    this.collecting = collected;
    let result: T;
    try {
      const run = () => {
        const value = fn();
        this.collecting = undefined;
        // A journal that refuses an event fails the transaction: the state must not commit without it.
        events = collected.map((pending) => this.enveloped(pending, true) as GatewayEvent);
        return value;
      };
      result = this.options.store ? this.options.store.transaction(run) : run();
    } catch (error) {
      this.memorySeq = seqBefore;
      throw error;
    } finally {
      this.collecting = undefined;
    }
    this.emitted += events.length;
    for (const event of events) this.deliveries.push(event);
    this.drain();
    return result;
  }

  handle<C extends BusCommand>(command: C, handler: (input: BusCommands[C]) => Promise<void>): () => void {
    if (this.commandHandlers.has(command)) throw new Error(`bus command "${command}" has two handlers`);
    this.commandHandlers.set(command, handler);
    return () => {
      if (this.commandHandlers.get(command) === handler) this.commandHandlers.delete(command);
    };
  }

  async command<C extends BusCommand>(command: C, input: BusCommands[C]): Promise<void> {
    const handler = this.commandHandlers.get(command) as
      | ((input: BusCommands[C]) => Promise<void>)
      | undefined;
    if (!handler) throw new Error(`nothing handles "${command}" (no such device configured?)`);
    this.inFlight += 1;
    try {
      await handler(input);
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Commands started and not yet done (a replay lets them finish before its clock moves on). */
  get commandsInFlight(): number {
    return this.inFlight;
  }

  get stats(): BusStats {
    return {
      emitted: this.emitted,
      listenerErrors: Object.fromEntries(this.listenerErrors),
      journalErrors: this.journalErrors,
    };
  }

  private inFlight = 0;

  /** Events already enveloped and journalled (by a transaction), waiting for the listeners. */
  private readonly deliveries: GatewayEvent[] = [];

  private drain(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (;;) {
        const ready = this.deliveries.shift();
        if (ready) {
          this.deliver(ready);
          continue;
        }
        const pending = this.queue[this.head];
        if (pending === undefined) break;
        this.queue[this.head] = undefined as unknown as Pending;
        this.head += 1;
        const event = this.enveloped(pending, false);
        if (event === undefined) continue;
        this.emitted += 1;
        this.deliver(event);
      }
      this.queue.length = 0;
      this.head = 0;
    } finally {
      this.dispatching = false;
    }
  }

  /**
   * The envelope, with the next seq, handed to the journal before anything else sees it. An event
   * the journal refuses has no seq of its own: it is not delivered (outside a transaction, logged
   * and counted) or fails the transaction it belongs to.
   */
  private enveloped(pending: Pending, inTransaction: boolean): GatewayEvent | undefined {
    const journal = this.options.journal;
    try {
      const event = {
        id: randomUUID(),
        seq: journal ? journal.nextSeq() : this.memorySeq + 1,
        ts: new Date(Math.floor(pending.atMs)).toISOString(),
        gateway: this.options.gateway,
        ...pending.body,
      } as GatewayEvent;
      if (journal) journal.append(event);
      else this.memorySeq = event.seq;
      return event;
    } catch (error) {
      this.journalErrors += 1;
      this.options.logger.error(
        { err: error, type: pending.body.type },
        inTransaction ? 'event not journalled; its transaction fails' : 'event not journalled; it is dropped',
      );
      if (inTransaction) throw error;
      return undefined;
    }
  }

  private deliver(event: GatewayEvent): void {
    for (const subscription of this.subscriptions) {
      if (subscription.types !== null && !subscription.types.has(event.type)) continue;
      try {
        subscription.handler(event);
      } catch (error) {
        this.listenerErrors.set(subscription.name, (this.listenerErrors.get(subscription.name) ?? 0) + 1);
        this.options.logger.error(
          { err: error, listener: subscription.name, seq: event.seq, type: event.type },
          'event listener failed; the other listeners still got the event',
        );
      }
    }
  }
}
