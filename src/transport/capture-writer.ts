import { createWriteStream, type WriteStream } from 'node:fs';
import type { Clock, EpochMs } from '../shared/clock.js';
import type { CaptureHeader, CapturePort } from './capture.js';

/**
 * Records traffic to a capture file (format in DESIGN.md). Lines are queued on a write stream, so
 * recording never blocks the serial path; `close()` resolves once everything is on disk.
 */
export class CaptureWriter {
  private readonly stream: WriteStream;
  private readonly ports: Set<string>;
  private readonly start: EpochMs;
  private lastT = 0;
  private failure: Error | undefined;
  private closed: Promise<void> | undefined;

  constructor(
    readonly file: string,
    ports: CapturePort[],
    private readonly clock: Clock,
  ) {
    this.ports = new Set(ports.map((port) => port.id));
    if (this.ports.size === 0 || this.ports.size !== ports.length) {
      throw new Error(`capture ${file}: port ids must be present and distinct`);
    }
    this.start = clock.now();
    const header: CaptureHeader = {
      capture: 'rfid-gateway',
      version: 1,
      startedAt: new Date(this.start).toISOString(),
      ports,
    };
    this.stream = createWriteStream(file, { flags: 'w' });
    this.stream.on('error', (error) => {
      this.failure = error;
    });
    this.stream.write(`${JSON.stringify(header)}\n`);
  }

  /** Like the constructor, but resolves only once the file is open, so a bad path fails here. */
  static async open(file: string, ports: CapturePort[], clock: Clock): Promise<CaptureWriter> {
    const writer = new CaptureWriter(file, ports, clock);
    await new Promise<void>((resolve, reject) => {
      writer.stream.once('ready', () => resolve());
      writer.stream.once('error', reject);
    });
    return writer;
  }

  rx(portId: string, bytes: Uint8Array): void {
    this.append(portId, 'rx', bytes);
  }

  tx(portId: string, bytes: Uint8Array): void {
    this.append(portId, 'tx', bytes);
  }

  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve, reject) => {
      this.stream.end(() => (this.failure ? reject(this.failure) : resolve()));
    });
    return this.closed;
  }

  private append(portId: string, dir: 'rx' | 'tx', bytes: Uint8Array): void {
    if (this.closed !== undefined) throw new Error(`capture ${this.file}: written after close`);
    if (this.failure !== undefined) throw this.failure;
    if (!this.ports.has(portId)) throw new Error(`capture ${this.file}: unknown port "${portId}"`);
    // Microsecond resolution is plenty, and keeps float noise (15.500000001) out of the file. A wall
    // clock stepped back by NTP must not produce a capture the reader rejects as going backwards.
    const t = Math.max(this.lastT, Math.round((this.clock.now() - this.start) * 1000) / 1000);
    this.lastT = t;
    const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
    this.stream.write(`{"t":${t},"port":${JSON.stringify(portId)},"${dir}":"${hex}"}\n`);
  }
}
