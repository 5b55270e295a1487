import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecodeError, DecoderOutput } from '../../shared/decoding.js';
import { encodeEm4100Frame, encodeId12Frame, encodeRdm6300Frame } from './codec.js';
import { Em4100AsciiDecoder, Em4100DecodeReason } from './decoder.js';
import {
  CLONE13_ESPHOME_ISSUES_3610,
  COREID_JMRI_BAD_CHECKSUM,
  COREID_JMRI_VALID,
  GROVE_DATASHEET,
  ID12LA_DATASHEET,
  ID20LA_ESPHOME_13753,
  NOISE_PAYLOADS_ESP_RFID_411,
  RDM6300_ARDUINO_ESP32_1405,
  RDM6300_HB_UNI_SEN_3,
  RDM6300_PYTHON_STREAM,
  RDM6300_PYTHON_STREAM_IDS,
  SEEED_JMRI_BAD_CHECKSUM,
  SEEED_JMRI_VALID,
} from './fixtures.js';

interface Run {
  reads: string[];
  errors: DecodeError[];
  decoder: Em4100AsciiDecoder;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function fromHex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

function decode(chunks: Uint8Array[]): Run {
  const reads: string[] = [];
  const errors: DecodeError[] = [];
  const output: DecoderOutput = {
    tagRead(tag, offset, length, antenna, rssi) {
      expect(length).toBe(5);
      expect(antenna).toBe(0);
      expect(rssi).toBeNaN();
      reads.push(toHex(tag.subarray(offset, offset + length)));
    },
    message(message) {
      throw new Error(`unexpected message ${JSON.stringify(message)}`);
    },
    decodeError(error) {
      errors.push(error);
    },
  };
  const decoder = new Em4100AsciiDecoder(output);
  for (const chunk of chunks) decoder.push(chunk);
  return { reads, errors, decoder };
}

/** The byte stream cut at the given offsets (sorted, deduplicated, in range). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => Math.min(cut, bytes.length)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

describe('Em4100AsciiDecoder with real frames', () => {
  it.each([
    ['ID-20LA, esphome#13753', ID20LA_ESPHOME_13753, '0500207B32'],
    ['CORE-ID, JMRI', COREID_JMRI_VALID, '04171F04FE'],
    ['RDM6300, arduino-esp32#1405', RDM6300_ARDUINO_ESP32_1405, '0D00319CD0'],
    ['SeeedStudio, JMRI', SEEED_JMRI_VALID, '7800652CC9'],
    ['13-byte clone, esphome/issues#3610', CLONE13_ESPHOME_ISSUES_3610, '0114AE3BBC'],
    ['RDM6300, HB-UNI-Sen-RFID-RC#3', RDM6300_HB_UNI_SEN_3, '1F00644BB6'],
    ['Grove datasheet', GROVE_DATASHEET, '62E3086CED'],
    ['ID-xxLA datasheet', ID12LA_DATASHEET, '0C000621A5'],
  ])('decodes %s', (_name, frame, id) => {
    const { reads, errors, decoder } = decode([frame]);
    expect(reads).toEqual([id]);
    expect(errors).toEqual([]);
    expect(decoder.stats).toEqual({ bytes: frame.length, frames: 1, reads: 1, errors: 0, droppedBytes: 0 });
    expect(decoder.pendingBytes).toBe(0);
  });

  it.each([
    ['ID-12LA form (JMRI CORE-ID)', COREID_JMRI_BAD_CHECKSUM, COREID_JMRI_VALID, '04171F04FE'],
    ['RDM6300 form (JMRI Seeed)', SEEED_JMRI_BAD_CHECKSUM, SEEED_JMRI_VALID, '7800652CC9'],
  ])('rejects a bad checksum and decodes the good frame after it: %s', (_name, bad, good, id) => {
    const { reads, errors, decoder } = decode([concat(bad, good)]);
    expect(reads).toEqual([id]);
    expect(errors).toEqual([
      { reason: Em4100DecodeReason.badChecksum, streamOffset: 0, droppedBytes: bad.length },
    ]);
    expect(decoder.stats).toMatchObject({ frames: 1, reads: 1, errors: 1, droppedBytes: bad.length });
  });

  it('recovers the python-rdm6300 test stream: partial start, bad checksum, too long, UTF-8 junk', () => {
    const { reads, errors, decoder } = decode([RDM6300_PYTHON_STREAM]);
    expect(reads).toEqual(RDM6300_PYTHON_STREAM_IDS);
    // 12 + 6 frames of 14 + the too-long one of 16 + STX, 21 bytes of "SomeThingCrappyÚTFŐ", ETX.
    expect(RDM6300_PYTHON_STREAM.length).toBe(135);
    expect(errors).toEqual([
      { reason: Em4100DecodeReason.garbage, streamOffset: 0, droppedBytes: 12 },
      { reason: Em4100DecodeReason.badChecksum, streamOffset: 54, droppedBytes: 14 },
      // "68003B51C6CBDA": the 14th byte is 'D' where ETX or CR belongs.
      { reason: Em4100DecodeReason.malformed, streamOffset: 68, droppedBytes: 14 },
      { reason: Em4100DecodeReason.garbage, streamOffset: 82, droppedBytes: 2 },
      { reason: Em4100DecodeReason.malformed, streamOffset: 98, droppedBytes: 2 },
      // STX and 'S' were the false frame; "omeThingCrappyÚTFŐ" (20 bytes in UTF-8) and ETX remain.
      { reason: Em4100DecodeReason.garbage, streamOffset: 100, droppedBytes: 21 },
    ]);
    expect(decoder.stats).toEqual({ bytes: 135, frames: 5, reads: 5, errors: 6, droppedBytes: 65 });
  });

  it('decodes every real frame in one chunk and split at every offset, alike', () => {
    const stream = concat(
      ID20LA_ESPHOME_13753,
      RDM6300_ARDUINO_ESP32_1405,
      COREID_JMRI_BAD_CHECKSUM,
      CLONE13_ESPHOME_ISSUES_3610,
      ascii('noise'),
      SEEED_JMRI_VALID,
      ID20LA_ESPHOME_13753.subarray(0, 9),
      COREID_JMRI_VALID,
    );
    const expectedReads = ['0500207B32', '0D00319CD0', '0114AE3BBC', '7800652CC9', '04171F04FE'];
    const whole = decode([stream]);
    expect(whole.reads).toEqual(expectedReads);
    expect(whole.errors.map((error) => error.reason)).toEqual([
      Em4100DecodeReason.badChecksum,
      Em4100DecodeReason.garbage,
      Em4100DecodeReason.malformed,
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const parts = decode(split(stream, [cut]));
      expect(parts.reads).toEqual(expectedReads);
      expect(parts.errors).toEqual(whole.errors);
      expect(parts.decoder.stats).toEqual(whole.decoder.stats);
    }
    const byteByByte = decode(Array.from(stream, (byte) => Uint8Array.of(byte)));
    expect(byteByByte.reads).toEqual(expectedReads);
    expect(byteByByte.errors).toEqual(whole.errors);
  });

  it('keeps offsets counted from the start of the stream across chunks', () => {
    const { errors } = decode([ID20LA_ESPHOME_13753, concat(ascii('ab'), COREID_JMRI_BAD_CHECKSUM)]);
    expect(errors).toEqual([
      { reason: Em4100DecodeReason.garbage, streamOffset: 16, droppedBytes: 2 },
      { reason: Em4100DecodeReason.badChecksum, streamOffset: 18, droppedBytes: 16 },
    ]);
  });

  it('drops a truncated frame and decodes the frame whose STX interrupted it', () => {
    const { reads, errors } = decode([
      concat(ID20LA_ESPHOME_13753.subarray(0, 7), RDM6300_ARDUINO_ESP32_1405),
    ]);
    expect(reads).toEqual(['0D00319CD0']);
    expect(errors).toEqual([{ reason: Em4100DecodeReason.malformed, streamOffset: 0, droppedBytes: 7 }]);
  });

  it('resynchronises on an STX that was a truncated clone frame’s binary checksum', () => {
    // STX, ten hex digits, a raw checksum byte 0x02, cut off; then a whole RDM6300 frame.
    const truncatedClone = concat(ascii('\u00020114AE3BBC'), Uint8Array.of(0x02));
    const { reads, errors } = decode([concat(truncatedClone, RDM6300_ARDUINO_ESP32_1405)]);
    expect(reads).toEqual(['0D00319CD0']);
    expect(errors).toEqual([
      { reason: Em4100DecodeReason.malformed, streamOffset: 0, droppedBytes: 11 },
      { reason: Em4100DecodeReason.malformed, streamOffset: 11, droppedBytes: 1 },
    ]);
  });

  it('accepts clone frames whose binary checksum is STX, ETX, CR or a hex digit', () => {
    const ids = ['0000000002', '0000000003', '000000000D', '0000000041'];
    const frames = ids.map((id) => encodeEm4100Frame(fromHex(id), 'clone13'));
    expect(frames.map((frame) => frame[11])).toEqual([0x02, 0x03, 0x0d, 0x41]);
    expect(decode(frames).reads).toEqual(ids);
  });

  it('accepts lowercase hex digits', () => {
    const lowercase = ascii('\u00020500207b326c\r\n\u0003');
    expect(decode([lowercase]).reads).toEqual(['0500207B32']);
  });

  it('rejects the all-zero noise frame but cannot tell the other XOR-valid noise IDs (esp-rfid#411)', () => {
    const frames = NOISE_PAYLOADS_ESP_RFID_411.map((payload) => ascii(`\u0002${payload}\u0003`));
    const { reads, errors } = decode(frames);
    expect(errors).toEqual([{ reason: Em4100DecodeReason.noise, streamOffset: 0, droppedBytes: 14 }]);
    expect(reads).toEqual(NOISE_PAYLOADS_ESP_RFID_411.slice(1).map((payload) => payload.slice(0, 10)));
  });

  it('reports a long garbage run every 256 bytes, then the rest when an STX arrives', () => {
    const { reads, errors, decoder } = decode([new Uint8Array(600).fill(0xff), RDM6300_ARDUINO_ESP32_1405]);
    expect(reads).toEqual(['0D00319CD0']);
    expect(errors).toEqual([
      { reason: Em4100DecodeReason.garbage, streamOffset: 0, droppedBytes: 256 },
      { reason: Em4100DecodeReason.garbage, streamOffset: 256, droppedBytes: 256 },
      { reason: Em4100DecodeReason.garbage, streamOffset: 512, droppedBytes: 88 },
    ]);
    expect(decoder.stats.droppedBytes).toBe(600);
  });

  it('reset() discards a partial frame, counted, and decoding goes on', () => {
    const { reads, errors, decoder } = decode([ID20LA_ESPHOME_13753.subarray(0, 10)]);
    expect(decoder.pendingBytes).toBe(10);
    decoder.reset();
    expect(decoder.pendingBytes).toBe(0);
    decoder.push(ID20LA_ESPHOME_13753.subarray(10));
    decoder.push(RDM6300_ARDUINO_ESP32_1405);
    decoder.reset();
    expect(reads).toEqual(['0D00319CD0']);
    expect(errors).toEqual([
      { reason: Em4100DecodeReason.reset, streamOffset: 0, droppedBytes: 10 },
      { reason: Em4100DecodeReason.garbage, streamOffset: 10, droppedBytes: 6 },
    ]);
    expect(decoder.stats).toEqual({ bytes: 30, frames: 1, reads: 1, errors: 2, droppedBytes: 16 });
  });
});

describe('Em4100AsciiDecoder properties', () => {
  const tag = fc.uint8Array({ minLength: 5, maxLength: 5 }).filter((id) => id.some((byte) => byte !== 0));
  const form = fc.constantFrom('id12' as const, 'rdm6300' as const, 'clone13' as const);
  const cuts = fc.array(fc.nat({ max: 2000 }), { maxLength: 40 });

  it('never throws on random bytes, keeps its buffer bounded and accounts for every byte', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 30 }), (chunks) => {
        const { errors, decoder } = decode([]);
        for (const chunk of chunks) {
          decoder.push(chunk);
          expect(decoder.pendingBytes).toBeLessThanOrEqual(16);
        }
        decoder.reset();
        const { bytes, frames, droppedBytes } = decoder.stats;
        expect(errors.reduce((sum, error) => sum + error.droppedBytes, 0)).toBe(droppedBytes);
        expect(bytes - droppedBytes).toBeGreaterThanOrEqual(13 * frames);
        expect(bytes - droppedBytes).toBeLessThanOrEqual(16 * frames);
      }),
    );
  });

  it('recovers every valid frame separated by garbage free of STX, however the stream is split', () => {
    const garbage = fc.uint8Array({ maxLength: 40 }).map((bytes) => bytes.filter((byte) => byte !== 0x02));
    const item = fc.record({ tag, form, garbage });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 20 }), cuts, (items, cutPoints) => {
        const stream = concat(
          ...items.flatMap(({ tag: id, form: f, garbage: g }) => [g, encodeEm4100Frame(id, f)]),
        );
        const { reads, errors } = decode(split(stream, cutPoints));
        expect(reads).toEqual(items.map(({ tag: id }) => toHex(id)));
        expect(errors.length).toBe(items.filter(({ garbage: g }) => g.length > 0).length);
      }),
    );
  });

  it('gives the same reads, errors and stats whatever the chunking', () => {
    const piece = fc.oneof(
      fc.tuple(tag, form).map(([id, f]) => encodeEm4100Frame(id, f)),
      fc.tuple(tag, form, fc.nat({ max: 15 })).map(([id, f, n]) => encodeEm4100Frame(id, f).subarray(0, n)),
      fc.uint8Array({ maxLength: 20 }),
      fc.constant(COREID_JMRI_BAD_CHECKSUM),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), cuts, (pieces, cutPoints) => {
        const stream = concat(...pieces);
        const whole = decode([stream]);
        const parts = decode(split(stream, cutPoints));
        expect(parts.reads).toEqual(whole.reads);
        expect(parts.errors).toEqual(whole.errors);
        expect(parts.decoder.stats).toEqual(whole.decoder.stats);
      }),
    );
  });
});

describe('EM4100 encoders against real frames', () => {
  it('encodes the ID-12LA, RDM6300 and clone forms byte for byte as the readers sent them', () => {
    expect(encodeId12Frame(fromHex('0500207B32'))).toEqual(ID20LA_ESPHOME_13753);
    expect(encodeRdm6300Frame(fromHex('0D00319CD0'))).toEqual(RDM6300_ARDUINO_ESP32_1405);
    expect(encodeEm4100Frame(fromHex('0114AE3BBC'), 'clone13')).toEqual(CLONE13_ESPHOME_ISSUES_3610);
  });

  it('refuses IDs that are not 5 bytes', () => {
    expect(() => encodeId12Frame(new Uint8Array(4))).toThrow(RangeError);
  });
});
