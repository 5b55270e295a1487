import type { DecoderOutput, DecoderStats, StreamDecoder } from '../../shared/decoding.js';
import { OpenScaleDecodeReason, parseOpenScaleLine } from './line.js';

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

/**
 * Longest line kept, without its terminator. A reading with every option on is under 80 bytes
 * ("-2147483648,-12345.6789,lbs,-8388608,-55.0000,-55.0000,"); the menu's longest prompt is 77.
 */
export const OPENSCALE_MAX_LINE_BYTES = 128;

/** The channel of every reading; the value is grams. */
export const WEIGHT_CHANNEL = 'weight';

const SYNCING = 0;
const LINE = 1;
const DISCARDING = 2;
type Mode = typeof SYNCING | typeof LINE | typeof DISCARDING;

/**
 * Streaming decoder of the OpenScale's output. A line ends at CR or LF (the firmware's `println`
 * writes CR LF, its menu writes LF CR), so every variant works and empty lines are not lines.
 *
 * The protocol has no checksum and no start byte: a line is trusted only from its first byte. So
 * the decoder starts (and restarts, after `reset`) discarding up to the first line end: a port
 * opened while the scale prints would otherwise read "2,lbs," out of "10.52,lbs,", a wrong weight
 * that looks right. The same goes for a line with a NUL or another non-printable byte in it
 * (garbage, a wrong baud rate, the zeros an adapter reads as it is unplugged): the whole line is
 * dropped, up to its end, with one error.
 */
export class OpenScaleDecoder implements StreamDecoder {
  private readonly line = new Uint8Array(OPENSCALE_MAX_LINE_BYTES);
  private length = 0;
  private mode: Mode = SYNCING;
  private lineOffset = 0;
  /** Bytes of the line being discarded so far, and why (the first bad byte decides). */
  private discarded = 0;
  private discardReason: string = OpenScaleDecodeReason.notPrintable;
  private readonly counters: DecoderStats = { bytes: 0, frames: 0, reads: 0, errors: 0, droppedBytes: 0 };
  private skipped = 0;
  private readingsSeen = 0;

  constructor(private readonly output: DecoderOutput) {}

  get stats(): Readonly<DecoderStats> {
    return this.counters;
  }

  /** Weight readings decoded (each also counts as a frame). */
  get readings(): number {
    return this.readingsSeen;
  }

  /**
   * Lines that were neither readings nor errors: the firmware's banner and menu text, and the
   * partial line before the first line end (each also counts as a frame, but the partial one).
   */
  get skippedLines(): number {
    return this.skipped;
  }

  /** Bytes of an unfinished line held until its end (never more than OPENSCALE_MAX_LINE_BYTES). */
  get pendingBytes(): number {
    return this.length;
  }

  push(chunk: Uint8Array): void {
    const base = this.counters.bytes;
    this.counters.bytes += chunk.length;
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index] as number;
      if (byte === CR || byte === LF) {
        this.endLine();
        continue;
      }
      const printable = byte >= 0x20 && byte < 0x7f;
      if (this.mode === LINE) {
        if (this.length === 0) this.lineOffset = base + index;
        if (printable && this.length < OPENSCALE_MAX_LINE_BYTES) {
          this.line[this.length++] = byte;
          continue;
        }
        this.startDiscarding(printable ? OpenScaleDecodeReason.tooLong : reasonFor(byte));
      } else if (this.discarded === 0) {
        this.lineOffset = base + index;
      }
      // The partial line before the first line end is dropped quietly, unless it is garbage.
      if (this.mode === SYNCING && (!printable || this.discarded >= OPENSCALE_MAX_LINE_BYTES)) {
        this.mode = DISCARDING;
        this.discardReason = printable ? OpenScaleDecodeReason.tooLong : reasonFor(byte);
      }
      this.discarded++;
      this.counters.droppedBytes++;
      // Garbage without line ends (a wrong baud rate) is reported every so often, not never.
      if (this.discarded >= 4 * OPENSCALE_MAX_LINE_BYTES) this.reportDiscarded();
    }
  }

  /** Forgets a partial line (the port was reopened): the next bytes may start mid-line. */
  reset(): void {
    if (this.mode === DISCARDING) this.reportDiscarded();
    else if (this.mode === LINE && this.length > 0) {
      this.report(OpenScaleDecodeReason.reset, this.length, this.length);
    }
    this.length = 0;
    this.discarded = 0;
    this.mode = SYNCING;
  }

  private startDiscarding(reason: string): void {
    this.mode = DISCARDING;
    this.discardReason = reason;
    // The bytes kept so far are dropped with the rest.
    this.discarded = this.length;
    this.counters.droppedBytes += this.length;
    this.length = 0;
  }

  private endLine(): void {
    if (this.mode === SYNCING) {
      if (this.discarded > 0) this.skipped++;
      this.discarded = 0;
      this.mode = LINE;
      return;
    }
    if (this.mode === DISCARDING) {
      this.reportDiscarded();
      this.mode = LINE;
      return;
    }
    const size = this.length;
    if (size === 0) return;
    this.length = 0;
    const parsed = parseOpenScaleLine(String.fromCharCode(...this.line.subarray(0, size)));
    switch (parsed.kind) {
      case 'reading':
        this.counters.frames++;
        this.readingsSeen++;
        this.output.message({ kind: 'sensor', channel: WEIGHT_CHANNEL, value: parsed.grams });
        return;
      case 'text':
        this.counters.frames++;
        this.skipped++;
        if (parsed.firmware !== undefined) {
          this.output.message({
            kind: 'identity',
            model: 'SparkFun OpenScale',
            firmware: parsed.firmware,
            rebooted: true,
          });
        }
        this.output.message({ kind: 'log', text: parsed.text });
        return;
      case 'error':
        this.report(parsed.reason, size, size);
        return;
    }
  }

  private reportDiscarded(): void {
    if (this.discarded === 0) return;
    const dropped = this.discarded;
    this.discarded = 0;
    // Already counted in droppedBytes byte by byte.
    this.report(this.discardReason, dropped, 0);
  }

  /** Counts and reports a dropped line; `uncounted` of its bytes are not yet in droppedBytes. */
  private report(reason: string, droppedBytes: number, uncounted: number): void {
    this.counters.errors++;
    this.counters.droppedBytes += uncounted;
    this.output.decodeError({ reason, streamOffset: this.lineOffset, droppedBytes });
  }
}

function reasonFor(byte: number): string {
  return byte === NUL ? OpenScaleDecodeReason.nulBytes : OpenScaleDecodeReason.notPrintable;
}
