import type { DecoderOutput, DecoderStats, StreamDecoder } from '../../shared/decoding.js';
import { LinesDecodeReason, MAX_LINE_BYTES, parseLine } from './parse.js';

const LF = 0x0a;
const CR = 0x0d;

/**
 * Streaming decoder of the `lines` protocol. Bytes are held until the `\n`, so a UTF-8 character
 * or a `\r\n` split between chunks is whole when the line is read. The line buffer is fixed: a
 * line that outgrows it is skipped up to its `\n` and reported once.
 */
export class LinesDecoder implements StreamDecoder {
  // One more than the limit, for the `\r` of a line of exactly MAX_LINE_BYTES.
  private readonly line = new Uint8Array(MAX_LINE_BYTES + 1);
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private length = 0;
  private lineOffset = 0;
  /** Bytes of an overlong line skipped so far; 0 while not skipping. */
  private skipped = 0;
  private readonly counters: DecoderStats = { bytes: 0, frames: 0, reads: 0, errors: 0, droppedBytes: 0 };

  constructor(private readonly output: DecoderOutput) {}

  get stats(): Readonly<DecoderStats> {
    return this.counters;
  }

  /** Bytes of an unfinished line held until its `\n` (never more than MAX_LINE_BYTES + 1). */
  get pendingBytes(): number {
    return this.length;
  }

  push(chunk: Uint8Array): void {
    const base = this.counters.bytes;
    this.counters.bytes += chunk.length;
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index] as number;
      if (this.length === 0 && this.skipped === 0) this.lineOffset = base + index;
      if (byte === LF) {
        this.endLine();
      } else if (this.skipped > 0) {
        this.skipped++;
        this.counters.droppedBytes++;
      } else if (this.length < MAX_LINE_BYTES || (this.length === MAX_LINE_BYTES && byte === CR)) {
        this.line[this.length++] = byte;
      } else {
        this.skipped = this.length + 1;
        this.counters.droppedBytes += this.skipped;
        this.length = 0;
      }
    }
  }

  reset(): void {
    if (this.skipped > 0) {
      this.report(LinesDecodeReason.tooLong, this.skipped, 0);
      this.skipped = 0;
    } else if (this.length > 0) {
      this.report(LinesDecodeReason.reset, this.length, this.length);
      this.length = 0;
    }
  }

  private endLine(): void {
    if (this.skipped > 0) {
      this.counters.droppedBytes++;
      this.report(LinesDecodeReason.tooLong, this.skipped + 1, 0);
      this.skipped = 0;
      return;
    }
    const size = this.length;
    this.length = 0;
    const end = size > 0 && this.line[size - 1] === CR ? size - 1 : size;
    let text: string;
    try {
      text = this.utf8.decode(this.line.subarray(0, end));
    } catch {
      this.report(LinesDecodeReason.invalidUtf8, size + 1, size + 1);
      return;
    }
    const parsed = parseLine(text);
    if (!Array.isArray(parsed)) {
      this.report(parsed.error, size + 1, size + 1);
      return;
    }
    if (parsed.length === 0 && text.trim() === '') return;
    this.counters.frames++;
    for (const message of parsed) this.output.message(message);
  }

  /** Counts and reports a dropped line; `uncounted` of its bytes are not yet in droppedBytes. */
  private report(reason: string, droppedBytes: number, uncounted: number): void {
    this.counters.errors++;
    this.counters.droppedBytes += uncounted;
    this.output.decodeError({ reason, streamOffset: this.lineOffset, droppedBytes });
  }
}
