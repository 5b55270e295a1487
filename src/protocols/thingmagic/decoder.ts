import type { DecoderOutput } from '../../shared/decoding.js';
import { CarryDecoder } from '../carry-decoder.js';
import { thingmagicCrc } from './crc.js';
import { MAX_DATA_LENGTH, Opcode, RESPONSE_DATA_OFFSET, RESPONSE_OVERHEAD, START_BYTE } from './frame.js';
import { parseVersionBlock } from './identity.js';
import { describeStatus, Status } from './status.js';
import { createTagRecord, parseTagRecord, type RecordProblem } from './tag-record.js';

/**
 * Twice the longest frame (255 bytes): after a scan at most one incomplete frame is left, so there is
 * always room for the next slice of input and the buffer never has to grow or evict.
 */
export const CARRY_CAPACITY = 512;
export { MAX_REPORTED_RUN } from '../carry-decoder.js';

/** Search flag 0x0008 = tag streaming: the 0x22 frame is part of a continuous read, not a sync answer. */
const SEARCH_FLAG_STREAMING = 0x0008;
/** Singulation option 0x10: a metadata-flags word precedes the response-type byte. */
const OPTION_METADATA = 0x10;
const STREAM_TAG_RECORD = 0x01;
const STREAM_STATUS = 0x02;
const CONTINUOUS_START = 0x01;
const CONTINUOUS_STOP = 0x02;

export interface ThingMagicDecoderOptions {
  /** Check each tag's Gen2 CRC over PC+EPC and drop reads that fail it. Default true. */
  checkTagCrc?: boolean;
}

type DropReason = 'garbage' | 'bad-header' | 'bad-crc' | 'reset';

/**
 * Opcode ranges of MercuryAPI `TMR_SR_OpCode` (with room for newer firmware). A module only answers
 * opcodes a host sent, so anything else after FF is not a start of frame. MercuryAPI checks the
 * opcode too; here it matters most for an incomplete candidate, which would otherwise hold back
 * every frame behind it until enough bytes arrived to fail its CRC.
 */
const PLAUSIBLE_OPCODE = new Uint8Array(256);
const OPCODE_RANGES: [first: number, last: number][] = [
  [0x01, 0x10],
  [0x21, 0x2f],
  [0x60, 0x7f],
  [0x90, 0x9f],
  [0xc0, 0xcf],
];
for (const [first, last] of OPCODE_RANGES) PLAUSIBLE_OPCODE.fill(1, first, last + 1);

function u16(buf: Uint8Array, at: number): number {
  return ((buf[at] as number) << 8) | (buf[at + 1] as number);
}

/**
 * Reader→host byte stream decoder. Resynchronises per protocols.md §0/§1.10: a start byte needs
 * LEN ≤ 0xF8 and a plausible opcode, and LEN is trusted only once the CRC passes; a failed candidate
 * costs exactly its start byte and the search goes on from the next byte, so a good frame behind a
 * false start is never skipped (though it waits until the false one has had its bytes).
 */
export class ThingMagicDecoder extends CarryDecoder<DropReason> {
  private readonly record = createTagRecord();
  private readonly checkTagCrc: boolean;
  /**
   * Whether the module is in continuous reading. It cannot answer a version command then, so a
   * version frame arriving while streaming means it rebooted (inference from [TM-LIB] Example 1).
   */
  private streaming = false;
  /**
   * Whether the module acknowledged a stop (and has not started since). A 0x22 frame with a status
   * then answers a synchronous read ("no tags found" to a search), it is no read-cycle heartbeat.
   */
  private stopped = false;

  constructor(output: DecoderOutput, options: ThingMagicDecoderOptions = {}) {
    super(output, CARRY_CAPACITY, 'reset');
    this.checkTagCrc = options.checkTagCrc ?? true;
  }

  override reset(): void {
    // A reopened port may find the module streaming again (power-cycled, started by another host).
    this.stopped = false;
    super.reset();
  }

  protected scan(): void {
    const buf = this.buf;
    const fill = this.fill;
    let pos = 0;
    while (pos < fill) {
      if (buf[pos] !== START_BYTE) {
        pos = this.skipTo(START_BYTE, pos, 'garbage');
        continue;
      }
      if (pos + 2 >= fill) break;
      const length = buf[pos + 1] as number;
      if (length > MAX_DATA_LENGTH || PLAUSIBLE_OPCODE[buf[pos + 2] as number] === 0) {
        this.drop(pos, 1, 'bad-header');
        pos += 1;
        continue;
      }
      const end = pos + length + RESPONSE_OVERHEAD;
      if (end > fill) break;
      if (thingmagicCrc(buf, pos + 1, end - 2) !== u16(buf, end - 2)) {
        this.drop(pos, 1, 'bad-crc');
        pos += 1;
        continue;
      }
      this.flushRun();
      this.counts.frames++;
      this.dispatch(pos, length);
      pos = end;
    }
    if (pos > 0) {
      buf.copyWithin(0, pos, fill);
      this.fill = fill - pos;
      this.base += pos;
    }
  }

  private recordError(frameAt: number, problem: RecordProblem): void {
    this.counts.errors++;
    this.output.decodeError({ reason: problem, streamOffset: this.base + frameAt, droppedBytes: 0 });
  }

  private dispatch(at: number, length: number): void {
    const buf = this.buf;
    const opcode = buf[at + 2] as number;
    const status = u16(buf, at + 3);
    const start = at + RESPONSE_DATA_OFFSET;
    const end = start + length;
    if (opcode === Opcode.readTagMultiple && this.streamFrame(at, start, end, status)) return;
    if (opcode === Opcode.getTagBuffer && status === Status.ok) this.bufferRecords(at, start, end);
    const data = buf.slice(start, end);
    this.output.message({ kind: 'response', opcode, status, data });
    if (status !== Status.ok) return;
    if (opcode === Opcode.multiProtocolTagOp) {
      if (data[0] === CONTINUOUS_START) {
        this.streaming = true;
        this.stopped = false;
      } else if (data[0] === CONTINUOUS_STOP) {
        this.streaming = false;
        this.stopped = true;
      }
    } else if (opcode === Opcode.version || opcode === Opcode.bootFirmware) {
      const version = parseVersionBlock(data);
      if (version === undefined) return;
      const rebooted = opcode === Opcode.bootFirmware || this.streaming;
      this.streaming = false;
      this.output.message({ kind: 'identity', ...version, rebooted });
    }
  }

  /** Handles a 0x22 frame of a continuous read; false when it is an ordinary command answer. */
  private streamFrame(at: number, start: number, end: number, status: number): boolean {
    if (status !== Status.ok) {
      if (this.stopped) return false;
      const { level, code, detail } = describeStatus(status);
      this.output.message({ kind: 'status', level, code, detail });
      return true;
    }
    const buf = this.buf;
    if (end - start < 4 || (u16(buf, start + 1) & SEARCH_FLAG_STREAMING) === 0) return false;
    let typeAt = start + 3;
    let flags = 0;
    if ((buf[start] as number) & OPTION_METADATA) {
      flags = u16(buf, typeAt);
      typeAt += 2;
    }
    if (typeAt >= end) return false;
    const type = buf[typeAt];
    if (type === STREAM_TAG_RECORD) {
      this.streaming = true;
      this.stopped = false;
      this.report(at, typeAt + 1, end, flags);
      return true;
    }
    if (type === STREAM_STATUS) {
      this.streaming = true;
      this.stopped = false;
      // [TM-ACT] p. 27: the module temperature is the last data byte, in °C.
      const temperatureC = ((buf[end - 1] as number) << 24) >> 24;
      this.output.message({ kind: 'status', level: 'ok', code: 'temperature', temperatureC });
      return true;
    }
    return false;
  }

  /** 0x29 answer: metadata flags u16, read option u8, record count u8, records. */
  private bufferRecords(at: number, start: number, end: number): void {
    if (end - start < 4) return;
    const flags = u16(this.buf, start);
    const count = this.buf[start + 3] as number;
    let p = start + 4;
    for (let i = 0; i < count; i++) {
      p = this.report(at, p, end, flags);
      if (p < 0) return;
    }
  }

  /** Reports one record; returns where the next one starts, -1 when that is unknown. */
  private report(frameAt: number, start: number, end: number, flags: number): number {
    const record = this.record;
    const problem = parseTagRecord(this.buf, start, end, flags, this.checkTagCrc, record);
    if (problem !== undefined) {
      this.recordError(frameAt, problem);
      return record.end;
    }
    this.counts.reads++;
    this.output.tagRead(this.buf, record.epcOffset, record.epcLength, record.antenna, record.rssi);
    return record.end;
  }
}

export function createThingMagicDecoder(
  output: DecoderOutput,
  options?: ThingMagicDecoderOptions,
): ThingMagicDecoder {
  return new ThingMagicDecoder(output, options);
}
