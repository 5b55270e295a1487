import type { ByteTransport, TransportHandlers } from '../../src/transport/types.js';

/** A serial port the test unplugs and plugs back: statuses and bytes as a real transport reports them. */
export class FakePort implements ByteTransport {
  constructor(readonly target = 'fake:fridge') {}

  private handlers: TransportHandlers | undefined;

  start(handlers: TransportHandlers): void {
    this.handlers = handlers;
    handlers.status({ state: 'online' });
  }

  async write(): Promise<void> {}

  async stop(): Promise<void> {
    this.handlers?.status({ state: 'offline', reason: 'stopped', attempt: 0, retryInMs: null });
  }

  unplug(reason: string): void {
    this.handlers?.status({ state: 'offline', reason, attempt: 1, retryInMs: 1000 });
  }

  plugIn(): void {
    this.handlers?.status({ state: 'online' });
  }

  data(chunk: Uint8Array): void {
    this.handlers?.data(chunk);
  }
}
