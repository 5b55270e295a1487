/**
 * Test helpers that share no code with the codec: CRCs bit by bit as protocols.md §1.3 states them,
 * and frame builders written from the layout tables, so tests do not just echo the encoder.
 */
import type { DecodeError, DecoderOutput, ReaderMessage } from '../../../src/shared/decoding.js';

/** §1.3 bitwise form: shift each message bit into the register, XOR 0x1021 when a 1 falls out. */
export function referenceFrameCrc(bytes: ArrayLike<number>): number {
  let crc = 0xffff;
  for (let i = 0; i < bytes.length; i++) {
    for (let bit = 7; bit >= 0; bit--) {
      const top = crc & 0x8000;
      crc = ((crc << 1) | (((bytes[i] as number) >> bit) & 1)) & 0xffff;
      if (top) crc ^= 0x1021;
    }
  }
  return crc;
}

/** CRC-16/GENIBUS bit by bit (poly 0x1021, preset 0xFFFF, inverted). */
export function referenceGen2Crc(bytes: ArrayLike<number>): number {
  let crc = 0xffff;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= (bytes[i] as number) << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc ^ 0xffff;
}

/** FF LEN OP ST_HI ST_LO DATA CRC_HI CRC_LO */
export function buildResponse(opcode: number, status: number, data: ArrayLike<number> = []): Uint8Array {
  const body = [data.length, opcode, status >> 8, status & 0xff, ...Array.from(data)];
  const crc = referenceFrameCrc(body);
  return Uint8Array.from([0xff, ...body, crc >> 8, crc & 0xff]);
}

export interface RecordSpec {
  epc: ArrayLike<number>;
  /** Metadata bytes exactly as they should appear, in flag order. */
  metadata?: ArrayLike<number>;
  /** PC word; default: EPC words in bits 15..11. */
  pc?: number;
  /** XPC words after the PC (the caller sets PC bit 0x0200). */
  xpc?: number[];
  /** Flip the tag CRC to make it wrong. */
  corruptTagCrc?: boolean;
}

/** Metadata + EPC-length (bits) + PC + [XPC] + EPC + Gen2 CRC. */
export function buildRecord(spec: RecordSpec): number[] {
  const pc = spec.pc ?? (spec.epc.length / 2) << 11;
  const id = [pc >> 8, pc & 0xff];
  for (const word of spec.xpc ?? []) id.push(word >> 8, word & 0xff);
  id.push(...Array.from(spec.epc));
  const crc = referenceGen2Crc(id) ^ (spec.corruptTagCrc ? 0xffff : 0);
  id.push(crc >> 8, crc & 0xff);
  const bits = id.length * 8;
  return [...Array.from(spec.metadata ?? []), bits >> 8, bits & 0xff, ...id];
}

/** A streamed 0x22 tag frame: option 0x10, search flags 0x001B, the flags word, type 0x01, record. */
export function buildStreamedTag(flags: number, spec: RecordSpec): Uint8Array {
  return buildResponse(0x22, 0, [0x10, 0x00, 0x1b, flags >> 8, flags & 0xff, 0x01, ...buildRecord(spec)]);
}

export const toHex = (bytes: ArrayLike<number>): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');

export interface Read {
  tag: string;
  antenna: number;
  rssi: number;
}

/** Collects everything a decoder reports, copying tag bytes as the contract requires. */
export function recorder(): DecoderOutput & {
  reads: Read[];
  messages: ReaderMessage[];
  errors: DecodeError[];
} {
  const reads: Read[] = [];
  const messages: ReaderMessage[] = [];
  const errors: DecodeError[] = [];
  return {
    reads,
    messages,
    errors,
    tagRead(tag, offset, length, antenna, rssi) {
      reads.push({ tag: toHex(tag.subarray(offset, offset + length)), antenna, rssi });
    },
    message(message) {
      messages.push(message);
    },
    decodeError(error) {
      errors.push(error);
    },
  };
}

export function concat(...parts: ArrayLike<number>[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => Array.from(part)));
}
