import { describe, expect, it } from 'vitest';
import type { DecodeError, DecoderOutput, ReaderMessage } from '../../shared/decoding.js';
import { CARRY_CAPACITY, createPn532Decoder } from './decoder.js';
import * as F from './fixtures.js';
import { encodeAnswer } from './frame.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function collect() {
  const reads: { uid: string; antenna: number; rssi: number }[] = [];
  const messages: ReaderMessage[] = [];
  const errors: DecodeError[] = [];
  const output: DecoderOutput = {
    tagRead(tag, offset, length, antenna, rssi) {
      reads.push({ uid: hex(tag.subarray(offset, offset + length)), antenna, rssi });
    },
    message: (message) => messages.push(message),
    decodeError: (error) => errors.push(error),
  };
  const decoder = createPn532Decoder(output);
  return { decoder, reads, messages, errors };
}

function decode(...chunks: Uint8Array[]) {
  const result = collect();
  for (const chunk of chunks) result.decoder.push(chunk);
  return result;
}

const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));

describe('PN532 decoder', () => {
  it('reads the 7-byte UID of a real poll answer, behind its ACK', () => {
    const { reads, messages, errors, decoder } = decode(F.POLL_ANSWER_7_BYTE);
    expect(reads).toEqual([{ uid: hex(F.UID_7_BYTE), antenna: 0, rssi: Number.NaN }]);
    expect(messages).toEqual([
      { kind: 'response', opcode: 0x4a, status: 0, data: F.POLL_ANSWER_7_BYTE.subarray(13, 26) },
    ]);
    expect(errors).toEqual([]);
    expect(decoder.stats).toEqual({ bytes: 28, frames: 2, reads: 1, errors: 0, droppedBytes: 0 });
  });

  it('reads 4-byte, 7-byte and ATS-carrying cards', () => {
    const { reads, errors } = decode(F.POLL_ANSWER_4_BYTE, F.POLL_ANSWER_NFCPY, F.POLL_ANSWER_WITH_ATS);
    expect(reads.map((read) => read.uid)).toEqual([hex(F.UID_4_BYTE), hex(F.UID_NFCPY), hex(F.UID_WITH_ATS)]);
    expect(errors).toEqual([]);
  });

  it('reads both targets of a two-card answer, past the first one ATS', () => {
    // Tg 1: ISO 14443-4 with a 3-byte ATS (TL 03); Tg 2: a MIFARE Classic.
    const answer = encodeAnswer(
      0x4a,
      [
        0x02, 0x01, 0x00, 0x04, 0x20, 0x04, 0x08, 0x11, 0x22, 0x33, 0x03, 0x78, 0x80, 0x02, 0x00, 0x04, 0x08,
        0x04, 0xde, 0xad, 0xbe, 0xef,
      ],
    );
    expect(decode(answer).reads.map((read) => read.uid)).toEqual(['08112233', 'deadbeef']);
  });

  it('reports no read for a poll without a card, but the answer', () => {
    const { reads, messages } = decode(F.ACK, F.POLL_ANSWER_NO_CARD);
    expect(reads).toEqual([]);
    expect(messages).toEqual([{ kind: 'response', opcode: 0x4a, status: 0, data: Uint8Array.of(0) }]);
  });

  it('reports the firmware answer as a response and an identity', () => {
    const { messages } = decode(F.FIRMWARE_ANSWER);
    expect(messages).toEqual([
      { kind: 'response', opcode: 0x02, status: 0, data: Uint8Array.of(0x32, 0x01, 0x06, 0x07) },
      { kind: 'identity', model: 'PN532', firmware: '1.6', hardware: 'support 0x07', rebooted: false },
    ]);
  });

  it('reports NACK and the error frame as statuses', () => {
    const { messages, decoder } = decode(F.NACK, F.ERROR, F.SAM_CONFIGURATION_ANSWER);
    expect(messages.map((m) => (m.kind === 'status' ? `${m.level} ${m.code}` : m.kind))).toEqual([
      'warning nack',
      'error error-frame',
      'response',
    ]);
    expect(decoder.stats.errors).toBe(0);
  });

  it('decodes an extended frame', () => {
    const { messages } = decode(F.NFCPY_EXTENDED_ANSWER);
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message?.kind === 'response' && message.data.length).toBe(259);
  });

  it('decodes the same byte by byte', () => {
    const stream = concat(
      F.FIRMWARE_ANSWER,
      F.POLL_ANSWER_WITH_ATS,
      F.NFCPY_EXTENDED_ANSWER,
      F.POLL_ANSWER_7_BYTE,
    );
    const whole = decode(stream);
    const bytes = decode(...Array.from(stream, (byte) => Uint8Array.of(byte)));
    expect(bytes.reads).toEqual(whole.reads);
    expect(bytes.messages).toEqual(whole.messages);
    expect(bytes.decoder.stats).toEqual(whole.decoder.stats);
    expect(whole.reads).toHaveLength(2);
  });

  it('resynchronises after garbage, counting it once per run with its offset', () => {
    const garbage = Uint8Array.of(0x55, 0x55, 0x00, 0x13, 0x00, 0x00, 0x7e, 0xff, 0x00);
    const { reads, errors, decoder } = decode(garbage, F.POLL_ANSWER_4_BYTE, garbage, F.POLL_ANSWER_NFCPY);
    expect(reads.map((read) => read.uid)).toEqual([hex(F.UID_4_BYTE), hex(F.UID_NFCPY)]);
    expect(errors).toEqual([
      { reason: 'garbage', streamOffset: 0, droppedBytes: 9 },
      { reason: 'garbage', streamOffset: 9 + 19, droppedBytes: 9 },
    ]);
    expect(decoder.stats).toMatchObject({ frames: 2, errors: 2, droppedBytes: 18 });
  });

  it('drops a frame with a bad DCS, a bad LCS or a missing postamble, and keeps the next one', () => {
    const badDcs = F.POLL_ANSWER_4_BYTE.slice();
    badDcs[17] = 0x76;
    const badLcs = F.POLL_ANSWER_4_BYTE.slice();
    badLcs[4] = 0xf5;
    const badPostamble = F.POLL_ANSWER_4_BYTE.slice();
    badPostamble[18] = 0x01;
    for (const [bad, reason] of [
      [badDcs, 'bad-checksum'],
      [badLcs, 'bad-header'],
      [badPostamble, 'bad-postamble'],
    ] as const) {
      const { reads, errors } = decode(bad, F.POLL_ANSWER_NFCPY);
      expect(reads.map((read) => read.uid)).toEqual([hex(F.UID_NFCPY)]);
      expect(errors).toEqual([{ reason, streamOffset: 0, droppedBytes: bad.length }]);
    }
  });

  it('drops a UID whose bytes were flipped in transit (DCS catches it)', () => {
    const flipped = F.POLL_ANSWER_4_BYTE.slice();
    flipped[14] = 0x0c;
    expect(decode(flipped).reads).toEqual([]);
  });

  it('waits for the rest of a truncated frame and reports it on reset', () => {
    const { reads, errors, decoder } = decode(F.POLL_ANSWER_7_BYTE.subarray(0, 20));
    expect(reads).toEqual([]);
    expect(decoder.buffered).toBe(14);
    decoder.reset();
    expect(errors).toEqual([{ reason: 'reset', streamOffset: 6, droppedBytes: 14 }]);
    decoder.push(F.POLL_ANSWER_4_BYTE);
    expect(reads.map((read) => read.uid)).toEqual([hex(F.UID_4_BYTE)]);
  });

  it('takes a length byte of 0x0A, 0x00 or 0xFF in data, and 00 00 FF inside a UID', () => {
    // An answer of LEN 0x0A (a newline) whose data holds 00 00 FF and ACK-like bytes.
    const newlineLength = encodeAnswer(0x00, [0x0a, 0x0d, 0x0a, 0x00, 0xff, 0x00, 0x00, 0xff]);
    expect(newlineLength[3]).toBe(0x0a);
    const uidWithStart = encodeAnswer(0x4a, [0x01, 0x01, 0x00, 0x04, 0x08, 0x04, 0x00, 0x00, 0xff, 0x00]);
    const { reads, messages, errors } = decode(newlineLength, uidWithStart, F.ACK);
    expect(errors).toEqual([]);
    expect(messages).toHaveLength(2);
    expect(reads.map((read) => read.uid)).toEqual(['0000ff00']);
  });

  it('counts a target it cannot read, without dropping the answer', () => {
    const badLength = encodeAnswer(0x4a, [0x01, 0x01, 0x00, 0x04, 0x08, 0x05, 1, 2, 3, 4, 5]);
    const truncated = encodeAnswer(0x4a, [0x01, 0x01, 0x00, 0x44, 0x00, 0x07, 1, 2, 3]);
    const tooMany = encodeAnswer(0x4a, [0x03]);
    const { reads, messages, errors, decoder } = decode(badLength, truncated, tooMany);
    expect(reads).toEqual([]);
    expect(messages).toHaveLength(3);
    expect(errors.map((error) => error.reason)).toEqual([
      'bad-uid-length',
      'truncated-target',
      'bad-target-count',
    ]);
    expect(decoder.stats).toMatchObject({ frames: 3, errors: 3, droppedBytes: 0 });
  });

  it('ignores frames the host sent (an echoing adapter) as garbage', () => {
    const { messages, reads, errors } = decode(F.IN_LIST_PASSIVE_TARGET, F.POLL_ANSWER_4_BYTE);
    expect(messages).toHaveLength(1);
    expect(reads).toHaveLength(1);
    expect(errors[0]).toMatchObject({ reason: 'bad-header', streamOffset: 0 });
  });

  it('never holds more than its carry capacity, even on a long run of zeros', () => {
    const { decoder } = decode(new Uint8Array(5000));
    expect(decoder.buffered).toBeLessThanOrEqual(CARRY_CAPACITY);
    expect(decoder.stats.droppedBytes + decoder.buffered).toBe(5000);
  });
});
