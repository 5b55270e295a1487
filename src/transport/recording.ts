import type { CaptureWriter } from './capture-writer.js';
import type { ByteTransport, TransportHandlers } from './types.js';

/** Wraps a transport so that both directions are written to a capture as they pass. */
export class RecordingTransport implements ByteTransport {
  constructor(
    private readonly inner: ByteTransport,
    private readonly writer: CaptureWriter,
    private readonly portId: string,
  ) {}

  get target(): string {
    return this.inner.target;
  }

  start(handlers: TransportHandlers): void {
    this.inner.start({
      data: (chunk) => {
        this.writer.rx(this.portId, chunk);
        handlers.data(chunk);
      },
      status: (status) => handlers.status(status),
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    await this.inner.write(bytes);
    // Recorded once it is on its way, so a capture never claims bytes the device did not get.
    this.writer.tx(this.portId, bytes);
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }
}
