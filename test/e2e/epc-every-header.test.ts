import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeEpc } from '../../src/core/epc.js';
import { driverNamed } from '../../src/protocols/index.js';
import type { DeviceSimulator } from '../../src/shared/decoding.js';
import { seededRandom } from '../../src/shared/random.js';
import { runCli } from '../helpers/cli.js';

/**
 * A ThingMagic reader streaming one tag of every EPC header byte with every partition value, replayed
 * through the built command line: reserved partitions used to make the EPC decoder throw, which lost
 * the event and, from the departure timer, ended the process.
 */

/** TDS headers (§14.2) with a 3-bit filter and a 3-bit partition at bits 8..13, and their length in bits. */
const PARTITIONED = new Map<number, number>([
  [0x2c, 96], // GDTI-96
  [0x2d, 96], // GSRN-96
  [0x2e, 96], // GSRNP-96
  [0x30, 96], // SGTIN-96
  [0x31, 96], // SSCC-96
  [0x32, 96], // SGLN-96
  [0x33, 96], // GRAI-96
  [0x34, 96], // GIAI-96
  [0x36, 198], // SGTIN-198
  [0x37, 170], // GRAI-170
  [0x38, 202], // GIAI-202
  [0x39, 195], // SGLN-195
  [0x3a, 113], // GDTI-113
  [0x3c, 96], // CPI-96
  [0x3d, 200], // CPI-var (variable; a typical length)
  [0x3e, 174], // GDTI-174
  [0x3f, 96], // SGCN-96
  [0x40, 110], // ITIP-110
  [0x41, 212], // ITIP-212
]);
const COMPANY_BITS = [40, 37, 34, 30, 27, 24, 20] as const;

/**
 * The schemes the gateway promises to decode, with where a well-formed tag of each puts a text or a
 * non-zero number (bit offset from the header, or from the end for a number); every other field is 0.
 */
const DECODED: ReadonlyMap<number, { text?: (partition: number) => number; lastBitsValue?: number }> =
  new Map([
    [0x2c, {}],
    [0x2d, {}],
    [0x30, {}],
    [0x31, {}],
    [0x32, {}],
    [0x33, {}],
    [0x34, {}],
    [0x36, { text: () => 58 }],
    [0x37, { text: () => 58 }],
    [0x38, { text: (partition: number) => 14 + (COMPANY_BITS[partition] as number) }],
    [0x39, { text: () => 55 }],
    [0x3c, {}],
    [0x3e, { text: () => 55 }],
    // The SGCN serial is stored behind a leading 1: 15 is serial "5".
    [0x3f, { lastBitsValue: 15 }],
  ]);

interface TagCase {
  hex: string;
  /** Partition 7 of a scheme that has a partition table. */
  reserved: boolean;
  /** Built to decode: all fields in range. */
  wellFormed: boolean;
}

const wordBytes = (bits: number): number => Math.ceil(bits / 16) * 2;
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

function setBits(bytes: Uint8Array, offset: number, width: number, value: number): void {
  for (let bit = 0; bit < width; bit++) {
    const index = offset + bit;
    const mask = 0x80 >> (index & 7);
    const on = (value >> (width - 1 - bit)) & 1;
    bytes[index >> 3] = on ? (bytes[index >> 3] as number) | mask : (bytes[index >> 3] as number) & ~mask;
  }
}

function randomTag(random: () => number, header: number, partition: number): Uint8Array {
  const bits = PARTITIONED.get(header);
  const length = bits === undefined ? 2 * (1 + Math.floor(random() * 16)) : wordBytes(bits);
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index++) bytes[index] = Math.floor(random() * 256);
  bytes[0] = header;
  setBits(bytes, 11, 3, partition);
  // An encoder zeroes the bits past the scheme: leave the fields to decide.
  if (bits !== undefined) for (let bit = bits; bit < length * 8; bit++) setBits(bytes, bit, 1, 0);
  return bytes;
}

function wellFormedTag(header: number, bits: number, filter: number, partition: number): Uint8Array {
  const bytes = new Uint8Array(wordBytes(bits));
  bytes[0] = header;
  setBits(bytes, 8, 3, filter);
  setBits(bytes, 11, 3, partition);
  const layout = DECODED.get(header);
  const textAt = layout?.text?.(partition);
  if (textAt !== undefined) {
    for (const [index, char] of [...'A1'].entries())
      setBits(bytes, textAt + 7 * index, 7, char.charCodeAt(0));
  }
  if (layout?.lastBitsValue !== undefined) setBits(bytes, bits - 8, 8, layout.lastBitsValue);
  return bytes;
}

function tagCases(): TagCase[] {
  const random = seededRandom(0x5eed);
  const cases: TagCase[] = [];
  for (let header = 0; header <= 0xff; header++) {
    const bits = PARTITIONED.get(header);
    for (let partition = 0; partition <= 7; partition++) {
      const reserved = bits !== undefined && partition === 7;
      cases.push({ hex: toHex(randomTag(random, header, partition)), reserved, wellFormed: false });
      if (bits !== undefined && !reserved && DECODED.has(header)) {
        const filter = Math.floor(random() * 8);
        cases.push({
          hex: toHex(wellFormedTag(header, bits, filter, partition)),
          reserved,
          wellFormed: true,
        });
      }
    }
  }
  return cases;
}

function readingSimulator(): DeviceSimulator {
  const driver = driverNamed('thingmagic');
  const simulator = driver.createSimulator();
  for (const step of driver.startup({})) simulator.answer(step.bytes);
  return simulator;
}

/** One streamed tag-read frame per tag, spread evenly over one virtual minute, then heartbeats. */
function writeCapture(file: string, cases: readonly TagCase[]): void {
  const simulator = readingSimulator();
  const header = {
    capture: 'rfid-gateway',
    version: 1,
    startedAt: '2026-11-22T10:00:00.000Z',
    ports: [{ id: 'uhf', driver: 'thingmagic', baudRate: 115200 }],
  };
  const lines = [JSON.stringify(header)];
  for (const [index, tagCase] of cases.entries()) {
    const frame = simulator.tagFrame(Buffer.from(tagCase.hex, 'hex'), 1 + (index % 4), -50 - (index % 20));
    if (frame === undefined) throw new Error('the simulated reader is not reading');
    const t = Math.round(((index * 60_000) / (cases.length - 1)) * 1000) / 1000;
    lines.push(JSON.stringify({ t, port: 'uhf', rx: Buffer.from(frame).toString('hex') }));
  }
  // The module goes on reading an empty field, streaming its read-cycle heartbeat, until every tag
  // has departed: a capture that ended at the last tag would leave the last ones held (stalled).
  const heartbeat = simulator.heartbeatFrame?.();
  if (heartbeat === undefined) throw new Error('the simulated reader streams no heartbeat');
  for (let t = 61_000; t <= 64_000; t += 1000)
    lines.push(JSON.stringify({ t, port: 'uhf', rx: Buffer.from(heartbeat).toString('hex') }));
  writeFileSync(file, `${lines.join('\n')}\n`);
}

describe('replay of a reader streaming every EPC header and partition', () => {
  it('keeps every arrival and departure and decodes only what the standard allows', async () => {
    const cases = tagCases();
    const byTag = new Map(cases.map((tagCase) => [tagCase.hex, tagCase]));
    expect(byTag.size).toBe(cases.length);
    const file = join(mkdtempSync(join(tmpdir(), 'rfid-epc-')), 'every-header.jsonl');
    writeCapture(file, cases);

    const result = await runCli(['replay', file], { timeoutMs: 60_000 });
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

    const seen = new Map<string, { arrived: number; departed: number }>();
    for (const event of events) {
      if (event.type !== 'tag.arrived' && event.type !== 'tag.departed') continue;
      const tag = String(event.tag);
      const tagCase = byTag.get(tag);
      expect(tagCase, `unexpected tag ${tag}`).toBeDefined();
      const counts = seen.get(tag) ?? { arrived: 0, departed: 0 };
      if (event.type === 'tag.arrived') counts.arrived++;
      else counts.departed++;
      seen.set(tag, counts);

      const expected = decodeEpc(tag);
      if (tagCase?.reserved) expect(event.epc, tag).toBeUndefined();
      if (tagCase?.wellFormed) expect(event.epc, tag).toBeDefined();
      expect(event.epc, tag).toEqual(expected);
    }
    const wrong = cases.filter(({ hex }) => {
      const counts = seen.get(hex);
      return counts?.arrived !== 1 || counts.departed !== 1;
    });
    expect(wrong.map(({ hex }) => hex)).toEqual([]);
    // Guards against a decoder that passes by decoding nothing.
    expect(cases.filter((tagCase) => tagCase.wellFormed).length).toBe(7 * DECODED.size);
  }, 90_000);
});
