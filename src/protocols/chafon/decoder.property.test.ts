import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReaderMessage } from '../../shared/decoding.js';
import { CARRY_CAPACITY, createChafonDecoder } from './decoder.js';
import { encodeResponse } from './frame.js';

const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Splits `bytes` at the given cut points (modulo its length). */
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

function run(chunks: Uint8Array[]) {
  const items: string[] = [];
  const decoder = createChafonDecoder({
    tagRead: (tag, offset, length, antenna) =>
      items.push(`tag ${toHex(tag.subarray(offset, offset + length))} ${antenna}`),
    message: (message: ReaderMessage) =>
      items.push(
        message.kind === 'response'
          ? `response ${message.opcode} ${message.status} ${toHex(message.data)}`
          : message.kind,
      ),
    decodeError: () => {},
  });
  for (const chunk of chunks) decoder.push(chunk);
  return { items, decoder };
}

/** Inventory answers in the UHFReader18 layout: Num, then EPCLen + EPC per tag. */
const inventoryFrame = fc
  .array(fc.uint8Array({ minLength: 1, maxLength: 16 }), { minLength: 1, maxLength: 8 })
  .map((tags) => {
    const data = Uint8Array.from([tags.length, ...tags.flatMap((tag) => [tag.length, ...tag])]);
    return {
      bytes: encodeResponse(0x01, 0x01, data),
      items: [...tags.map((tag) => `tag ${toHex(tag)} 0`), `response 1 1 ${toHex(data)}`],
    };
  });
const ackFrame = fc.constantFrom(0x22, 0x25, 0x2f, 0x35).map((command) => ({
  bytes: encodeResponse(command, 0),
  items: [`response ${command} 0 `],
}));
/** Noise rich in small LEN values and plausible headers, the hard case without a start byte. */
const noise = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 255 })), { maxLength: 30 })
  .map((bytes) => Uint8Array.from(bytes));

describe('chafon decoder properties', () => {
  it('never throws on arbitrary bytes, and its buffer stays bounded', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (bytes, cuts) => {
          const { decoder } = run([]);
          for (const chunk of chunked(bytes, cuts)) {
            decoder.push(chunk);
            expect(decoder.buffered).toBeLessThanOrEqual(CARRY_CAPACITY);
          }
          expect(decoder.stats.bytes).toBe(bytes.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('decodes a stream of valid frames the same whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(inventoryFrame, ackFrame), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (frames, cuts) => {
          const stream = Uint8Array.from(frames.flatMap((frame) => [...frame.bytes]));
          const expected = frames.flatMap((frame) => frame.items);
          expect(run([stream]).items).toEqual(expected);
          expect(run(chunked(stream, cuts)).items).toEqual(expected);
          expect(run([...stream].map((byte) => Uint8Array.of(byte))).items).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with noise between frames, reports the same whatever the chunking, and every frame after clean noise', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(noise, fc.oneof(inventoryFrame, ackFrame)), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (pairs, cuts) => {
          const stream = Uint8Array.from(pairs.flatMap(([junk, frame]) => [...junk, ...frame.bytes]));
          const whole = run([stream]).items;
          // Chafon frames have no start byte: once in 65,536 false LENs the noise and the bytes
          // after it pass the CRC and make a frame nobody sent. Which of two overlapping candidates
          // wins may then depend on when bytes arrive; such a stream is not what this property is about.
          const sent = new Set(pairs.flatMap(([, frame]) => frame.items));
          fc.pre(whole.every((item) => sent.has(item)));
          expect(run(chunked(stream, cuts)).items).toEqual(whole);
          // The last frame is never lost: whatever false LEN precedes it, the frame itself is whole.
          const last = pairs.at(-1)?.[1].items ?? [];
          expect(whole.slice(-last.length)).toEqual(last);
        },
      ),
      { numRuns: 300 },
    );
  });
});
