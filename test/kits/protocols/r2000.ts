/**
 * Test helpers that share no code with the codec: the checksum as a plain byte sum, a frame builder
 * written from the layout table, and an output that records what the decoder reports.
 */
import type { DecodeError, DecoderOutput, ReaderMessage } from '../../../src/shared/decoding.js';

export function toHex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
}

/** A0 LEN ADDR CMD DATA CHECK, CHECK making the whole frame sum to 0 mod 256. */
export function buildFrame(address: number, command: number, data: ArrayLike<number> = []): Uint8Array {
  const bytes = [0xa0, data.length + 3, address, command, ...Array.from(data)];
  const sum = bytes.reduce((a, b) => a + b, 0);
  return Uint8Array.from([...bytes, (256 - (sum % 256)) % 256]);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export interface Read {
  tag: string;
  antenna: number;
  rssi: number;
}

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
