import type { Writable } from 'node:stream';
import type { EventSink, GatewayEvent } from '../shared/events.js';

/** One JSON line per event; the `replay` contract and the demo terminal output. */
export class JsonLinesSink implements EventSink {
  constructor(private readonly out: Writable = process.stdout) {}

  write(event: GatewayEvent): void {
    this.out.write(`${JSON.stringify(event)}\n`);
  }

  flush(): Promise<void> {
    return new Promise((resolve) => {
      if (this.out.writableNeedDrain) this.out.once('drain', () => resolve());
      else resolve();
    });
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
