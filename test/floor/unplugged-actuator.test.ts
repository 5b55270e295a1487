import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliProcess } from '../helpers/cli.js';
import type { PtyPair } from '../helpers/pty.js';
import {
  deviceOnline,
  type Event,
  eventAfter,
  Floor,
  frames,
  LCUS,
  stillRunning,
  TEST_TIMEOUT_MS,
  WAIT_MS,
} from './floor-harness.js';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** Writes `count=<n>` on the microcontroller's wire and waits for the gateway to report it. */
async function count(gateway: CliProcess, io: PtyPair, value: number): Promise<Event> {
  io.writeA(utf8(`count=${value}\n`));
  return gateway.waitForEvent(
    (event) => event.type === 'sensor.changed' && event.channel === 'count' && event.value === value,
    `sensor.changed count=${value}`,
    WAIT_MS,
  );
}

const isLockStatus = (state: 'fault' | 'ok') => (event: Event) =>
  event.type === 'actuator.status' && event.actuator === 'lock' && event.state === state;

/**
 * A rule that pulses a relay on every sensor change, with the relay board unplugged: the failures
 * are reported (`actuator.status` fault, on stdout like every event) and the rule goes on firing,
 * but the sensor's events never stop. Real ptys, the gateway as a process.
 */
describe('floor: a rule whose actuator is unplugged (real ptys, real gateway process)', () => {
  let floor: Floor;
  beforeEach(() => {
    floor = new Floor();
  });
  afterEach(() => floor.dispose());

  const setup = async (relayPort: (dir: string) => Promise<string>) => {
    const io = await floor.pty();
    const port = await relayPort(floor.dir);
    const config = floor.config('unplugged', {
      sensors: [{ id: 'io', driver: 'lines', port: io.b, zone: 'shelf' }],
      actuators: [
        {
          id: 'lock',
          driver: 'relay-lcus',
          port,
          channel: 1,
          values: { open: 'on', closed: 'off' },
          safeState: 'closed',
          writeTimeoutMs: 1000,
        },
      ],
      rules: [
        {
          id: 'every-change',
          on: 'sensor.changed',
          when: { sensor: 'io' },
          do: [{ pulse: { actuator: 'lock', value: 'open', ms: 300 } }],
        },
      ],
    });
    const gateway = floor.run(config);
    await deviceOnline(gateway, 'io');
    return { io, gateway };
  };

  it(
    'keeps reading the sensor and reports the fault when the board was never there',
    async () => {
      const { io, gateway } = await setup(async (dir) => join(dir, 'ttyUSB-never-plugged'));
      // Reported as soon as the port fails to open, before anything asks for the lock: a cabinet
      // must stop taking cards before a customer finds the door shut.
      const missing = await gateway.waitForEvent(
        isLockStatus('fault'),
        'a fault for the missing board',
        WAIT_MS,
      );
      expect(String(missing.reason)).toContain('device offline');

      const first = await count(gateway, io, 1);
      const fault = await gateway.waitForEvent(
        eventAfter(first, isLockStatus('fault')),
        'actuator.status fault for the lock',
        WAIT_MS,
      );
      expect(fault).toMatchObject({ gateway: 'floor', reason: expect.any(String) });
      expect(fault.reason).not.toBe('');

      // The rule keeps firing and failing; the sensor's events keep coming, in order.
      const later: Event[] = [];
      for (let value = 2; value <= 6; value++) later.push(await count(gateway, io, value));
      const seqs = [first, ...later].map((event) => event.seq as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      // Each firing was tried, failed and reported: a fault after the last change too.
      await gateway.waitForEvent(
        eventAfter(later.at(-1), isLockStatus('fault')),
        'a fault for the last firing',
        WAIT_MS,
      );
      expect(stillRunning(gateway)).toBe(true);
      // Nothing claims the lock moved.
      expect(gateway.events().filter((event) => event.type === 'actuator.changed')).toEqual([]);
      // Every event of the run is on stdout, numbered without a gap.
      const all = gateway.events().map((event) => event.seq as number);
      expect(all).toEqual(all.map((_, index) => index + 1));

      // Shutdown cannot lock a board that is not there, but it still ends, and cleanly.
      expect(await gateway.stop('SIGTERM')).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'reports the fault while the board is unplugged and ok when it is back, locking it again',
    async () => {
      let relay: PtyPair | undefined;
      const { io, gateway } = await setup(async () => {
        relay = await floor.pty();
        return relay.b;
      });
      if (relay === undefined) throw new Error('no relay pty');
      const board = floor.tap(relay);
      await board.waitForLength(4, 'the safe state at start-up');
      expect(frames(board.bytes)).toEqual(frames(LCUS.ch1Off));
      const locked = await gateway.waitForEvent(
        (event) => event.type === 'actuator.changed' && event.actuator === 'lock',
        'actuator.changed at start-up',
        WAIT_MS,
      );

      // Unplugged.
      await relay.kill();
      const first = await count(gateway, io, 1);
      expect(first.seq as number).toBeGreaterThan(locked.seq as number);
      await gateway.waitForEvent(
        eventAfter(first, isLockStatus('fault')),
        'actuator.status fault for the lock',
        WAIT_MS,
      );
      // The pulse end is attempted all the same (the "on" may have reached the board), and fails too:
      // once it is reported, no timer of the gateway's is left to write to the board.
      await gateway.waitForEvent(
        eventAfter(
          first,
          (event) => isLockStatus('fault')(event) && String(event.reason).includes('pulse end failed'),
        ),
        'the pulse end reported as a fault',
        WAIT_MS,
      );
      const second = await count(gateway, io, 2);
      expect(stillRunning(gateway)).toBe(true);
      await gateway.waitForEvent(
        eventAfter(
          second,
          (event) => isLockStatus('fault')(event) && String(event.reason).includes('pulse end failed'),
        ),
        'the second pulse end reported as a fault',
        WAIT_MS,
      );

      // Plugged back in: the safe state is written as soon as the port is open, and that success
      // clears the fault.
      await relay.restart();
      const ok = await gateway.waitForEvent(
        eventAfter(second, isLockStatus('ok')),
        'actuator.status ok',
        WAIT_MS,
      );
      await board.waitForLength(8, 'the safe state after the replug');
      expect(frames(board.bytes)).toEqual(frames(Buffer.concat([LCUS.ch1Off, LCUS.ch1Off])));

      // The rule works again: on, and off 300 ms later.
      await count(gateway, io, 3);
      await board.waitForLength(16, 'the pulse after the replug');
      expect(frames(board.bytes)).toEqual(
        frames(Buffer.concat([LCUS.ch1Off, LCUS.ch1Off, LCUS.ch1On, LCUS.ch1Off])),
      );
      const faultsSinceOk = gateway
        .events()
        .filter((event) => (event.seq as number) > (ok.seq as number) && event.type === 'actuator.status');
      expect(faultsSinceOk).toEqual([]);
      expect(await gateway.stop('SIGTERM')).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});
