import type { ByteTransport } from './types.js';

/**
 * A port whose received bytes are handed in by its owner (a replay feeding a capture to the
 * device's pipeline), not read from a device: it has no connection of its own to report, and what is
 * written to it goes to `written` (a replay's record of what the device would have been sent).
 */
export class FedTransport implements ByteTransport {
  constructor(
    readonly target: string,
    private readonly written: (bytes: Uint8Array) => void,
  ) {}

  start(): void {}

  async write(bytes: Uint8Array): Promise<void> {
    this.written(bytes);
  }

  async stop(): Promise<void> {}
}
