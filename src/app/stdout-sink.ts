import type { Writable } from 'node:stream';
import type { EventSink, GatewayEvent } from '../shared/events.js';

/** One JSON line per event (the `replay` contract), or another one-line rendering when given. */
export class JsonLinesSink implements EventSink {
  private broken = false;

  /**
   * A closed pipe (`rfid-gateway run | head`, a journal that went away) must not take the service
   * down: the sink stops writing and the other sinks (the outbox) go on. Whether the process ends
   * is the command's business (`run` stops on EPIPE unless its stdout is the journal).
   */
  constructor(
    private readonly out: Writable = process.stdout,
    private readonly render: (event: GatewayEvent) => string = (event) => JSON.stringify(event),
  ) {
    out.on('error', () => {
      this.broken = true;
    });
  }

  write(event: GatewayEvent): void {
    if (this.broken) return;
    this.out.write(`${this.render(event)}\n`);
  }

  /**
   * Waits until a full pipe has drained. A pipe that breaks or closes meanwhile never drains, so
   * `error` and `close` end the wait too: a shutdown must not hang on a vanished terminal.
   */
  flush(): Promise<void> {
    const out = this.out;
    if (this.broken || out.destroyed || !out.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        out.off('drain', done);
        out.off('error', done);
        out.off('close', done);
        resolve();
      };
      out.on('drain', done);
      out.on('error', done);
      out.on('close', done);
    });
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
