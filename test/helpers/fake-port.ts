import type { ByteTransport, TransportHandlers } from '../../src/transport/types.js';

/**
 * A device's port as a transport reports it, fed by the test: online at start unless told
 * otherwise, then unplugged and plugged back as the test says; what the gateway writes is kept.
 */
export class FakePort implements ByteTransport {
  readonly written: Uint8Array[] = [];
  private handlers: TransportHandlers | undefined;

  constructor(
    readonly target = 'fake:fridge',
    private readonly onlineAtStart = true,
  ) {}

  start(handlers: TransportHandlers): void {
    this.handlers = handlers;
    if (this.onlineAtStart) handlers.status({ state: 'online' });
    else handlers.status({ state: 'offline', reason: 'ENOENT: no such device', attempt: 1, retryInMs: 500 });
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.written.push(bytes);
  }

  async stop(): Promise<void> {
    this.handlers?.status({ state: 'offline', reason: 'stopped', attempt: 0, retryInMs: null });
    this.handlers = undefined;
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
