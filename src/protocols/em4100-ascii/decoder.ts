import type { DecoderOutput, DecoderStats, StreamDecoder } from '../../shared/decoding.js';
import { CR, EM4100_ID_LENGTH, ETX, HEX_VALUE, ID12_FRAME_LENGTH, LF, STX } from './codec.js';

/** `DecodeError.reason` values, stable so that tests and dashboards can match them. */
export const Em4100DecodeReason = {
  garbage: 'garbage between frames',
  malformed: 'malformed frame',
  badChecksum: 'bad checksum',
  noise: 'all-zero ID (reader noise)',
  reset: 'partial frame discarded by reset',
} as const;

/**
 * A garbage run is reported when the next STX ends it; a reader on the wrong baud rate may go a
 * long time without one, so a run this long is reported anyway and a new one starts.
 */
const GARBAGE_REPORT_BYTES = 256;

// Verdicts of `check` on the newest byte of a frame.
const MORE = 0;
const COMPLETE = 1;
const MALFORMED = 2;
const BAD_CHECKSUM = 3;
const NOISE = 4;
type Verdict = typeof MORE | typeof COMPLETE | typeof MALFORMED | typeof BAD_CHECKSUM | typeof NOISE;

const REJECT_REASON = {
  [MALFORMED]: Em4100DecodeReason.malformed,
  [BAD_CHECKSUM]: Em4100DecodeReason.badChecksum,
  [NOISE]: Em4100DecodeReason.noise,
} as const;

/**
 * Streaming decoder for the three EM4100 ASCII forms (ID-12LA 16 bytes, RDM6300 14 bytes, the
 * 13-byte clone with a binary checksum). The frame being assembled lives in a 16-byte buffer, so
 * memory is bounded whatever arrives; every good frame reports its 5-byte ID from a reused buffer.
 */
export class Em4100AsciiDecoder implements StreamDecoder {
  private readonly frame = new Uint8Array(ID12_FRAME_LENGTH);
  private readonly id = new Uint8Array(EM4100_ID_LENGTH);
  private length = 0;
  private frameOffset = 0;
  private garbageOffset = 0;
  private garbageBytes = 0;
  private readonly counters: DecoderStats = { bytes: 0, frames: 0, reads: 0, errors: 0, droppedBytes: 0 };

  constructor(private readonly output: DecoderOutput) {}

  get stats(): Readonly<DecoderStats> {
    return this.counters;
  }

  /** Bytes of a partial frame held until more arrive (never more than 16). */
  get pendingBytes(): number {
    return this.length;
  }

  push(chunk: Uint8Array): void {
    const base = this.counters.bytes;
    this.counters.bytes += chunk.length;
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index] as number;
      if (this.length === 0) {
        if (byte === STX) {
          this.endGarbage();
          this.frameOffset = base + index;
          this.frame[0] = STX;
          this.length = 1;
        } else {
          this.addGarbage(base + index);
        }
        continue;
      }
      this.frame[this.length++] = byte;
      this.validateFrom(this.length - 1);
    }
  }

  reset(): void {
    // A partial frame and a garbage run never coexist: an STX ends the run before a frame starts.
    if (this.length > 0) {
      this.drop(Em4100DecodeReason.reset, this.frameOffset, this.length);
      this.length = 0;
    } else {
      this.endGarbage();
    }
  }

  /**
   * Checks the buffered bytes from `start` on. After a rejection the bytes following the false
   * start are checked again from the next STX among them, so a frame that began inside a broken
   * one is not lost. A frame can only complete on the newest byte: a remainder after a rejection
   * is at most 5 bytes long (an STX is only accepted at position 11, the clone's binary checksum).
   */
  private validateFrom(start: number): void {
    let position = start;
    while (position < this.length) {
      const verdict = this.check(position);
      if (verdict === MORE) {
        position++;
      } else if (verdict === COMPLETE) {
        this.counters.frames++;
        this.counters.reads++;
        this.length = 0;
        this.output.tagRead(this.id, 0, EM4100_ID_LENGTH, 0, Number.NaN);
      } else {
        this.reject(REJECT_REASON[verdict]);
        position = 1;
      }
    }
  }

  private check(position: number): Verdict {
    const frame = this.frame;
    const byte = frame[position] as number;
    if (position <= 10) return (HEX_VALUE[byte] as number) >= 0 ? MORE : MALFORMED;
    switch (position) {
      case 11:
        // A hex digit, or the clone's raw checksum byte, which may be anything (even STX).
        return MORE;
      case 12:
        if (byte === ETX) return this.verify(frame[11] as number);
        return (HEX_VALUE[byte] as number) >= 0 && (HEX_VALUE[frame[11] as number] as number) >= 0
          ? MORE
          : MALFORMED;
      case 13:
        if (byte === ETX) return this.verify(this.hexChecksum());
        return byte === CR ? MORE : MALFORMED;
      case 14:
        return byte === LF ? MORE : MALFORMED;
      default:
        return byte === ETX ? this.verify(this.hexChecksum()) : MALFORMED;
    }
  }

  private hexChecksum(): number {
    return (
      ((HEX_VALUE[this.frame[11] as number] as number) << 4) | (HEX_VALUE[this.frame[12] as number] as number)
    );
  }

  /** Decodes the ID into the reused buffer and checks it against the transmitted checksum. */
  private verify(transmitted: number): Verdict {
    let checksum = 0;
    let allBits = 0;
    for (let index = 0; index < EM4100_ID_LENGTH; index++) {
      const high = HEX_VALUE[this.frame[1 + 2 * index] as number] as number;
      const low = HEX_VALUE[this.frame[2 + 2 * index] as number] as number;
      const value = (high << 4) | low;
      this.id[index] = value;
      checksum ^= value;
      allBits |= value;
    }
    if (checksum !== transmitted) return BAD_CHECKSUM;
    // Readers emit XOR-valid all-zero frames from RF noise (protocols.md §2.3); no real tag has it.
    return allBits === 0 ? NOISE : COMPLETE;
  }

  /** Drops the false STX and everything up to the next STX inside the rejected bytes. */
  private reject(reason: string): void {
    let next = 1;
    while (next < this.length && this.frame[next] !== STX) next++;
    this.drop(reason, this.frameOffset, next);
    this.frame.copyWithin(0, next, this.length);
    this.length -= next;
    this.frameOffset += next;
  }

  private addGarbage(streamOffset: number): void {
    if (this.garbageBytes === 0) this.garbageOffset = streamOffset;
    this.garbageBytes++;
    this.counters.droppedBytes++;
    if (this.garbageBytes === GARBAGE_REPORT_BYTES) this.endGarbage();
  }

  private endGarbage(): void {
    if (this.garbageBytes === 0) return;
    this.counters.errors++;
    this.output.decodeError({
      reason: Em4100DecodeReason.garbage,
      streamOffset: this.garbageOffset,
      droppedBytes: this.garbageBytes,
    });
    this.garbageBytes = 0;
  }

  /** Reports bytes of a rejected frame; garbage bytes are counted as they arrive instead. */
  private drop(reason: string, streamOffset: number, droppedBytes: number): void {
    this.counters.errors++;
    this.counters.droppedBytes += droppedBytes;
    this.output.decodeError({ reason, streamOffset, droppedBytes });
  }
}
