import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { Floor, frames, hex, LCUS, TEST_TIMEOUT_MS, writeAsGateway } from './floor-harness.js';

/** Written into the relay's wire by the test after a command has exited: nothing may come after it. */
const SENTINEL = hex('55 AA 55 AA');
const CLI_TIMEOUT_MS = 60_000;

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

      writeAsGateway(io, SENTINEL);
      const line = Buffer.concat([Buffer.from('door=locked\n', 'ascii'), SENTINEL]);
      await microcontroller.waitForLength(line.length, 'door=locked, then the sentinel');
      expect(microcontroller.bytes.toString('latin1')).toBe(line.toString('latin1'));
    },
    TEST_TIMEOUT_MS,
  );
});
