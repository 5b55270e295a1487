import type { EventSink, GatewayEvent } from '../shared/events.js';
import type { Outbox } from '../store/types.js';

const COMMIT_RETRY_MS = 1000;

/**
 * Puts events into the outbox. The core never waits on the disk: events are buffered and
 * committed in one transaction at the end of the current tick, then the publisher is woken.
 */
export class OutboxSink implements EventSink {
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;

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
      // A full or failing disk may recover; do not wait for the next event to try again.
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = undefined;
        this.commitNow();
      }, COMMIT_RETRY_MS);
    }
  }

  async flush(): Promise<void> {
    this.commitNow();
  }

  async close(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.commitNow();
  }
}
