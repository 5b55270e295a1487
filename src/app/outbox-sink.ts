import type { EventSink, GatewayEvent } from '../shared/events.js';
import type { Outbox } from '../store/types.js';

/**
 * Puts events into the outbox. The core never waits on the disk: events are buffered and
 * committed in one transaction at the end of the current tick, then the publisher is woken.
 */
export class OutboxSink implements EventSink {
  private scheduled = false;

  constructor(
    private readonly outbox: Outbox,
    private readonly onCommitted: () => void,
    private readonly onError: (error: unknown) => void,
    private readonly onDropped: (dropped: number) => void = () => {},
  ) {}

  write(event: GatewayEvent): void {
    this.outbox.append(event);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.commitNow());
    }
  }

  /** Commits what is buffered; the outbox keeps what it could not write for the next attempt. */
  commitNow(): void {
    this.scheduled = false;
    try {
      const { committed, dropped } = this.outbox.commit();
      if (committed > 0) this.onCommitted();
      // Reported as an event of its own, which the next commit stores (it is small and `normal`).
      if (dropped > 0) this.onDropped(dropped);
    } catch (error) {
      this.onError(error);
    }
  }

  async flush(): Promise<void> {
    this.commitNow();
  }

  async close(): Promise<void> {
    this.commitNow();
  }
}
