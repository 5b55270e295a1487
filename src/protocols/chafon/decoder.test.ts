import { describe, expect, it } from 'vitest';
import type { DecodeError, ReaderMessage } from '../../shared/decoding.js';
import { createChafonDecoder } from './decoder.js';
import {
  BAD_CHECKSUM,
  hex,
  R18_TAGS_1,
  R18_TAGS_3,
  R18_TWO_TAGS,
  R288_NO_TAGS,
  R288_TAGS_2,
  R288_TAGS_3,
  R288_TAGS_4,
  R288_TWO_TAGS,
  READER_INFO,
} from './fixtures.js';
import { encodeResponse } from './frame.js';

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function decode(chunks: Uint8Array[], options?: Parameters<typeof createChafonDecoder>[1]) {
  const reads: { tag: string; antenna: number; rssi: number }[] = [];
  const messages: ReaderMessage[] = [];
  const errors: DecodeError[] = [];
  const decoder = createChafonDecoder(
    {
      tagRead: (tag, offset, length, antenna, rssi) =>
        reads.push({ tag: toHex(tag.subarray(offset, offset + length)), antenna, rssi }),
      message: (message) => messages.push(message),
      decodeError: (error) => errors.push(error),
    },
    options,
  );
  for (const chunk of chunks) decoder.push(chunk);
  return { reads, messages, errors, decoder };
}

const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));

describe('chafon decoder', () => {
  it('reads the REAL UHFReader18 inventory answers: EPCs, no antenna, no RSSI', () => {
    const { reads, messages, errors } = decode([concat(R18_TAGS_1, R18_TAGS_3, R18_TWO_TAGS)]);
    expect(errors).toEqual([]);
    expect(reads.map((read) => read.tag)).toEqual([
      '000000000000000000000313',
      '49440000000000000a000334',
      '000000000000000000000313',
      '000000000000000000000314',
    ]);
    expect(reads.every((read) => read.antenna === 0 && Number.isNaN(read.rssi))).toBe(true);
    expect(
      messages.filter((m) => m.kind === 'response').map((m) => m.kind === 'response' && m.status),
    ).toEqual([3, 3, 3]);
  });

  it('learns the 288 layout from the REAL reader information and reads antenna masks', () => {
    const { reads, messages } = decode([
      concat(READER_INFO, R288_TAGS_2, R288_TAGS_3, R288_TAGS_4, R288_NO_TAGS),
    ]);
    expect(messages[1]).toEqual({
      kind: 'identity',
      model: 'UHFReader288M',
      firmware: '0.22',
      rebooted: false,
    });
    expect(reads.map((read) => `${read.tag}@${read.antenna}`)).toEqual([
      '3039606303c74380001a0559@1',
      '49440000000000000a000334@3',
      '00323038@1',
    ]);
  });

  it('reads a 288 answer that only parses in that layout even before the reader information', () => {
    const { reads, errors } = decode([R288_TWO_TAGS, R288_NO_TAGS]);
    expect(errors).toEqual([]);
    expect(reads.map((read) => read.tag)).toEqual(['000000000000000000000313', '000000000000000000000314']);
  });

  it('drops the REAL bad-checksum frame and counts it, then reads the next frame', () => {
    const { reads, errors, decoder } = decode([concat(BAD_CHECKSUM, R18_TAGS_1)]);
    expect(reads.map((read) => read.tag)).toEqual(['000000000000000000000313']);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.droppedBytes).toBe(BAD_CHECKSUM.length);
    expect(decoder.stats.errors).toBe(1);
  });

  it('resynchronises after garbage and a truncated frame, whatever the split', () => {
    const stream = concat(hex('ff 13 00 0a 41 0d 0a'), R18_TAGS_1.subarray(0, 9), R18_TAGS_3, R18_TAGS_1);
    const whole = decode([stream]);
    for (let cut = 1; cut < stream.length; cut++) {
      const split = decode([stream.subarray(0, cut), stream.subarray(cut)]);
      expect(split.reads).toEqual(whole.reads);
    }
    expect(whole.reads.map((read) => read.tag)).toEqual([
      '49440000000000000a000334',
      '000000000000000000000313',
    ]);
    expect(whole.decoder.stats.droppedBytes).toBe(7 + 9);
  });

  it('reads a frame whose LEN is "\\n" (0x0A) and one whose data holds LEN-like bytes', () => {
    const frame = encodeResponse(0x01, 0x01, hex('01 03 0a 0a 0a'));
    expect(frame[0]).toBe(0x0a);
    const { reads, errors } = decode([concat(hex('0a'), frame)]);
    expect(reads.map((read) => read.tag)).toEqual(['0a0a0a']);
    expect(errors).toHaveLength(1);
  });

  it('turns reader-reported errors into statuses, never reads', () => {
    const { reads, messages } = decode([
      encodeResponse(0x01, 0xfb),
      encodeResponse(0x01, 0xf8),
      encodeResponse(0x00, 0xfe),
      encodeResponse(0x01, 0x04, hex('01 02 aa bb')),
    ]);
    const statuses = messages.filter((m) => m.kind === 'status').map((m) => m.kind === 'status' && m.code);
    expect(statuses).toEqual(['no-tag', 'antenna', 'crc-error', 'buffer-full']);
    expect(reads.map((read) => read.tag)).toEqual(['aabb']);
  });

  it('reports the tags a reader in scan mode pushes (reCMD 0xEE)', () => {
    const { reads, messages } = decode([encodeResponse(0xee, 0x00, hex('e2801160600002'))]);
    expect(reads).toEqual([{ tag: 'e2801160600002', antenna: 0, rssi: Number.NaN }]);
    expect(messages).toEqual([]);
  });

  it('counts an inventory whose tag list does not add up, without reading from it', () => {
    const { reads, errors } = decode([encodeResponse(0x01, 0x01, hex('03 02 aa'))]);
    expect(reads).toEqual([]);
    expect(errors.map((error) => error.reason)).toEqual(['bad-inventory-data']);
  });

  it('forgets a partial frame on reset', () => {
    const { decoder, errors } = decode([R18_TAGS_1.subarray(0, 10)]);
    decoder.reset();
    decoder.push(R18_TAGS_3);
    expect(decoder.stats.reads).toBe(1);
    expect(errors[0]?.reason).toBe('reset');
  });
});
