import type { Writable } from 'node:stream';
import type { EventSink, GatewayEvent } from '../shared/events.js';

/** One JSON line per event; the `replay` contract and the demo terminal output. */
export class JsonLinesSink implements EventSink {
  private broken = false;

  /**
   * A closed pipe (`rfid-gateway run | head`, a dropped SSH session) must not take the service
   * down: the sink stops writing and the other sinks (the outbox) go on.
   */
  constructor(private readonly out: Writable = process.stdout) {
    out.on('error', () => {
      this.broken = true;
    });
  }

  write(event: GatewayEvent): void {
    if (this.broken) return;
    this.out.write(`${JSON.stringify(event)}\n`);
  }

  flush(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.broken && this.out.writableNeedDrain) this.out.once('drain', () => resolve());
      else resolve();
    });
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
