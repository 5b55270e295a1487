import type { TransportHandlers, TransportStatus } from '../../src/transport/types.js';

/** Handlers that keep everything a transport reports, for assertions. */
export class Recorder implements TransportHandlers {
  readonly statuses: TransportStatus[] = [];
  private chunks: Buffer[] = [];

  data(chunk: Uint8Array): void {
    this.chunks.push(Buffer.from(chunk));
  }

  status(status: TransportStatus): void {
    this.statuses.push(status);
  }

  /** Every byte received so far, as one buffer. */
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  clearData(): void {
    this.chunks = [];
  }

  get last(): TransportStatus | undefined {
    return this.statuses[this.statuses.length - 1];
  }

  /** The last status, if it is in `state` (for waitFor). */
  lastIs(state: TransportStatus['state']): TransportStatus | undefined {
    return this.last?.state === state ? this.last : undefined;
  }
}
