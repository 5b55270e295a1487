import type { DecoderOutput } from '../../shared/decoding.js';
import { CarryDecoder } from '../carry-decoder.js';

export { MAX_REPORTED_RUN } from '../carry-decoder.js';

import { Command, checksum, DATA_OFFSET, MAX_FRAME_LENGTH, MIN_LENGTH, START_BYTE } from './frame.js';
import { describeResult, ResultCode } from './status.js';

/** The shared `response` status of success; the reader's own code for it is `ResultCode.success`. */
const SUCCESS = 0;

/**
 * Twice the longest frame (257 bytes): after a scan at most one incomplete frame is left, so the next
 * slice of input always fits and the buffer never grows.
 */
export const CARRY_CAPACITY = 2 * MAX_FRAME_LENGTH;
/** A longer run of dropped bytes is reported in pieces, so a wrong baud rate shows in the logs. */
/** Data bytes of a round's summary frame (LEN 0x0A), the only 7-byte inventory answer. */
const SUMMARY_DATA_LENGTH = 7;
/** FreqAnt, PC (2), RSSI: a tag frame's data besides the EPC. */
const TAG_OVERHEAD = 4;
/** Two phase bytes some firmware appends after the RSSI when phase reporting is on. */
const PHASE_LENGTH = 2;

type DropReason = 'garbage' | 'bad-header' | 'bad-checksum' | 'reset';
export type TagProblem = 'tag-record-length' | 'empty-epc';

/**
 * Command codes a reader answers (hex-in/pyImpinj `enums.py`: GPIO and identifier 0x60–0x6A, reader
 * control 0x70–0x7E, 18000-6C 0x80–0x8E, buffer 0x90–0x94, 18000-6B 0xB0–0xB4). With a one-byte
 * checksum, 1 in 256 random candidates passes it; checking the code as well keeps garbage from
 * becoming frames (and from holding good frames back while a false LEN waits for its bytes).
 */
const PLAUSIBLE_COMMAND = new Uint8Array(256);
for (const [first, last] of [
  [0x60, 0x6a],
  [0x70, 0x7e],
  [0x80, 0x8e],
  [0x90, 0x94],
  [0xb0, 0xb4],
] as const) {
  PLAUSIBLE_COMMAND.fill(1, first, last + 1);
}

function isInventory(command: number): boolean {
  return (
    command === Command.realTimeInventory ||
    command === Command.fastSwitchInventory ||
    command === Command.sessionInventory
  );
}

/**
 * Reader→host decoder. Resynchronises as protocols.md §0 says: an A0 needs LEN ≥ 3 and a plausible
 * command, and LEN is trusted only once the checksum passes; a failed candidate costs exactly its
 * start byte, so a good frame behind a false start is never skipped.
 */
export class R2000Decoder extends CarryDecoder<DropReason> {
  constructor(output: DecoderOutput) {
    super(output, CARRY_CAPACITY, 'reset');
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
      if (pos + 3 >= fill) break;
      const length = buf[pos + 1] as number;
      if (length < MIN_LENGTH || PLAUSIBLE_COMMAND[buf[pos + 3] as number] === 0) {
        this.drop(pos, 1, 'bad-header');
        pos += 1;
        continue;
      }
      const end = pos + length + 2;
      if (end > fill) break;
      if (checksum(buf, pos, end - 1) !== buf[end - 1]) {
        this.drop(pos, 1, 'bad-checksum');
        pos += 1;
        continue;
      }
      this.flushRun();
      this.counts.frames++;
      this.dispatch(pos, end - 1);
      pos = end;
    }
    if (pos > 0) {
      buf.copyWithin(0, pos, fill);
      this.fill = fill - pos;
      this.base += pos;
    }
  }

  /** One checked frame at `at`; its data runs up to `end` (the checksum's offset). */
  private dispatch(at: number, end: number): void {
    const buf = this.buf;
    const command = buf[at + 3] as number;
    const start = at + DATA_OFFSET;
    const size = end - start;
    if (isInventory(command)) {
      if (size >= TAG_OVERHEAD && size !== SUMMARY_DATA_LENGTH) {
        this.tag(at, start, end);
        return;
      }
      if (size === 1 || (size === 2 && buf[start + 1] === ResultCode.antennaMissing)) {
        this.inventoryError(command, start, size);
        return;
      }
      // A round's summary (or an answer of a shape not known here): the poll's final answer.
      this.output.message({
        kind: 'response',
        opcode: command,
        status: SUCCESS,
        data: buf.slice(start, end),
      });
      return;
    }
    const data = buf.slice(start, end);
    // A setter answers a result code alone; a getter answers values, whatever their size.
    const code = size === 1 && isSetter(command) ? (data[0] as number) : ResultCode.success;
    const status = code === ResultCode.success ? SUCCESS : code;
    this.output.message({ kind: 'response', opcode: command, status, data });
    if (command === Command.getFirmwareVersion && size === 2) {
      this.output.message({ kind: 'identity', firmware: `${data[0]}.${data[1]}`, rebooted: false });
    }
  }

  /**
   * `ErrorCode` alone, or `AntID 22` for a missing antenna (pyImpinj `handle_packet`): reported as a
   * status and as the round's final answer, so a poll waiting for it ends.
   */
  private inventoryError(command: number, start: number, size: number): void {
    const buf = this.buf;
    const code = buf[start + size - 1] as number;
    const { level, code: name } = describeResult(code);
    const detail = size === 2 ? `antenna ${(buf[start] as number) + 1}` : undefined;
    this.output.message(
      detail === undefined
        ? { kind: 'status', level, code: name }
        : { kind: 'status', level, code: name, detail },
    );
    this.output.message({
      kind: 'response',
      opcode: command,
      status: code === ResultCode.success ? SUCCESS : code,
      data: buf.slice(start, start + size),
    });
  }

  /**
   * `FreqAnt PC(2) EPC RSSI [phase(2)]`: EPC length from the PC's top five bits (words). FreqAnt's
   * low two bits are the antenna; on 8-port readers the RSSI byte's high bit adds 4 to it. RSSI dBm
   * is the low seven bits − 129 (pyImpinj: raw − 129; real values stay below 0x80 on 4-port readers,
   * whose high bit is therefore always clear).
   */
  private tag(at: number, start: number, end: number): void {
    const buf = this.buf;
    const pc = ((buf[start + 1] as number) << 8) | (buf[start + 2] as number);
    const epcLength = (pc >> 11) * 2;
    const extra = end - start - TAG_OVERHEAD - epcLength;
    if (epcLength === 0 || (extra !== 0 && extra !== PHASE_LENGTH)) {
      this.counts.errors++;
      this.output.decodeError({
        reason: epcLength === 0 ? 'empty-epc' : 'tag-record-length',
        streamOffset: this.base + at,
        droppedBytes: 0,
      });
      return;
    }
    const rssiByte = buf[start + 3 + epcLength] as number;
    const antenna = ((buf[start] as number) & 0x03) + 1 + (rssiByte & 0x80 ? 4 : 0);
    this.counts.reads++;
    this.output.tagRead(buf, start + 3, epcLength, antenna, (rssiByte & 0x7f) - 129);
  }
}

const SETTERS: ReadonlySet<number> = new Set([
  0x61,
  0x62,
  0x66,
  0x67,
  0x69,
  0x71,
  0x73,
  Command.setWorkAntenna,
  Command.setOutputPower,
  Command.setFrequencyRegion,
  0x7a,
  0x85,
  0x8c,
  0x8d,
  0x93,
]);

function isSetter(command: number): boolean {
  return SETTERS.has(command);
}

export function createR2000Decoder(output: DecoderOutput): R2000Decoder {
  return new R2000Decoder(output);
}
