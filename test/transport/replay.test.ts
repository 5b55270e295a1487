import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import { CaptureError } from '../../src/transport/capture.js';
import { createTransport } from '../../src/transport/create.js';
import type { ReplayOptions, TransportStatus } from '../../src/transport/types.js';
import { M6E_HEARTBEAT, M6E_TAG_FRAME_T1, M6E_TAG_FRAME_T4 } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'rfid-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const TWO_PORTS =
  '{"capture":"rfid-gateway","version":1,"startedAt":"2026-11-22T10:00:00.000Z","ports":[{"id":"shelf","driver":"thingmagic","baudRate":115200},{"id":"io","driver":"lines"}]}';

/** Shelf rx at 0, 100 and 250.5 ms, with a tx and another port's traffic in between (not played). */
const SHELF_CAPTURE = [
  TWO_PORTS,
  `{"t":0,"port":"shelf","rx":"${hex(M6E_HEARTBEAT)}"}`,
  `{"t":40,"port":"shelf","tx":"ff00031d0c"}`,
  `{"t":60,"port":"io","rx":"646f6f723d6f70656e0a"}`,
  `{"t":100,"port":"shelf","rx":"${hex(M6E_TAG_FRAME_T1)}"}`,
  `{"t":250.5,"port":"shelf","rx":"${hex(M6E_TAG_FRAME_T4)}"}`,
  '',
].join('\n');

let fileCount = 0;
function captureFile(text: string): string {
  const path = join(dir, `replay-${++fileCount}.jsonl`);
  writeFileSync(path, text);
  return path;
}

const START = 1_000_000;

function replay(file: string, options: ReplayOptions = {}) {
  const clock = new VirtualClock(START);
  const transport = createTransport(
    { port: `replay:${file}`, baudRate: 115200, replay: { portId: 'shelf', ...options } },
    { clock, logger: silentLogger() },
  );
  const deliveries: Array<{ at: number; bytes: Buffer }> = [];
  const statuses: Array<TransportStatus & { at: number }> = [];
  transport.start({
    data: (chunk) => deliveries.push({ at: clock.now() - START, bytes: Buffer.from(chunk) }),
    status: (status) => statuses.push({ ...status, at: clock.now() - START }),
  });
  /** Jumps from timer to timer, as a replay's driver does, up to `until` ms after the start. */
  const run = (until = Number.POSITIVE_INFINITY): void => {
    for (
      let next = clock.nextTimerAt();
      next !== undefined && next - START <= until;
      next = clock.nextTimerAt()
    ) {
      clock.advanceTo(next);
    }
  };
  return { transport, clock, deliveries, statuses, run };
}

describe('replay transport', () => {
  it('plays the rx chunks of its port at their capture times, then goes offline', () => {
    const { transport, deliveries, statuses, run } = replay(captureFile(SHELF_CAPTURE));
    expect(transport.target).toMatch(/^replay:.*replay-\d+\.jsonl#shelf$/);
    expect(statuses).toEqual([{ state: 'online', at: 0 }]);
    run();
    expect(deliveries.map((delivery) => delivery.at)).toEqual([0, 100, 250.5]);
    expect(deliveries.map((delivery) => delivery.bytes)).toEqual(
      [M6E_HEARTBEAT, M6E_TAG_FRAME_T1, M6E_TAG_FRAME_T4].map((frame) => Buffer.from(frame)),
    );
    expect(statuses.at(-1)).toEqual({
      state: 'offline',
      reason: 'end of capture',
      attempt: 0,
      retryInMs: null,
      at: 250.5,
    });
  });

  it('scales time by speed', () => {
    const { deliveries, run } = replay(captureFile(SHELF_CAPTURE), { speed: 2 });
    run();
    expect(deliveries.map((delivery) => delivery.at)).toEqual([0, 50, 125.25]);
  });

  it('at speed 0 delivers everything without moving the clock, in batches', () => {
    const lines = [TWO_PORTS];
    for (let i = 0; i < 600; i++)
      lines.push(`{"t":${i * 10},"port":"shelf","rx":"${hex(M6E_TAG_FRAME_T1)}"}`);
    const { deliveries, statuses, clock, run } = replay(captureFile(`${lines.join('\n')}\n`), { speed: 0 });
    const timers = vi.spyOn(clock, 'setTimeout');
    expect(deliveries).toHaveLength(0);
    run();
    expect(deliveries).toHaveLength(600);
    expect(new Set(deliveries.map((delivery) => delivery.at))).toEqual(new Set([0]));
    // 256 + 256 + 88 chunks: two more timers after the one set by start().
    expect(timers.mock.calls.map((call) => call[1])).toEqual([0, 0]);
    expect(statuses.at(-1)).toMatchObject({ state: 'offline', reason: 'end of capture' });
  });

  it('loops with the capture gaps kept and loopGapMs between passes, until stopped', async () => {
    const { transport, deliveries, statuses, clock, run } = replay(captureFile(SHELF_CAPTURE), {
      loop: true,
      loopGapMs: 1000,
    });
    run(3000);
    expect(deliveries.map((delivery) => delivery.at)).toEqual([
      0, 100, 250.5, 1250.5, 1350.5, 1501, 2501, 2601, 2751.5,
    ]);
    expect(statuses).toHaveLength(1);
    await transport.stop();
    expect(statuses.at(-1)).toMatchObject({ state: 'offline', reason: 'stopped', retryInMs: null });
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('loops every port of a capture with one period, the whole capture, whatever its own last chunk', () => {
    // io's last chunk is at 60 ms, the shelf's at 250.5 ms: both restart at 250.5 + 1000 ms.
    const file = captureFile(SHELF_CAPTURE);
    const clock = new VirtualClock(START);
    const heard: Record<string, number[]> = { shelf: [], io: [] };
    for (const portId of ['shelf', 'io']) {
      createTransport(
        { port: `replay:${file}`, baudRate: 115200, replay: { portId, loop: true, loopGapMs: 1000 } },
        { clock, logger: silentLogger() },
      ).start({ data: () => heard[portId]?.push(clock.now() - START), status: () => {} });
    }
    for (let next = clock.nextTimerAt(); next !== undefined && next - START <= 3000; ) {
      clock.advanceTo(next);
      next = clock.nextTimerAt();
    }
    expect(heard.io).toEqual([60, 1310.5, 2561]);
    expect(heard.shelf).toEqual([0, 100, 250.5, 1250.5, 1350.5, 1501, 2501, 2601, 2751.5]);
  });

  it('accepts and drops writes, and rejects them once stopped', async () => {
    const { transport } = replay(captureFile(SHELF_CAPTURE));
    await expect(transport.write(Uint8Array.of(0xff, 0x00, 0x03, 0x1d, 0x0c))).resolves.toBeUndefined();
    await transport.stop();
    await transport.stop();
    await expect(transport.write(Uint8Array.of(1))).rejects.toThrow(/is offline/);
  });

  it('stops at a bad line after playing the chunks before it, naming the line', () => {
    const text = SHELF_CAPTURE.replace('"t":250.5', '"t":50');
    const file = captureFile(text);
    const { deliveries, statuses, run } = replay(file);
    run();
    expect(deliveries.map((delivery) => delivery.at)).toEqual([0, 100]);
    expect(statuses.at(-1)).toEqual({
      state: 'offline',
      reason: `${file}:6: chunk.t goes backwards: 50 after 100`,
      attempt: 0,
      retryInMs: null,
      at: 100,
    });
  });

  it('plays the only port when none is named, and says which ports there are when it must be named', () => {
    const single = captureFile(
      '{"capture":"rfid-gateway","version":1,"startedAt":"2026-11-22T10:00:00.000Z","ports":[{"id":"door","driver":"em4100-ascii"}]}\n{"t":5,"port":"door","rx":"02"}\n',
    );
    const deps = { clock: new VirtualClock(0), logger: silentLogger() };
    expect(createTransport({ port: `replay:${single}`, baudRate: 9600 }, deps).target).toBe(
      `replay:${single}#door`,
    );

    const two = captureFile(SHELF_CAPTURE);
    expect(() => createTransport({ port: `replay:${two}`, baudRate: 9600 }, deps)).toThrow(
      `${two}:1: several ports (shelf, io): say which one to replay`,
    );
    expect(() =>
      createTransport({ port: `replay:${two}`, baudRate: 9600, replay: { portId: 'fridge' } }, deps),
    ).toThrow(`${two}:1: no port "fridge" in this capture (it has shelf, io)`);
    const missing = join(dir, 'missing.jsonl');
    expect(() => createTransport({ port: `replay:${missing}`, baudRate: 9600 }, deps)).toThrow(CaptureError);
  });

  it('ends at once for a port without rx data, even when looping', () => {
    const text = `${TWO_PORTS}\n{"t":1,"port":"io","rx":"00"}\n{"t":2,"port":"shelf","tx":"00"}\n`;
    const { deliveries, statuses, run } = replay(captureFile(text), { loop: true });
    run();
    expect(deliveries).toEqual([]);
    expect(statuses.at(-1)).toMatchObject({ state: 'offline', reason: 'no rx data for port "shelf"' });
  });

  it('rejects a bad speed', () => {
    expect(() => replay(captureFile(SHELF_CAPTURE), { speed: -1 })).toThrow(
      'replay.speed must be >= 0 (got -1)',
    );
  });
});
