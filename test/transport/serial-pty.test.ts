import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { createTransport } from '../../src/transport/create.js';
import type { ReadPathChoice } from '../../src/transport/serial.js';
import type { ByteTransport } from '../../src/transport/types.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { M6E_GET_VERSION, M6E_HEARTBEAT, M6E_TAG_FRAME_T1, M6E_TAG_FRAME_T4 } from './fixtures.js';
import { Recorder } from './recorder.js';
import { waitFor } from './wait.js';

const FAST_RETRY = { initialMs: 50, maxMs: 200, factor: 2, jitter: 0, stableAfterMs: 10_000 };

let pair: PtyPair | undefined;
let transport: ByteTransport | undefined;

afterEach(async () => {
  await transport?.stop();
  await pair?.close();
  transport = undefined;
  pair = undefined;
});

function serialOn(path: string, readPath: ReadPathChoice): ByteTransport {
  return createTransport(
    { port: path, baudRate: 115200, reconnect: FAST_RETRY },
    { clock: systemClock, logger: silentLogger() },
    { readPath },
  );
}

describe.each<ReadPathChoice>(['auto', 'stream'])(
  'serial transport over a socat pty (read path %s)',
  (readPath) => {
    it('carries bytes both ways, goes offline when the pty vanishes and comes back on the same transport', async () => {
      pair = await createPtyPair();
      const recorder = new Recorder();
      const serial = serialOn(pair.b, readPath);
      transport = serial;
      expect(serial.target).toBe(`${pair.b}@115200`);
      serial.start(recorder);
      await waitFor('online', () => recorder.lastIs('online'));

      pair.writeA(M6E_TAG_FRAME_T1);
      pair.writeA(M6E_HEARTBEAT);
      const expected = Buffer.concat([M6E_TAG_FRAME_T1, M6E_HEARTBEAT]);
      await waitFor('two frames', () => (recorder.bytes.length >= expected.length ? true : undefined));
      expect(recorder.bytes).toEqual(expected);

      await serial.write(M6E_GET_VERSION);
      expect(await pair.readA(M6E_GET_VERSION.length)).toEqual(Buffer.from(M6E_GET_VERSION));

      await pair.kill();
      const offline = await waitFor('offline', () => recorder.lastIs('offline'));
      expect(offline).toMatchObject({ state: 'offline', attempt: 1, retryInMs: 50 });
      await expect(serial.write(M6E_GET_VERSION)).rejects.toThrow(/offline/);

      // While the device is gone, every failed reopen is reported with a growing delay.
      await waitFor('a failed retry', () => (recorder.statuses.length >= 4 ? true : undefined));
      const retries = recorder.statuses
        .slice(2)
        .map((status) => (status.state === 'offline' ? status.retryInMs : -1));
      expect(retries.slice(0, 2)).toEqual([100, 200]);

      await pair.restart();
      await waitFor('online again', () => recorder.lastIs('online'));
      recorder.clearData();
      pair.writeA(M6E_TAG_FRAME_T4);
      await waitFor('a frame after replug', () =>
        recorder.bytes.length >= M6E_TAG_FRAME_T4.length ? true : undefined,
      );
      expect(recorder.bytes).toEqual(Buffer.from(M6E_TAG_FRAME_T4));

      await serial.stop();
      expect(recorder.last).toEqual({
        state: 'offline',
        reason: 'stopped',
        attempt: expect.any(Number),
        retryInMs: null,
      });
      await serial.stop();
      expect(
        recorder.statuses.filter((status) => status.state === 'offline' && status.retryInMs === null),
      ).toHaveLength(1);
    });
  },
);

describe('serial transport without its device', () => {
  it('starts offline without throwing and comes online when the device appears', async () => {
    pair = await createPtyPair();
    const path = pair.b;
    await pair.kill();
    const recorder = new Recorder();
    transport = serialOn(path, 'auto');
    transport.start(recorder);
    const offline = await waitFor('offline', () => recorder.lastIs('offline'));
    expect(offline).toMatchObject({ attempt: 1, retryInMs: 50 });
    if (offline.state === 'offline') expect(offline.reason).toMatch(/ENOENT|No such file/);

    await pair.restart();
    await waitFor('online', () => recorder.lastIs('online'));
    pair.writeA(M6E_HEARTBEAT);
    await waitFor('heartbeat', () => (recorder.bytes.length >= M6E_HEARTBEAT.length ? true : undefined));
    expect(recorder.bytes).toEqual(Buffer.from(M6E_HEARTBEAT));
  });
});
