import { randomUUID } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { EventBody, EventSink, GatewayEvent } from '../shared/events.js';

/** Where `seq` numbers come from: in memory for replays, persisted once the outbox exists. */
export interface SeqSource {
  next(): number;
}

export class MemorySeq implements SeqSource {
  constructor(private last = 0) {}
  next(): number {
    this.last += 1;
    return this.last;
  }
}

/**
 * Puts the envelope around event bodies and hands them to every sink, in order. A sink that throws
 * is logged by the caller's `onSinkError` and the others still get the event.
 */
export class EventPublisher {
  private readonly sinks: EventSink[] = [];

  constructor(
    private readonly gateway: string,
    private readonly clock: Clock,
    private readonly seq: SeqSource,
    private readonly onSinkError: (error: unknown, event: GatewayEvent) => void,
  ) {}

  addSink(sink: EventSink): void {
    this.sinks.push(sink);
  }

  /** `atMs` is when it logically happened (a departure's deadline), which may precede `now`. */
  publish(body: EventBody, atMs: number = this.clock.now()): GatewayEvent {
    const event = {
      id: randomUUID(),
      seq: this.seq.next(),
      ts: new Date(Math.floor(atMs)).toISOString(),
      gateway: this.gateway,
      ...body,
    } as GatewayEvent;
    for (const sink of this.sinks) {
      try {
        sink.write(event);
      } catch (error) {
        this.onSinkError(error, event);
      }
    }
    return event;
  }

  async close(): Promise<void> {
    for (const sink of [...this.sinks].reverse()) {
      await sink.flush();
      await sink.close();
    }
  }
}
