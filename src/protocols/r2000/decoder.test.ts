import { describe, expect, it } from 'vitest';
import { buildFrame, concat, recorder } from '../../../test/kits/protocols/r2000.js';
import { CARRY_CAPACITY, createR2000Decoder, MAX_REPORTED_RUN } from './decoder.js';
import * as fx from './fixtures.js';

function decode(...chunks: Uint8Array[]) {
  const out = recorder();
  const decoder = createR2000Decoder(out);
  for (const chunk of chunks) decoder.push(chunk);
  return { ...out, stats: decoder.stats, decoder };
}

describe('REAL tag frames', () => {
  it.each([
    ['IND903', fx.TAG_IND903, 'E200301666130121155074EF', 1, -60],
    ['FreqAnt 8C', fx.TAG_8C, '300833B2DDD9014000000001', 1, -74],
    ['FreqAnt 74', fx.TAG_74, 'E2004074850A0103163070E1', 1, -75],
    ['FreqAnt D4', fx.TAG_D4, 'E2004074850A0103169067DD', 1, -82],
    ['0x8B session', fx.TAG_SESSION, '3009663781DB02974876FC6A', 1, -26],
  ])('%s', (_name, frame, tag, antenna, rssi) => {
    const { reads, messages, errors, stats } = decode(frame);
    expect(reads).toEqual([{ tag, antenna, rssi }]);
    expect(messages).toEqual([]);
    expect(errors).toEqual([]);
    expect(stats).toEqual({ bytes: frame.length, frames: 1, reads: 1, errors: 0, droppedBytes: 0 });
  });

  it('reports tags from its own reused buffer, not from the chunk', () => {
    const seen: Uint8Array[] = [];
    const decoder = createR2000Decoder({ ...recorder(), tagRead: (tag: Uint8Array) => seen.push(tag) });
    const chunk = fx.TAG_IND903.slice();
    decoder.push(chunk);
    decoder.push(fx.TAG_8C);
    expect(seen[0]).not.toBe(chunk);
    expect(seen[0]).toBe(seen[1]);
  });
});

describe('antenna and RSSI', () => {
  const epc = [0x11, 0x22, 0x33, 0x44];
  const tagFrame = (freqAnt: number, rssi: number, extra: number[] = []) =>
    buildFrame(0x01, 0x89, [freqAnt, 0x10, 0x00, ...epc, rssi, ...extra]);

  it('antenna from FreqAnt low bits, plus 4 when the RSSI high bit is set (8-port readers)', () => {
    const { reads } = decode(
      tagFrame(0x03, 0x50), // antenna 4, −49 dBm
      tagFrame(0xfc, 0x50), // channel 63, antenna 1
      tagFrame(0x00, 0xd0), // antenna 5, same −49 dBm
      tagFrame(0x03, 0x9f), // antenna 8, 0x1F − 129 = −98 dBm
    );
    expect(reads.map(({ antenna, rssi }) => [antenna, rssi])).toEqual([
      [4, -49],
      [1, -49],
      [5, -49],
      [8, -98],
    ]);
  });

  it('accepts two phase bytes after the RSSI', () => {
    const { reads, errors } = decode(tagFrame(0x01, 0x45, [0x12, 0x34]));
    expect(reads).toEqual([{ tag: '11223344', antenna: 2, rssi: -60 }]);
    expect(errors).toEqual([]);
  });

  it('counts a record whose length disagrees with its PC, or with no EPC, and goes on', () => {
    const { reads, errors, stats } = decode(
      buildFrame(0x01, 0x89, [0x00, 0x18, 0x00, ...epc, 0x45]), // PC says 3 words, 2 given
      buildFrame(0x01, 0x89, [0x00, 0x00, 0x00, 0x45]), // PC says no EPC
      fx.TAG_IND903,
    );
    expect(errors.map((e) => e.reason)).toEqual(['tag-record-length', 'empty-epc']);
    expect(reads).toHaveLength(1);
    expect(stats).toMatchObject({ frames: 3, reads: 1, errors: 2, droppedBytes: 0 });
  });
});

describe('round ends and reader errors', () => {
  it('a summary is the final response of the round', () => {
    const { messages, reads } = decode(fx.TAG_8C, fx.SUMMARY_17_PER_S);
    expect(reads).toHaveLength(1);
    expect(messages).toEqual([
      { kind: 'response', opcode: 0x89, status: 0, data: Uint8Array.of(0, 0, 0x11, 0, 0, 0, 5) },
    ]);
  });

  it('a 0x8B summary likewise', () => {
    const { messages } = decode(fx.TAG_SESSION, fx.SUMMARY_SESSION);
    expect(messages).toMatchObject([{ kind: 'response', opcode: 0x8b, status: 0 }]);
  });

  it('antenna missing: an error status naming the antenna, and the final response', () => {
    const { messages, errors } = decode(fx.ANTENNA_MISSING_2);
    expect(messages).toEqual([
      { kind: 'status', level: 'error', code: 'antenna-missing', detail: 'antenna 2' },
      { kind: 'response', opcode: 0x89, status: 0x22, data: Uint8Array.of(0x01, 0x22) },
    ]);
    expect(errors).toEqual([]);
  });

  it('an error code alone: no tag is a normal status, anything else counted by its name', () => {
    const { messages } = decode(fx.ERROR_NO_TAG, buildFrame(0x01, 0x89, [0x31]), buildFrame(1, 0x89, [0x99]));
    expect(messages.filter((m) => m.kind === 'status')).toEqual([
      { kind: 'status', level: 'ok', code: 'no-tag' },
      { kind: 'status', level: 'warning', code: 'tag-inventory-error' },
      { kind: 'status', level: 'error', code: 'error-0x99' },
    ]);
    expect(
      messages.filter((m) => m.kind === 'response').map((m) => m.kind === 'response' && m.status),
    ).toEqual([0x36, 0x31, 0x99]);
  });

  it('drops the summary whose checksum the document hand-edited, then decodes the next frame', () => {
    const { messages, errors, stats } = decode(fx.SUMMARY_BAD_CHECKSUM, fx.SUMMARY_17_PER_S);
    expect(messages).toHaveLength(1);
    expect(errors).toEqual([{ reason: 'bad-checksum', streamOffset: 0, droppedBytes: 12 }]);
    expect(stats).toMatchObject({ frames: 1, errors: 1, droppedBytes: 12 });
  });
});

describe('command answers', () => {
  it('firmware version: a response and an identity', () => {
    const { messages } = decode(fx.RSP_FIRMWARE_1_9);
    expect(messages).toEqual([
      { kind: 'response', opcode: 0x72, status: 0, data: Uint8Array.of(1, 9) },
      { kind: 'identity', firmware: '1.9', rebooted: false },
    ]);
  });

  it("a setter's result code is its status; a getter's byte is data", () => {
    const { messages } = decode(
      fx.RSP_SET_WORK_ANTENNA_OK,
      buildFrame(0x01, 0x76, [0x48]),
      buildFrame(0x01, 0x77, [0x21]), // 33 dBm, not "CW on error"
    );
    expect(messages).toEqual([
      { kind: 'response', opcode: 0x74, status: 0, data: Uint8Array.of(0x10) },
      { kind: 'response', opcode: 0x76, status: 0x48, data: Uint8Array.of(0x48) },
      { kind: 'response', opcode: 0x77, status: 0, data: Uint8Array.of(0x21) },
    ]);
  });
});

describe('resynchronisation', () => {
  it('skips garbage before, between and after frames, reporting each run once', () => {
    const { reads, errors, stats } = decode(
      concat(Uint8Array.of(1, 2, 3), fx.TAG_IND903, Uint8Array.of(0x55), fx.TAG_8C, Uint8Array.of(9, 9)),
    );
    expect(reads).toHaveLength(2);
    expect(errors).toEqual([
      { reason: 'garbage', streamOffset: 0, droppedBytes: 3 },
      { reason: 'garbage', streamOffset: 24, droppedBytes: 1 },
    ]);
    expect(stats).toMatchObject({ frames: 2, droppedBytes: 6, errors: 3 });
  });

  it('a frame split at every byte decodes the same', () => {
    const stream = concat(fx.TAG_IND903, fx.SUMMARY_17_PER_S, fx.ANTENNA_MISSING_2);
    const whole = decode(stream);
    const split = decode(...Array.from(stream, (b) => Uint8Array.of(b)));
    expect(split.reads).toEqual(whole.reads);
    expect(split.messages).toEqual(whole.messages);
    expect(split.stats).toEqual(whole.stats);
  });

  it('a LEN of 0x0A (newline) is an ordinary length: the summary frame', () => {
    const { messages, stats } = decode(fx.SUMMARY_17_PER_S.subarray(0, 2), fx.SUMMARY_17_PER_S.subarray(2));
    expect(fx.SUMMARY_17_PER_S[1]).toBe(0x0a);
    expect(messages).toHaveLength(1);
    expect(stats.errors).toBe(0);
  });

  it('a LEN equal to the start byte (0xA0) is read as a length', () => {
    const data = Array.from({ length: 0xa0 - 3 }, (_, i) => (i === 5 ? 0xa0 : i & 0x7f));
    const frame = buildFrame(0x01, 0x68, data);
    expect(frame[1]).toBe(0xa0);
    const { messages, stats } = decode(frame.subarray(0, 1), frame.subarray(1, 100), frame.subarray(100));
    expect(messages).toMatchObject([{ kind: 'response', opcode: 0x68 }]);
    expect(stats).toMatchObject({ frames: 1, errors: 0 });
  });

  it('a start byte inside a tag is not a frame start, and a false start costs one byte', () => {
    // EPC holds A0 04 01 89 01 D1, a whole valid inventory command frame.
    const epc = [0xa0, 0x04, 0x01, 0x89, 0x01, 0xd1];
    const tag = buildFrame(0x01, 0x89, [0x00, 0x18, 0x00, ...epc, 0x40]);
    const { reads, stats } = decode(concat(Uint8Array.of(0xa0, 0x13), tag));
    expect(reads).toEqual([{ tag: 'A004018901D1', antenna: 1, rssi: -65 }]);
    expect(stats).toMatchObject({ frames: 1, droppedBytes: 2 });
  });

  it('a truncated frame followed by a good one: the good one is found', () => {
    const truncated = fx.TAG_IND903.subarray(0, 12);
    const filler = new Uint8Array(0x13); // a real reader keeps talking; the false LEN needs its bytes
    const { reads, errors } = decode(truncated, fx.TAG_8C, filler, fx.TAG_D4);
    expect(reads.map((r) => r.tag)).toEqual(['300833B2DDD9014000000001', 'E2004074850A0103169067DD']);
    expect(errors[0]).toMatchObject({ reason: 'bad-checksum', streamOffset: 0 });
  });

  it('a corrupt byte in a tag frame drops it and keeps the next', () => {
    const corrupt = fx.TAG_IND903.slice();
    corrupt[10] = (corrupt[10] as number) ^ 0x01;
    const { reads } = decode(corrupt, fx.TAG_8C);
    expect(reads.map((r) => r.tag)).toEqual(['300833B2DDD9014000000001']);
  });

  it('A0 with an impossible LEN or command is a bad header', () => {
    const { errors, reads } = decode(
      Uint8Array.of(0xa0, 0x02, 0x01, 0x89),
      fx.TAG_8C,
      Uint8Array.of(0xa0, 0x05, 0x01, 0x00),
    );
    expect(reads).toHaveLength(1);
    expect(errors[0]).toMatchObject({ reason: 'bad-header', streamOffset: 0 });
  });

  it('a long garbage run is reported in pieces and the buffer stays bounded', () => {
    const out = recorder();
    const decoder = createR2000Decoder(out);
    const garbage = new Uint8Array(3000).fill(0x41);
    decoder.push(garbage);
    expect(decoder.buffered).toBeLessThanOrEqual(CARRY_CAPACITY);
    decoder.push(fx.TAG_8C);
    const pieces = out.errors.map((e) => e.droppedBytes);
    expect(pieces.length).toBe(3);
    expect(
      pieces.slice(0, 2).every((n) => n >= MAX_REPORTED_RUN && n < MAX_REPORTED_RUN + CARRY_CAPACITY),
    ).toBe(true);
    expect(pieces.reduce((a, b) => a + b, 0)).toBe(3000);
    expect(out.reads).toHaveLength(1);
  });

  it('reset forgets a partial frame and counts it', () => {
    const out = recorder();
    const decoder = createR2000Decoder(out);
    decoder.push(fx.TAG_IND903.subarray(0, 8));
    decoder.reset();
    decoder.push(fx.TAG_8C);
    expect(out.errors).toEqual([{ reason: 'reset', streamOffset: 0, droppedBytes: 8 }]);
    expect(out.reads).toHaveLength(1);
    expect(decoder.stats.bytes).toBe(8 + fx.TAG_8C.length);
  });
});
