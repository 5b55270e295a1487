import { describe, expect, it } from 'vitest';
import {
  buildResponse,
  buildStreamedTag,
  concat,
  recorder,
} from '../../../test/kits/protocols/thingmagic.js';
import { createThingMagicDecoder, MAX_REPORTED_RUN } from './decoder.js';
import * as fx from './fixtures.js';

function decode(...chunks: Uint8Array[]) {
  const out = recorder();
  const decoder = createThingMagicDecoder(out);
  for (const chunk of chunks) decoder.push(chunk);
  return { ...out, stats: decoder.stats, decoder };
}

const EPC_1545 = '000000000000000000001545';

/**
 * Hand-built with a separate Python script from the §1.2/§1.6 tables (bitwise CRCs), not with the
 * encoder: metadata flags 0x0006 (RSSI 0xB5 = −75, antenna 0x23 → RX 3), PC 0x1200 (2 words + XI),
 * XPC_W1 0x0000, EPC DEADBEEF, tag CRC B884, frame CRC C854.
 */
const HAND_XPC = Uint8Array.from([
  0xff, 0x14, 0x22, 0x00, 0x00, 0x10, 0x00, 0x1b, 0x00, 0x06, 0x01, 0xb5, 0x23, 0x00, 0x50, 0x12, 0x00, 0x00,
  0x00, 0xde, 0xad, 0xbe, 0xef, 0xb8, 0x84, 0xc8, 0x54,
]);
/**
 * Hand-built likewise: option 0x00, so no metadata-flags word and the response type sits at data[3];
 * PC 0x0800, EPC CAFE, tag CRC 09B2, frame CRC FFC1 (an FF inside the CRC).
 */
const HAND_NO_METADATA = Uint8Array.from([
  0xff, 0x0c, 0x22, 0x00, 0x00, 0x00, 0x00, 0x1b, 0x01, 0x00, 0x30, 0x08, 0x00, 0xca, 0xfe, 0x09, 0xb2, 0xff,
  0xc1,
]);
/**
 * Hand-built likewise with every UHF flag (0x1FFF): count, RSSI 0xC8, antenna 0x11, frequency,
 * timestamp, phase, protocol, 12 bits (2 bytes) of embedded data, GPIO, Q, LF, target, brand ID
 * 1234; the EPC field 010203040506 ends with the 2 brand bytes, so the EPC is 01020304.
 */
const HAND_ALL_FLAGS = Uint8Array.from([
  0xff, 0x29, 0x22, 0x00, 0x00, 0x10, 0x00, 0x1b, 0x1f, 0xff, 0x01, 0x01, 0xc8, 0x11, 0x0e, 0x16, 0x40, 0x00,
  0x00, 0x00, 0x05, 0x00, 0x00, 0x05, 0x00, 0x0c, 0xab, 0xc0, 0x0f, 0x04, 0x00, 0x00, 0x12, 0x34, 0x00, 0x50,
  0x18, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x34, 0xa3, 0xca, 0xe7,
]);

describe('REAL streamed tag frames (§1.8)', () => {
  it.each([
    ['T1', fx.TAG_T1, EPC_1545, 1, -60],
    ['T2', fx.TAG_T2, EPC_1545, 1, -51],
    ['T3', fx.TAG_T3, '596F596F', 1, -57],
    ['T4', fx.TAG_T4, 'E2001026760E017915907125', 1, -55],
    ['T5', fx.TAG_T5, 'CCDD', 1, -42],
    ['T6', fx.TAG_T6, 'AAAABBBBCCCCDDDDEEEEFFFF', 1, -28],
    ['T7 (embedded data, antenna 2)', fx.TAG_T7, '4444', 2, -21],
  ])('%s', (_name, frame, tag, antenna, rssi) => {
    const { reads, messages, errors, stats } = decode(frame);
    expect(reads).toEqual([{ tag, antenna, rssi }]);
    expect(messages).toEqual([]);
    expect(errors).toEqual([]);
    expect(stats).toEqual({ bytes: frame.length, frames: 1, reads: 1, errors: 0, droppedBytes: 0 });
  });

  it('reports tags from its own reused buffer, not from the chunk', () => {
    const seen: Uint8Array[] = [];
    const out = { ...recorder(), tagRead: (tag: Uint8Array) => seen.push(tag) };
    const decoder = createThingMagicDecoder(out);
    const chunk = fx.TAG_T1.slice();
    decoder.push(chunk);
    decoder.push(fx.TAG_T2);
    expect(seen[0]).not.toBe(chunk);
    expect(seen[0]).toBe(seen[1]);
  });
});

describe('REAL module answers and status frames', () => {
  it('0x29 tag buffer: one read per record', () => {
    const { reads, messages } = decode(fx.RSP_TAG_BUFFER_2);
    expect(reads).toEqual([
      { tag: EPC_1545, antenna: 1, rssi: -33 },
      { tag: '596F596F', antenna: 1, rssi: -60 },
    ]);
    expect(messages).toMatchObject([{ kind: 'response', opcode: 0x29, status: 0 }]);
  });

  it('keep-alive, over-temperature and the temperature stream', () => {
    const { messages, reads } = decode(fx.RSP_KEEPALIVE, fx.RSP_OVER_TEMPERATURE, fx.RSP_TEMPERATURE_29C);
    expect(reads).toEqual([]);
    expect(messages).toMatchObject([
      { kind: 'status', level: 'ok', code: 'keepalive' },
      { kind: 'status', level: 'warning', code: 'over-temperature' },
      { kind: 'status', level: 'ok', code: 'temperature', temperatureC: 29 },
    ]);
  });

  it('other stream statuses map to stable codes', () => {
    const codes = [0x0505, 0x0503, 0x0601, 0x0777].map((status) => {
      const { messages } = decode(buildResponse(0x22, status));
      return messages[0];
    });
    expect(codes).toMatchObject([
      { kind: 'status', level: 'warning', code: 'high-return-loss' },
      { kind: 'status', level: 'error', code: 'antenna-not-connected' },
      { kind: 'status', level: 'warning', code: 'tag-buffer-full' },
      { kind: 'status', level: 'error', code: 'status-0x0777' },
    ]);
  });

  it('version answer: response plus identity of an M6e Nano', () => {
    const { messages } = decode(fx.RSP_VERSION);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatchObject({ kind: 'response', opcode: 0x03, status: 0 });
    expect(messages[1]).toEqual({
      kind: 'identity',
      model: 'M6e Nano',
      firmware: '01.03.01.47 (2015-03-10)',
      hardware: '30.00.00.02',
      rebooted: false,
    });
  });

  it('a boot (0x04) answer, or a version frame in the middle of a stream, means the module rebooted', () => {
    const boot = buildResponse(0x04, 0, fx.RSP_VERSION.subarray(5, 25));
    expect(decode(boot).messages[1]).toMatchObject({ kind: 'identity', rebooted: true });
    const midStream = decode(fx.RSP_START_READING, fx.TAG_T1, fx.RSP_VERSION).messages;
    expect(midStream.at(-1)).toMatchObject({ kind: 'identity', rebooted: true });
    const afterStop = decode(fx.RSP_START_READING, fx.RSP_STOP_READING, fx.RSP_VERSION).messages;
    expect(afterStop.at(-1)).toMatchObject({ kind: 'identity', rebooted: false });
  });

  it('command answers carry opcode, status and a copy of the data', () => {
    const { messages } = decode(
      fx.RSP_START_READING,
      fx.RSP_STOP_READING,
      fx.RSP_SET_REGION,
      fx.RSP_GET_POWER,
      fx.RSP_GET_REGIONS,
      fx.RSP_READ_TAG_MULTIPLE,
      fx.RSP_SET_BAUD,
      fx.RSP_GET_PROGRAM,
      fx.RSP_CLEAR_TAG_BUFFER,
      fx.RSP_SET_ANTENNA,
      fx.RSP_SET_POWER,
      fx.RSP_SET_PROTOCOL,
      fx.RSP_READ_FILTER_OFF,
      buildResponse(0x91, 0x0105),
    );
    const hexData = (data: Uint8Array) => Buffer.from(data).toString('hex');
    expect(
      messages.map((m) => (m.kind === 'response' ? [m.opcode, m.status, hexData(m.data)] : m.kind)),
    ).toEqual([
      [0x2f, 0, '01220000'],
      [0x2f, 0, '02'],
      [0x97, 0, ''],
      [0x62, 0, '000a8c'],
      [0x71, 0, '0d04050608090b0cff'],
      [0x22, 0, '00001300000001'],
      [0x06, 0, ''],
      [0x0c, 0, '52'],
      [0x2a, 0, ''],
      [0x91, 0, ''],
      [0x92, 0, ''],
      [0x93, 0, ''],
      [0x9a, 0, ''],
      [0x91, 0x0105, ''],
    ]);
  });
});

describe('tag records beyond the 0x01FF layout', () => {
  it('hand-built: XPC word, RSSI and antenna only', () => {
    expect(decode(HAND_XPC).reads).toEqual([{ tag: 'DEADBEEF', antenna: 3, rssi: -75 }]);
  });

  it('hand-built: no metadata at all → antenna 0, RSSI NaN', () => {
    expect(decode(HAND_NO_METADATA).reads).toEqual([{ tag: 'CAFE', antenna: 0, rssi: Number.NaN }]);
  });

  it('hand-built: every UHF metadata flag, embedded data with a bit count, brand identifier', () => {
    expect(decode(HAND_ALL_FLAGS).reads).toEqual([{ tag: '01020304', antenna: 1, rssi: -56 }]);
  });

  it('EPC lengths 2..62 bytes', () => {
    for (let length = 2; length <= 62; length += 2) {
      const epc = Array.from({ length }, (_, i) => (i * 37 + length) & 0xff);
      const frame = buildStreamedTag(0x01ff, {
        epc,
        metadata: [0x01, 0xb0, 0x12, 0x0e, 0x16, 0x40, 0, 0, 0, 1, 0, 0, 0x05, 0, 0, 0x0f],
      });
      const { reads, errors } = decode(frame);
      expect(errors, `length ${length}`).toEqual([]);
      expect(reads).toEqual([{ tag: Buffer.from(epc).toString('hex').toUpperCase(), antenna: 2, rssi: -80 }]);
    }
  });

  it('two XPC words when XPC_W1 has its extension bit', () => {
    const frame = buildStreamedTag(0x0000, { epc: [0xab, 0xcd], pc: 0x0a00, xpc: [0x8000, 0x1234] });
    expect(decode(frame).reads).toEqual([{ tag: 'ABCD', antenna: 0, rssi: Number.NaN }]);
  });

  it('antenna 16 wraps to nibble 0', () => {
    const frame = buildStreamedTag(0x0004, { epc: [1, 2], metadata: [0x00] });
    expect(decode(frame).reads[0]?.antenna).toBe(16);
  });

  it('a record failing its Gen2 CRC is counted and dropped', () => {
    const bad = buildStreamedTag(0x0002, { epc: [1, 2, 3, 4], metadata: [0xc0], corruptTagCrc: true });
    const { reads, errors, stats } = decode(bad, fx.TAG_T3);
    expect(reads.map((r) => r.tag)).toEqual(['596F596F']);
    expect(errors).toEqual([{ reason: 'bad-tag-crc', streamOffset: 0, droppedBytes: 0 }]);
    expect(stats).toMatchObject({ frames: 2, reads: 1, errors: 1, droppedBytes: 0 });
  });

  it('the Gen2 CRC check can be turned off', () => {
    const bad = buildStreamedTag(0x0000, { epc: [1, 2], corruptTagCrc: true });
    const out = recorder();
    createThingMagicDecoder(out, { checkTagCrc: false }).push(bad);
    expect(out.reads).toEqual([{ tag: '0102', antenna: 0, rssi: Number.NaN }]);
  });

  it('records that overrun their frame or use unknown flags are errors, not reads', () => {
    const overrun = buildResponse(0x22, 0, [0x10, 0x00, 0x1b, 0x00, 0x80, 0x01, 0x00, 0xff, 0x00]);
    const hfFlags = buildStreamedTag(0x2000, { epc: [1, 2] });
    const { reads, errors } = decode(overrun, hfFlags);
    expect(reads).toEqual([]);
    expect(errors.map((e) => e.reason)).toEqual(['truncated-tag-record', 'unsupported-metadata']);
  });
});

describe('framing and resynchronisation', () => {
  const stream = concat(
    fx.RSP_VERSION,
    fx.RSP_START_READING,
    fx.TAG_T1,
    fx.RSP_KEEPALIVE,
    fx.TAG_T7,
    fx.TAG_T6,
  );
  const whole = decode(stream);

  it('decodes a stream of several frames in one chunk', () => {
    expect(whole.reads.map((r) => r.tag)).toEqual([EPC_1545, '4444', 'AAAABBBBCCCCDDDDEEEEFFFF']);
    expect(whole.messages.map((m) => m.kind)).toEqual(['response', 'identity', 'response', 'status']);
    expect(whole.stats).toEqual({ bytes: stream.length, frames: 6, reads: 3, errors: 0, droppedBytes: 0 });
  });

  it('gives the same result split at every offset, and byte by byte', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const split = decode(stream.subarray(0, cut), stream.subarray(cut));
      expect(split.reads, `cut ${cut}`).toEqual(whole.reads);
      expect(split.messages, `cut ${cut}`).toEqual(whole.messages);
      expect(split.stats).toEqual(whole.stats);
    }
    const bytes = Array.from(stream, (b) => Uint8Array.of(b));
    expect(decode(...bytes).reads).toEqual(whole.reads);
  });

  it('skips leading garbage and reports it once with its offset', () => {
    const garbage = Uint8Array.of(0x00, 0x13, 0x7e, 0x42, 0x01);
    const { reads, errors, stats } = decode(concat(garbage, fx.TAG_T1));
    expect(reads.map((r) => r.tag)).toEqual([EPC_1545]);
    expect(errors).toEqual([{ reason: 'garbage', streamOffset: 0, droppedBytes: 5 }]);
    expect(stats).toMatchObject({ errors: 1, droppedBytes: 5, frames: 1 });
  });

  it('finds the good frame after a bad-CRC frame, and counts the bad one', () => {
    const bad = fx.TAG_T4.slice();
    bad[20] = (bad[20] as number) ^ 0x01;
    const { reads, errors, stats } = decode(concat(fx.TAG_T1, bad, fx.TAG_T3));
    expect(reads.map((r) => r.tag)).toEqual([EPC_1545, '596F596F']);
    expect(errors).toEqual([{ reason: 'bad-crc', streamOffset: fx.TAG_T1.length, droppedBytes: bad.length }]);
    expect(stats).toMatchObject({ frames: 2, errors: 1, droppedBytes: bad.length });
  });

  it('a false start byte with LEN > 0xF8 costs one byte', () => {
    const { reads, errors } = decode(concat([0xff, 0xf9, 0x22], fx.TAG_T5));
    expect(reads.map((r) => r.tag)).toEqual(['CCDD']);
    expect(errors).toEqual([{ reason: 'bad-header', streamOffset: 0, droppedBytes: 3 }]);
  });

  it('a false start byte with an opcode no module sends costs one byte at once', () => {
    // FF 30 promises 55 bytes, but opcode FF (the next frame's start) is implausible.
    const { reads, errors } = decode(concat([0xff, 0x30], fx.TAG_T5));
    expect(reads.map((r) => r.tag)).toEqual(['CCDD']);
    expect(errors).toEqual([{ reason: 'bad-header', streamOffset: 0, droppedBytes: 2 }]);
  });

  it('a plausible false start holds the frames behind it until its CRC can fail, then finds them', () => {
    // FF 30 22 promises 55 bytes: T5 (37 bytes) is held back, not lost.
    const { reads, errors, decoder } = decode(concat([0xff, 0x30, 0x22], fx.TAG_T5));
    expect(reads).toEqual([]);
    decoder.push(fx.TAG_T3);
    expect(reads.map((r) => r.tag)).toEqual(['CCDD', '596F596F']);
    expect(errors).toEqual([{ reason: 'bad-crc', streamOffset: 0, droppedBytes: 3 }]);
  });

  it('0xFF inside payloads (metadata flags 01 FF, EPC FF FF, CRC FF C1) is not a start byte', () => {
    const { reads, errors } = decode(concat(fx.TAG_T6, HAND_NO_METADATA, fx.RSP_VERSION));
    expect(reads.map((r) => r.tag)).toEqual(['AAAABBBBCCCCDDDDEEEEFFFF', 'CAFE']);
    expect(errors).toEqual([]);
  });

  it('holds at most one partial frame and reset() forgets it, counting the bytes', () => {
    const { decoder, reads, errors, stats } = decode(fx.TAG_T1.subarray(0, 30));
    expect(decoder.buffered).toBe(30);
    decoder.reset();
    expect(decoder.buffered).toBe(0);
    decoder.push(fx.TAG_T2);
    expect(reads.map((r) => r.rssi)).toEqual([-51]);
    expect(errors).toEqual([{ reason: 'reset', streamOffset: 0, droppedBytes: 30 }]);
    expect(stats).toMatchObject({ bytes: 30 + fx.TAG_T2.length, errors: 1, droppedBytes: 30 });
  });

  it('reports a long garbage run in pieces, so a wrong baud rate shows before any good frame', () => {
    const { errors, stats } = decode(new Uint8Array(3000));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    for (const error of errors) expect(error.droppedBytes).toBeGreaterThanOrEqual(MAX_REPORTED_RUN);
    expect(stats.droppedBytes).toBe(3000);
  });

  it('accepts chunks larger than its buffer', () => {
    const frames = Array.from({ length: 40 }, () => fx.TAG_T4);
    const { reads, decoder } = decode(concat(...frames));
    expect(reads).toHaveLength(40);
    expect(decoder.buffered).toBe(0);
  });
});
