import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildResponse,
  buildStreamedTag,
  concat,
  recorder,
  toHex,
} from '../../../test/kits/protocols/thingmagic.js';
import type { ReaderMessage } from '../../shared/decoding.js';
import { CARRY_CAPACITY, createThingMagicDecoder } from './decoder.js';
import { MAX_RESPONSE_LENGTH } from './frame.js';

/** Bytes rich in start bytes and small LEN values, the hard case for resynchronisation. */
const noisyByte = fc.oneof(
  fc.constant(0xff),
  fc.integer({ min: 0, max: 8 }),
  fc.integer({ min: 0, max: 255 }),
);
const noise = (maxLength: number) =>
  fc.array(noisyByte, { maxLength }).map((bytes) => Uint8Array.from(bytes));
const quietNoise = fc.uint8Array({ maxLength: 40 }).map((bytes) => bytes.filter((b) => b !== 0xff));

/** Splits `bytes` at the given cut points (taken modulo its length). */
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

/** A valid frame and what the decoder should report for it, as one comparable string. */
interface Expected {
  bytes: Uint8Array;
  item: string;
}

const RESPONSE_OPCODES = [0x06, 0x0c, 0x2a, 0x2f, 0x62, 0x71, 0x91, 0x92, 0x93, 0x97, 0x9a, 0x9b];

const responseFrame: fc.Arbitrary<Expected> = fc
  .record({
    opcode: fc.constantFrom(...RESPONSE_OPCODES),
    status: fc.integer({ min: 0, max: 0xffff }),
    data: fc.uint8Array({ maxLength: 60 }),
  })
  .map(({ opcode, status, data }) => ({
    bytes: buildResponse(opcode, status, data),
    item: `response ${opcode} ${status} ${toHex(data)}`,
  }));

const tagFrame: fc.Arbitrary<Expected> = fc
  .record({
    words: fc.integer({ min: 1, max: 31 }),
    seed: fc.uint8Array({ minLength: 62, maxLength: 62 }),
    rssi: fc.integer({ min: -128, max: 127 }),
    antennaByte: fc.integer({ min: 0, max: 255 }),
  })
  .map(({ words, seed, rssi, antennaByte }) => {
    const epc = seed.subarray(0, words * 2);
    const bytes = buildStreamedTag(0x0006, { epc, metadata: [rssi & 0xff, antennaByte] });
    return { bytes, item: `tag ${toHex(epc)} ${antennaByte & 0x0f || 16} ${rssi}` };
  });

/** Decodes the chunks into one list of reads and messages, in stream order. */
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
  const decoder = createThingMagicDecoder(out);
  for (const chunk of chunks) decoder.push(chunk);
  return { items, decoder };
}

function isSubsequence(needle: string[], haystack: string[]): boolean {
  let i = 0;
  for (const item of haystack) if (i < needle.length && item === needle[i]) i++;
  return i === needle.length;
}

describe('decoder properties', () => {
  it('never throws on arbitrary bytes in arbitrary chunks, and its buffer stays bounded', () => {
    fc.assert(
      fc.property(noise(2000), fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
        const decoder = createThingMagicDecoder(recorder());
        for (const chunk of chunked(bytes, cuts)) {
          decoder.push(chunk);
          expect(decoder.buffered).toBeLessThan(MAX_RESPONSE_LENGTH);
          expect(decoder.buffered).toBeLessThanOrEqual(CARRY_CAPACITY);
        }
        const { stats } = decoder;
        expect(stats.bytes).toBe(bytes.length);
        // Without a valid frame every byte is either dropped or still waiting.
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
            responseFrame,
            tagFrame,
            noise(30).map((bytes) => ({ bytes, item: '' })),
          ),
          {
            maxLength: 12,
          },
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
        fc.array(fc.tuple(quietNoise, fc.oneof(responseFrame, tagFrame)), { maxLength: 15 }),
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
    // A run of garbage can, rarely, start a frame whose CRC happens to pass; that phantom frame may
    // swallow real frames behind it. So: either all frames come out in order, or something that was
    // not sent came out too. A false start near the end holds frames back until 255 more bytes have
    // come (a streaming module sends a heartbeat every second), hence the filler at the end.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(noise(40), fc.oneof(responseFrame, tagFrame)), { maxLength: 15 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (pairs, cuts) => {
          const filler = new Uint8Array(MAX_RESPONSE_LENGTH);
          const stream = concat(...pairs.flatMap(([garbage, frame]) => [garbage, frame.bytes]), filler);
          const sent = pairs.map(([, frame]) => frame.item);
          const { items, decoder } = orderedItems(chunked(stream, cuts));
          // A phantom may also be a frame taken in silence: every sent frame says one thing.
          const phantom = items.some((item) => !sent.includes(item)) || decoder.stats.frames !== items.length;
          expect(phantom || isSubsequence(sent, items)).toBe(true);
          if (!phantom) expect(items).toEqual(sent);
        },
      ),
      { numRuns: 300 },
    );
  });
});
