import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';
import { Floor, frames, hex, LCUS, TEST_TIMEOUT_MS, writeAsGateway } from './floor-harness.js';

/** Written into the relay's wire by the test after a command has exited: nothing may come after it. */
const SENTINEL = hex('55 AA 55 AA');
const CLI_TIMEOUT_MS = 60_000;
/** `actuate` spaces frames to one port 60 ms apart; the tap polls every 5 ms on a busy machine. */
const MIN_SEEN_GAP_MS = 30;

/**
 * `rfid-gateway actuate`, the command systemd runs as `ExecStopPost=`: with no gateway running, it
 * opens the relay board itself and writes the frames of devices.md §1. Each command is a separate
 * process on the same pty; after each, the test writes a sentinel into the gateway end, so that
 * "exactly these bytes and nothing else" is checked without waiting for silence.
 */
describe('floor: actuate without the service (real pty)', () => {
  let floor: Floor;
  beforeEach(() => {
    floor = new Floor();
  });
  afterEach(() => floor.dispose());

  const lock = (port: string) => ({
    id: 'lock',
    driver: 'relay-lcus',
    port,
    channel: 1,
    values: { open: 'on', closed: 'off' },
    safeState: 'closed',
  });

  it(
    'writes the safe state with --safe, sets a value by name, and refuses a value the lock does not have',
    async () => {
      const relay = await floor.pty();
      const board = floor.tap(relay);
      // No reader or sensor: the zone is the only other thing a config must have.
      const config = floor.config('actuate', { zones: [{ id: 'floor' }], actuators: [lock(relay.b)] });
      let expected = Buffer.alloc(0);
      const nextBytesAre = async (bytes: Buffer, what: string) => {
        writeAsGateway(relay, SENTINEL);
        expected = Buffer.concat([expected, bytes, SENTINEL]);
        await board.waitForLength(expected.length, what);
        expect(frames(board.bytes)).toEqual(frames(expected));
      };

      const safe = await runCli(['actuate', '--safe', '--config', config], { timeoutMs: CLI_TIMEOUT_MS });
      expect(safe, safe.stderr).toMatchObject({ code: 0 });
      expect(safe.stdout).toContain('lock: closed');
      await nextBytesAre(LCUS.ch1Off, 'relay 1 off from actuate --safe');

      const open = await runCli(['actuate', 'lock', 'open', '--config', config], {
        timeoutMs: CLI_TIMEOUT_MS,
      });
      expect(open, open.stderr).toMatchObject({ code: 0 });
      expect(open.stdout).toContain('lock: open');
      await nextBytesAre(LCUS.ch1On, 'relay 1 on from actuate lock open');

      const bogus = await runCli(['actuate', 'lock', 'bogus', '--config', config], {
        timeoutMs: CLI_TIMEOUT_MS,
      });
      expect(bogus.code).toBe(2);
      expect(bogus.stderr).toContain('bogus');
      expect(bogus.stderr).toContain('open');
      expect(bogus.stderr).toContain('closed');
      // Nothing reached the board.
      await nextBytesAre(Buffer.alloc(0), 'nothing from actuate lock bogus');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'sets every other actuator when one board is missing, names the missing one and exits 1',
    async () => {
      const relay = await floor.pty();
      const board = floor.tap(relay);
      // A `lines` microcontroller too: its outputs are `<channel>=<value>` lines on its own port.
      const io = await floor.pty();
      const microcontroller = floor.tap(io);
      const missing = join(floor.dir, 'ttyUSB-unplugged');
      const config = floor.config('actuate-missing', {
        sensors: [{ id: 'io', driver: 'lines', port: io.b }],
        actuators: [
          // Listed first: the ones after it are still set.
          { id: 'gone', driver: 'relay-lcus', port: missing, channel: 1, safeState: 'off' },
          lock(relay.b),
          { id: 'light', driver: 'relay-lcus', port: relay.b, channel: 2, safeState: 'off' },
          // No safe state: --safe leaves it alone.
          { id: 'buzzer', driver: 'relay-lcus', port: relay.b, channel: 3 },
          { id: 'door', driver: 'lines', device: 'io', channel: 'door', safeState: 'locked' },
        ],
      });

      const result = await runCli(['actuate', '--safe', '--timeout', '1', '--config', config], {
        timeoutMs: CLI_TIMEOUT_MS,
      });
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
      expect(result.stderr).toContain('gone');
      expect(result.stderr).toContain(missing);
      expect(result.stderr).not.toMatch(/\b(lock|light|door)\b/);
      expect(result.stdout).toContain('lock: closed');
      expect(result.stdout).toContain('light: off');
      expect(result.stdout).toContain('door: locked');
      expect(result.stdout).not.toContain('buzzer');

      writeAsGateway(relay, SENTINEL);
      const expected = Buffer.concat([LCUS.ch1Off, LCUS.ch2Off, SENTINEL]);
      await board.waitForLength(expected.length, 'relays 1 and 2 off, then the sentinel');
      expect(frames(board.bytes)).toEqual(frames(expected));
      // Paced as the service paces them (devices.md §1: 50-100 ms), not back to back.
      const gap = (board.arrivalOf(4) as number) - (board.arrivalOf(0) as number);
      expect(gap).toBeGreaterThanOrEqual(MIN_SEEN_GAP_MS);

      writeAsGateway(io, SENTINEL);
      const line = Buffer.concat([Buffer.from('door=locked\n', 'ascii'), SENTINEL]);
      await microcontroller.waitForLength(line.length, 'door=locked, then the sentinel');
      expect(microcontroller.bytes.toString('latin1')).toBe(line.toString('latin1'));
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'writes the safe states of a config the service would refuse for an unrelated section',
    async () => {
      const broker = await startMosquitto();
      const light = await MqttCollector.start(broker.url, 'rfid/floor/actuators/#');
      try {
        const relay = await floor.pty();
        const board = floor.tap(relay);
        const config = floor.config('actuate-bad-rules', {
          zones: [{ id: 'floor' }],
          mqtt: { url: broker.url },
          actuators: [lock(relay.b), { id: 'light', driver: 'mqtt', safeState: 'off' }],
          // Invalid: no such event, no action; and a section this version does not know.
          rules: [{ id: 'broken', on: 'no.such.event', do: 'nothing' }],
          sectionFromTheFuture: { enabled: true },
        });
        // The service refuses it...
        const check = await runCli(['check-config', config], { timeoutMs: CLI_TIMEOUT_MS });
        expect(check.code, check.stdout).toBe(2);
        expect(`${check.stdout}${check.stderr}`).toContain('rules');

        // ...and the safety net still locks: the relay board and the MQTT device, both.
        const safe = await runCli(['actuate', '--safe', '--config', config], { timeoutMs: CLI_TIMEOUT_MS });
        expect(safe, safe.stderr).toMatchObject({ code: 0, stderr: '' });
        expect(safe.stdout).toContain('lock: closed');
        expect(safe.stdout).toContain('light: off');
        writeAsGateway(relay, SENTINEL);
        await board.waitForLength(8, 'relay 1 off, then the sentinel');
        expect(frames(board.bytes)).toEqual(frames(Buffer.concat([LCUS.ch1Off, SENTINEL])));
        await light.waitFor((messages) => messages.length > 0, 'the safe state of the light');
        expect(light.messages.map((m) => [m.topic, m.payload])).toEqual([
          ['rfid/floor/actuators/light/set', JSON.stringify({ value: 'off' })],
        ]);

        // `actuate ID STATE` reads the config the same way.
        const open = await runCli(['actuate', 'lock', 'open', '--config', config], {
          timeoutMs: CLI_TIMEOUT_MS,
        });
        expect(open, open.stderr).toMatchObject({ code: 0 });
        writeAsGateway(relay, SENTINEL);
        await board.waitForLength(16, 'relay 1 on, then the sentinel');
        expect(frames(board.bytes)).toEqual(
          frames(Buffer.concat([LCUS.ch1Off, SENTINEL, LCUS.ch1On, SENTINEL])),
        );
      } finally {
        await light.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'works on every port at once, under one deadline',
    async () => {
      const relay = await floor.pty();
      const board = floor.tap(relay);
      const TIMEOUT_S = 5;
      const missing = ['gone1', 'gone2', 'gone3'];
      const config = floor.config('actuate-parallel', {
        zones: [{ id: 'floor' }],
        actuators: [
          ...missing.map((id) => ({
            id,
            driver: 'relay-lcus',
            port: join(floor.dir, `ttyUSB-${id}`),
            channel: 1,
            safeState: 'off',
          })),
          lock(relay.b),
        ],
      });
      const startedAt = performance.now();
      const result = await runCli(['actuate', '--safe', '--timeout', String(TIMEOUT_S), '--config', config], {
        timeoutMs: CLI_TIMEOUT_MS,
      });
      const elapsedMs = performance.now() - startedAt;
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
      for (const id of missing) expect(result.stderr).toContain(`${id}: not set`);
      expect(result.stdout).toContain('lock: closed');
      // Each missing board waited for the whole deadline, all at the same time: one after the other
      // would take three times as long. The margin is for the process start-up on a busy machine.
      expect(elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_S * 1000);
      expect(elapsedMs).toBeLessThan(2.5 * TIMEOUT_S * 1000);
      writeAsGateway(relay, SENTINEL);
      await board.waitForLength(8, 'relay 1 off, then the sentinel');
      expect(frames(board.bytes)).toEqual(frames(Buffer.concat([LCUS.ch1Off, SENTINEL])));
    },
    TEST_TIMEOUT_MS,
  );
});
