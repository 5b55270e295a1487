import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from '../../src/app/controller.js';
import { replayCapture } from '../../src/app/replay.js';
import { parseConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import { defineFeature } from '../../src/shared/feature.js';

const hex = (text: string) => Buffer.from(text).toString('hex');
const HEADER = { capture: 'rfid-gateway', version: 1, startedAt: '2026-11-22T10:00:00.000Z' };
/** ID-12 frames of 0500207B32 and 0415AB3C9F (protocols.md §2.2). */
const CARD_A = '023035303032303742333236430d0a03';
const CARD_B = '023034313541423343394631390d0a03';

/**
 * A replay's devices are records, and its clock is virtual: what the gateway writes to a device must
 * happen at the time, in the order and as often as in a run, wherever in the capture it happens.
 */
describe('replay: devices on virtual time', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function capture(ports: unknown[], lines: unknown[]): { dir: string; file: string } {
    const dir = mkdtempSync(join(tmpdir(), 'rfid-virtual-time-'));
    dirs.push(dir);
    const file = join(dir, 'capture.jsonl');
    writeFileSync(file, [{ ...HEADER, ports }, ...lines].map((line) => JSON.stringify(line)).join('\n'));
    return { dir, file };
  }

  function collect() {
    const events: Array<Record<string, unknown>> = [];
    const stdout = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line) events.push(JSON.parse(line));
        done();
      },
    });
    return { events, stdout };
  }

  it('reports no fault of a relay board the run would not have had (two relays, one board)', async () => {
    const { dir, file } = capture(
      [{ id: 'io', driver: 'lines', baudRate: 115200 }],
      [
        { t: 0, port: 'io', rx: hex('door=open\n') },
        { t: 5000, port: 'io', rx: hex('door=closed\n') },
      ],
    );
    const config = parseConfig(
      {
        gatewayId: 'gw1',
        dataDir: dir,
        sensors: [{ id: 'io', driver: 'lines', port: '/dev/null' }],
        actuators: [
          { id: 'r1', driver: 'relay-lcus', port: '/dev/ttyRELAY', channel: 1, safeState: 'off' },
          { id: 'r2', driver: 'relay-lcus', port: '/dev/ttyRELAY', channel: 2, safeState: 'off' },
        ],
        rules: [
          {
            id: 'both',
            on: 'sensor.changed',
            do: [{ set: { actuator: 'r1', value: 'on' } }, { set: { actuator: 'r2', value: 'on' } }],
          },
        ],
      },
      'test',
    );
    const { events, stdout } = collect();
    const result = await replayCapture({ file, config, speed: 0, stdout, logger: silentLogger() });
    // Both relays set on each door change (frames 60 ms apart on the board), and their safe state at
    // the end; a record takes every write at once, so nothing can time out.
    expect(events.filter((event) => event.type === 'actuator.status')).toEqual([]);
    expect(
      events.filter((event) => event.type === 'actuator.changed').map((e) => [e.actuator, e.value, e.ts]),
    ).toEqual([
      ['r1', 'on', '2026-11-22T10:00:00.000Z'],
      ['r2', 'on', '2026-11-22T10:00:00.060Z'],
      ['r1', 'on', '2026-11-22T10:00:05.000Z'],
      ['r2', 'on', '2026-11-22T10:00:05.060Z'],
      // At the end, each 60 ms after the board's previous frame.
      ['r1', 'off', '2026-11-22T10:00:05.120Z'],
      ['r2', 'off', '2026-11-22T10:00:05.180Z'],
    ]);
    expect(result.outputs['/dev/ttyRELAY']?.writes).toBe(6);
  });

  it('switches what a departure after the end of the capture sets off at that departure, once', async () => {
    const { dir, file } = capture(
      [
        { id: 'shelf', driver: 'em4100-ascii', baudRate: 9600 },
        { id: 'back', driver: 'em4100-ascii', baudRate: 9600 },
        { id: 'io', driver: 'lines', baudRate: 115200 },
      ],
      [
        { t: 0, port: 'io', rx: hex('door=closed\n') },
        { t: 100, port: 'shelf', rx: CARD_A },
        { t: 100, port: 'back', rx: CARD_B },
      ],
    );
    const config = parseConfig(
      {
        gatewayId: 'gw1',
        dataDir: dir,
        readers: [
          { id: 'shelf', driver: 'em4100-ascii', port: '/dev/null', zone: 'shelf' },
          { id: 'back', driver: 'em4100-ascii', port: '/dev/null2', zone: 'back' },
        ],
        zones: [
          { id: 'shelf', departAfterMs: 3000 },
          { id: 'back', departAfterMs: 10000 },
        ],
        sensors: [{ id: 'io', driver: 'lines', port: '/dev/null3' }],
        actuators: [{ id: 'light', driver: 'lines', device: 'io', channel: 'light' }],
        rules: [
          {
            id: 'gone',
            on: 'tag.departed',
            when: { zone: 'shelf' },
            do: [{ set: { actuator: 'light', value: 'on' } }],
          },
        ],
      },
      'test',
    );
    const { events, stdout } = collect();
    const result = await replayCapture({ file, config, speed: 0, stdout, logger: silentLogger() });
    const departed = events.find((event) => event.type === 'tag.departed' && event.zone === 'shelf');
    const changed = events.find((event) => event.type === 'actuator.changed');
    expect(departed?.ts).toBe('2026-11-22T10:00:03.100Z');
    expect(changed?.ts).toBe(departed?.ts);
    expect(result.outputs.io?.writes).toBe(1);
  });

  it('stops and reports the error when the step before the first chunk fails (a relay board to close)', async () => {
    const { dir, file } = capture(
      [{ id: 'io', driver: 'lines', baudRate: 115200 }],
      [{ t: 0, port: 'io', rx: hex('door=open\n') }],
    );
    const config = parseConfig(
      {
        gatewayId: 'gw1',
        dataDir: dir,
        sensors: [{ id: 'io', driver: 'lines', port: '/dev/null' }],
        actuators: [{ id: 'r1', driver: 'relay-lcus', port: '/dev/ttyRELAY', channel: 1, safeState: 'off' }],
      },
      'test',
    );
    const failing = replayCapture({
      file,
      config,
      speed: 0,
      logger: silentLogger(),
      prepare: () => {
        throw new Error('prepare failed');
      },
    });
    await expect(failing).rejects.toThrow('prepare failed');
  });
});

describe('the controller and an integrator’s features', () => {
  const config = configSchema.parse({
    gatewayId: 'gw1',
    readers: [{ id: 'r', driver: 'em4100-ascii', port: '/dev/null' }],
  });
  const options = {
    mode: 'replay' as const,
    clock: new VirtualClock(0),
    logger: silentLogger(),
    dataDir: ':memory:',
    mqtt: undefined,
    drainMs: 0,
  };

  it('leaves a live-only feature out of a replay, a replacement of a built-in one included', () => {
    const live = defineFeature({
      name: 'http',
      liveOnly: true,
      build: () => ({ name: 'http', start() {}, stop() {} }),
    });
    const controller = Controller.create(config, { ...options, extraFeatures: [live] });
    expect(controller.parts).not.toContain('http');
    controller.store.close();
  });

  it('refuses two features of one name', () => {
    const twice = defineFeature({ name: 'mine', build: () => ({ name: 'mine', start() {}, stop() {} }) });
    expect(() => Controller.create(config, { ...options, extraFeatures: [twice, twice] })).toThrow(
      'feature "mine" is listed twice',
    );
  });
});
