import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecoderOutput } from '../../shared/decoding.js';
import { CARRY_CAPACITY, createPn532Decoder } from './decoder.js';
import { ACK_FRAME, encodeAnswer, MAX_FRAME_LENGTH, NACK_FRAME } from './frame.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));

/** Bytes rich in the 00 and FF of the start sequence, the hard case for resynchronisation. */
const noisyByte = fc.oneof(fc.constantFrom(0x00, 0xff, 0xd5, 0x55), fc.integer({ min: 0, max: 255 }));
const noise = (maxLength: number) => fc.array(noisyByte, { maxLength }).map((b) => Uint8Array.from(b));
/** Garbage that cannot start a frame: no zero byte at all. */
const quietNoise = fc.uint8Array({ maxLength: 40 }).map((bytes) => bytes.filter((b) => b !== 0x00));

function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => (bytes.length === 0 ? 0 : cut % bytes.length)))].sort(
    (a, b) => a - b,
  );
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(last, point));
    last = point;
  }
  return chunks;
}

interface Expected {
  bytes: Uint8Array;
  items: string[];
}

const uid = fc
  .constantFrom(4, 7, 10)
  .chain((length) => fc.uint8Array({ minLength: length, maxLength: length }));

/** An ACK and a poll answer with zero, one or two cards (the second behind an optional ATS). */
const pollAnswer: fc.Arbitrary<Expected> = fc
  .record({
    uids: fc.array(uid, { maxLength: 2 }),
    ats: fc.uint8Array({ maxLength: 6 }),
  })
  .map(({ uids, ats }) => {
    const data: number[] = [uids.length];
    uids.forEach((id, i) => {
      const iso4 = i === 0 && ats.length > 0;
      data.push(i + 1, 0x00, 0x04, iso4 ? 0x20 : 0x08, id.length, ...id);
      if (iso4) data.push(ats.length + 1, ...ats);
    });
    const answer = encodeAnswer(0x4a, data);
    const items = [...uids.map((id) => `read ${hex(id)}`), `response 74 ${hex(Uint8Array.from(data))}`];
    return { bytes: concat(ACK_FRAME, answer), items };
  });

/** Any other answer (odd code), normal or extended, or a NACK. */
const otherFrame: fc.Arbitrary<Expected> = fc.oneof(
  fc
    .record({
      command: fc.integer({ min: 0, max: 0x7f }).map((n) => n * 2),
      data: fc.uint8Array({ maxLength: 300 }),
    })
    .filter(({ command }) => command !== 0x4a && command !== 0x02)
    .map(({ command, data }) => ({
      bytes: encodeAnswer(command, data),
      items: [`response ${command} ${hex(data)}`],
    })),
  fc.constant<Expected>({ bytes: NACK_FRAME.slice(), items: ['status nack'] }),
);

function itemsOf(chunks: Uint8Array[]) {
  const items: string[] = [];
  const output: DecoderOutput = {
    tagRead(tag, offset, length, antenna, rssi) {
      expect(antenna).toBe(0);
      expect(rssi).toBeNaN();
      items.push(`read ${hex(tag.subarray(offset, offset + length))}`);
    },
    message(message) {
      items.push(
        message.kind === 'response'
          ? `response ${message.opcode} ${hex(message.data)}`
          : `${message.kind} ${message.kind === 'status' ? message.code : ''}`,
      );
    },
    decodeError() {},
  };
  const decoder = createPn532Decoder(output);
  for (const chunk of chunks) decoder.push(chunk);
  return { items, decoder };
}

describe('PN532 decoder properties', () => {
  it('never throws on arbitrary bytes, and its buffer stays bounded', () => {
    fc.assert(
      fc.property(noise(2000), fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
        const { decoder } = itemsOf([]);
        for (const chunk of chunked(bytes, cuts)) {
          decoder.push(chunk);
          expect(decoder.buffered).toBeLessThan(MAX_FRAME_LENGTH);
          expect(decoder.buffered).toBeLessThanOrEqual(CARRY_CAPACITY);
        }
        if (decoder.stats.frames === 0)
          expect(decoder.stats.droppedBytes + decoder.buffered).toBe(bytes.length);
      }),
      { numRuns: 300 },
    );
  });

  it('reports the same whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            pollAnswer,
            otherFrame,
            noise(30).map((bytes) => ({ bytes, items: [] })),
          ),
          {
            maxLength: 12,
          },
        ),
        fc.array(fc.nat(), { maxLength: 30 }),
        (parts, cuts) => {
          const stream = concat(...parts.map((part) => part.bytes));
          const whole = itemsOf([stream]);
          const split = itemsOf(chunked(stream, cuts));
          expect(split.items).toEqual(whole.items);
          expect(split.decoder.stats).toEqual(whole.decoder.stats);
        },
      ),
    );
  });

  it('recovers every frame, in order, from garbage that holds no zero byte', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(quietNoise, fc.oneof(pollAnswer, otherFrame)), { maxLength: 15 }),
        quietNoise,
        fc.array(fc.nat(), { maxLength: 30 }),
        (pairs, tail, cuts) => {
          const stream = concat(...pairs.flatMap(([garbage, frame]) => [garbage, frame.bytes]), tail);
          const { items, decoder } = itemsOf(chunked(stream, cuts));
          expect(items).toEqual(pairs.flatMap(([, frame]) => frame.items));
          const garbage = [...pairs.map(([g]) => g), tail];
          expect(decoder.stats.droppedBytes).toBe(garbage.reduce((sum, g) => sum + g.length, 0));
        },
      ),
    );
  });

  it('with arbitrary garbage, recovers every frame unless garbage forms a valid frame of its own', () => {
    // Garbage can, rarely, start a frame whose checks all pass; that phantom may swallow real frames.
    // A false start near the end holds frames back until its length has come, hence the filler.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(noise(40), fc.oneof(pollAnswer, otherFrame)), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (pairs, cuts) => {
          const filler = new Uint8Array(MAX_FRAME_LENGTH).fill(0x01);
          const stream = concat(...pairs.flatMap(([garbage, frame]) => [garbage, frame.bytes]), filler);
          const sent = pairs.flatMap(([, frame]) => frame.items);
          const { items } = itemsOf(chunked(stream, cuts));
          // A phantom may repeat something sent (a NACK made of garbage and a frame's first bytes).
          const count = (list: string[], item: string) => list.filter((other) => other === item).length;
          const phantom = items.some((item) => count(items, item) > count(sent, item));
          if (!phantom) expect(items).toEqual(sent);
        },
      ),
      { numRuns: 300 },
    );
  });
});
