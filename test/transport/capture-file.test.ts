import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/shared/clock.js';
import { type CaptureChunk, CaptureError } from '../../src/transport/capture.js';
import { CaptureCursor, readCapture } from '../../src/transport/capture-file.js';
import { CaptureWriter } from '../../src/transport/capture-writer.js';
import { M6E_GET_VERSION, M6E_TAG_FRAME_T1, M6E_TAG_FRAME_T4 } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'rfid-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function file(text: string): string {
  const path = join(dir, `capture-${++fileCount}.jsonl`);
  writeFileSync(path, text);
  return path;
}

const HEADER =
  '{"capture":"rfid-gateway","version":1,"startedAt":"2026-11-22T10:00:00.000Z","ports":[{"id":"shelf","driver":"thingmagic","baudRate":115200}]}';
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

async function collect(path: string): Promise<CaptureChunk[]> {
  const capture = await readCapture(path);
  const chunks: CaptureChunk[] = [];
  for await (const chunk of capture) chunks.push(chunk);
  return chunks;
}

describe('readCapture', () => {
  it('streams a capture longer than one read block, with the header first', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 5000; i++) {
      lines.push(`{"t":${i * 5},"port":"shelf","rx":"${hex(i % 2 ? M6E_TAG_FRAME_T1 : M6E_TAG_FRAME_T4)}"}`);
    }
    const path = file(`${lines.join('\n')}\n`);
    const capture = await readCapture(path);
    expect(capture.header.ports).toEqual([{ id: 'shelf', driver: 'thingmagic', baudRate: 115200 }]);
    let count = 0;
    let last: CaptureChunk | undefined;
    for await (const chunk of capture) {
      count++;
      last = chunk;
    }
    expect(count).toBe(5000);
    expect(last?.line).toBe(5001);
    expect(last?.t).toBe(4999 * 5);
    expect(Buffer.from(last?.bytes ?? [])).toEqual(Buffer.from(M6E_TAG_FRAME_T1));
  });

  it('rejects a missing file with a CaptureError naming it', async () => {
    const path = join(dir, 'missing.jsonl');
    await expect(readCapture(path)).rejects.toThrow(`${path}: cannot read: ENOENT`);
    await expect(readCapture(path)).rejects.toBeInstanceOf(CaptureError);
  });

  it('rejects a bad header when opening', async () => {
    const path = file('{"capture":"rfid-gateway","version":1}\n');
    await expect(readCapture(path)).rejects.toThrow(`${path}:1: bad header: startedAt:`);
  });

  it('yields the chunks before a bad line, then throws naming the line', async () => {
    const path = file(
      `${HEADER}\n{"t":1,"port":"shelf","rx":"ff"}\n{"t":2,"port":"shelf","rx":"zz"}\n{"t":3,"port":"shelf","rx":"00"}\n`,
    );
    const capture = await readCapture(path);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const chunk of capture) seen.push(chunk.line);
      })(),
    ).rejects.toThrow(`${path}:3: chunk.rx must be hex with an even number of digits`);
    expect(seen).toEqual([2]);
  });

  it('plays the valid prefix of a truncated capture, then reports the cut line', async () => {
    const path = file(`${HEADER}\n{"t":1,"port":"shelf","rx":"ff"}\n{"t":2,"port":"sh`);
    const cursor = new CaptureCursor(path);
    expect(cursor.next()?.line).toBe(2);
    expect(() => cursor.next()).toThrow(`${path}:3: truncated capture: last line is incomplete`);
  });
});

describe('CaptureWriter', () => {
  it('writes the DESIGN.md example byte for byte from calls on a clock', async () => {
    const clock = new VirtualClock(Date.parse('2026-11-22T10:00:00.000Z'));
    const path = join(dir, 'written.jsonl');
    const writer = await CaptureWriter.open(
      path,
      [
        { id: 'door', driver: 'em4100-ascii', baudRate: 9600 },
        { id: 'io', driver: 'lines', baudRate: 115200 },
      ],
      clock,
    );
    writer.rx('door', Buffer.from('023034313541423343394631390d0a03', 'hex'));
    clock.advanceTo(clock.now() + 15.5);
    writer.tx('io', Buffer.from('lock=open\n'));
    clock.advanceTo(clock.now() + 386.75);
    writer.rx('io', Buffer.from('door=open\n'));
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe(
      [
        '{"capture":"rfid-gateway","version":1,"startedAt":"2026-11-22T10:00:00.000Z","ports":[{"id":"door","driver":"em4100-ascii","baudRate":9600},{"id":"io","driver":"lines","baudRate":115200}]}',
        '{"t":0,"port":"door","rx":"023034313541423343394631390d0a03"}',
        '{"t":15.5,"port":"io","tx":"6c6f636b3d6f70656e0a"}',
        '{"t":402.25,"port":"io","rx":"646f6f723d6f70656e0a"}',
        '',
      ].join('\n'),
    );
  });

  it('round-trips through the reader, keeping sub-millisecond times in order even if the clock steps back', async () => {
    const clock = new VirtualClock(1_700_000_000_000.25);
    const path = join(dir, 'round-trip.jsonl');
    const writer = await CaptureWriter.open(path, [{ id: 'shelf', driver: 'thingmagic' }], clock);
    writer.tx('shelf', M6E_GET_VERSION);
    clock.advanceTo(clock.now() + 0.1234);
    writer.rx('shelf', M6E_TAG_FRAME_T1.subarray(0, 20));
    writer.rx('shelf', M6E_TAG_FRAME_T1.subarray(20));
    await writer.close();
    await expect(writer.close()).resolves.toBeUndefined();
    expect(() => writer.rx('shelf', M6E_TAG_FRAME_T4)).toThrow('written after close');

    const capture = await readCapture(path);
    expect(capture.header.startedAt).toBe(new Date(1_700_000_000_000.25).toISOString());
    const chunks = await collect(path);
    expect(chunks.map(({ t, dir }) => [t, dir])).toEqual([
      [0, 'tx'],
      [0.123, 'rx'],
      [0.123, 'rx'],
    ]);
    expect(Buffer.concat(chunks.slice(1).map((chunk) => chunk.bytes))).toEqual(Buffer.from(M6E_TAG_FRAME_T1));
  });

  it('never writes a time that goes backwards, even when the wall clock steps back', async () => {
    let now = 10_000;
    const clock = { now: () => now, setTimeout: () => ({ id: 0 }), clearTimeout: () => {} };
    const path = join(dir, 'stepped.jsonl');
    const writer = await CaptureWriter.open(path, [{ id: 'r', driver: 'lines' }], clock);
    now = 10_500;
    writer.rx('r', Uint8Array.of(1));
    now = 10_200; // NTP step
    writer.rx('r', Uint8Array.of(2));
    await writer.close();
    expect((await collect(path)).map((chunk) => chunk.t)).toEqual([500, 500]);
  });

  it('refuses unknown ports and fails to open in a missing directory', async () => {
    const clock = new VirtualClock(0);
    const writer = await CaptureWriter.open(join(dir, 'ports.jsonl'), [{ id: 'r', driver: 'lines' }], clock);
    expect(() => writer.rx('other', Uint8Array.of(1))).toThrow('unknown port "other"');
    await writer.close();
    await expect(
      CaptureWriter.open(join(dir, 'no', 'such', 'dir.jsonl'), [{ id: 'r', driver: 'lines' }], clock),
    ).rejects.toThrow(/ENOENT/);
  });
});
