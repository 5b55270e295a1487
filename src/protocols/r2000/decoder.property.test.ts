import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFrame, concat, recorder, toHex } from '../../../test/kits/protocols/r2000.js';
import type { ReaderMessage } from '../../shared/decoding.js';
import { CARRY_CAPACITY, createR2000Decoder } from './decoder.js';
import { MAX_FRAME_LENGTH } from './frame.js';

/** Bytes rich in start bytes, small LEN values and 0x0A, the hard cases for resynchronisation. */
const noisyByte = fc.oneof(
  fc.constant(0xa0),
  fc.constant(0x0a),
  fc.integer({ min: 0, max: 8 }),
  fc.integer({ min: 0, max: 255 }),
);
const noise = (maxLength: number) =>
  fc.array(noisyByte, { maxLength }).map((bytes) => Uint8Array.from(bytes));
const quietNoise = fc.uint8Array({ maxLength: 40 }).map((bytes) => bytes.filter((b) => b !== 0xa0));

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
  item: string;
}

/** Getter answers: whatever their data, one response with status success (0). */
const answerFrame: fc.Arbitrary<Expected> = fc
  .record({
    command: fc.constantFrom(0x75, 0x77, 0x79, 0x7b, 0x68, 0x90),
    address: fc.integer({ min: 0, max: 255 }),
    data: fc.uint8Array({ minLength: 1, maxLength: 60 }),
  })
  .map(({ command, address, data }) => ({
    bytes: buildFrame(address, command, data),
    item: `response ${command} 0 ${toHex(data)}`,
  }));

const tagFrame: fc.Arbitrary<Expected> = fc
  .record({
    words: fc.integer({ min: 1, max: 31 }),
    seed: fc.uint8Array({ minLength: 62, maxLength: 62 }),
    freqAnt: fc.integer({ min: 0, max: 255 }),
    rssiByte: fc.integer({ min: 0, max: 255 }),
    command: fc.constantFrom(0x89, 0x8a, 0x8b),
  })
  .map(({ words, seed, freqAnt, rssiByte, command }) => {
    const epc = seed.subarray(0, words * 2);
    const pc = words << 11;
    const bytes = buildFrame(0x01, command, [freqAnt, pc >> 8, pc & 0xff, ...epc, rssiByte]);
    const antenna = (freqAnt & 3) + 1 + (rssiByte >= 0x80 ? 4 : 0);
    return { bytes, item: `tag ${toHex(epc)} ${antenna} ${(rssiByte & 0x7f) - 129}` };
  });

const summaryFrame: fc.Arbitrary<Expected> = fc
  .uint8Array({ minLength: 7, maxLength: 7 })
  .map((data) => ({ bytes: buildFrame(0x01, 0x89, data), item: `response 137 0 ${toHex(data)}` }));

const anyFrame = fc.oneof(answerFrame, tagFrame, summaryFrame);

function orderedItems(chunks: Uint8Array[]) {
  const items: string[] = [];
  const out = {
    ...recorder(),
    tagRead(tag: Uint8Array, offset: number, length: number, antenna: number, rssi: number) {
      items.push(`tag ${toHex(tag.subarray(offset, offset + length))} ${antenna} ${rssi}`);
    },
    message(message: ReaderMessage) {
      items.push(
        message.kind === 'response'
          ? `response ${message.opcode} ${message.status} ${toHex(message.data)}`
          : `${message.kind} ${JSON.stringify(message)}`,
      );
    },
  };
  const decoder = createR2000Decoder(out);
  for (const chunk of chunks) decoder.push(chunk);
  return { items, decoder };
}

function isSubsequence(needle: string[], haystack: string[]): boolean {
  let i = 0;
  for (const item of haystack) if (i < needle.length && item === needle[i]) i++;
  return i === needle.length;
}

describe('R2000 decoder properties', () => {
  it('never throws on arbitrary bytes in arbitrary chunks, and its buffer stays bounded', () => {
    fc.assert(
      fc.property(noise(2000), fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
        const decoder = createR2000Decoder(recorder());
        for (const chunk of chunked(bytes, cuts)) {
          decoder.push(chunk);
          expect(decoder.buffered).toBeLessThan(MAX_FRAME_LENGTH);
          expect(decoder.buffered).toBeLessThanOrEqual(CARRY_CAPACITY);
        }
        const { stats } = decoder;
        expect(stats.bytes).toBe(bytes.length);
        if (stats.frames === 0) expect(stats.droppedBytes + decoder.buffered).toBe(bytes.length);
      }),
      { numRuns: 300 },
    );
  });

  it('reports the same whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            anyFrame,
            noise(30).map((bytes) => ({ bytes, item: '' })),
          ),
          { maxLength: 12 },
        ),
        fc.array(fc.nat(), { maxLength: 30 }),
        (parts, cuts) => {
          const stream = concat(...parts.map((part) => part.bytes));
          const whole = orderedItems([stream]);
          const split = orderedItems(chunked(stream, cuts));
          expect(split.items).toEqual(whole.items);
          expect(split.decoder.stats).toEqual(whole.decoder.stats);
        },
      ),
    );
  });

  it('recovers every frame, in order, from garbage that holds no start byte', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(quietNoise, anyFrame), { maxLength: 15 }),
        quietNoise,
        fc.array(fc.nat(), { maxLength: 30 }),
        (pairs, tail, cuts) => {
          const stream = concat(...pairs.flatMap(([garbage, frame]) => [garbage, frame.bytes]), tail);
          const { items, decoder } = orderedItems(chunked(stream, cuts));
          expect(items).toEqual(pairs.map(([, frame]) => frame.item));
          const garbage = [...pairs.map(([g]) => g), tail];
          expect(decoder.stats).toMatchObject({
            frames: pairs.length,
            droppedBytes: garbage.reduce((sum, g) => sum + g.length, 0),
            errors: garbage.filter((g) => g.length > 0).length,
          });
        },
      ),
    );
  });

  it('with arbitrary garbage, recovers every frame unless garbage forms a valid frame of its own', () => {
    // A one-byte checksum lets about 1 in 256 false starts through; such a phantom frame may swallow
    // real frames behind it. So: either every frame comes out in order, or something not sent came out.
    // The filler lets a false LEN near the end have its bytes, as a reader that keeps polling does.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(noise(40), anyFrame), { maxLength: 15 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (pairs, cuts) => {
          const filler = new Uint8Array(MAX_FRAME_LENGTH);
          const stream = concat(...pairs.flatMap(([garbage, frame]) => [garbage, frame.bytes]), filler);
          const sent = pairs.map(([, frame]) => frame.item);
          const { items, decoder } = orderedItems(chunked(stream, cuts));
          // A phantom may also be a frame the decoder takes in silence (a command it has nothing to
          // say about): every sent frame says one thing, so more checked frames than items is one.
          const phantom = items.some((item) => !sent.includes(item)) || decoder.stats.frames !== items.length;
          expect(phantom || isSubsequence(sent, items)).toBe(true);
          if (!phantom) expect(items).toEqual(sent);
        },
      ),
      { numRuns: 300 },
    );
  });
});
