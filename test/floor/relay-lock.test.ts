import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  deviceOnline,
  eventAfter,
  Floor,
  frames,
  hex,
  LCUS,
  stillRunning,
  TEST_TIMEOUT_MS,
  WAIT_MS,
  writeAsGateway,
} from './floor-harness.js';

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const PULSE_MS = 1500;
/** Written into the relay's wire by the test once the gateway has exited: nothing may come after it. */
const SENTINEL = hex('55 AA 55 AA');
/** The rule these tests drive the lock with: a button press on the io board pulses it open. */
const buttonOpensLock = (ms: number) => ({
  id: 'button-opens',
  on: 'sensor.changed',
  when: { sensor: 'io', value: 'pressed' },
  do: [{ pulse: { actuator: 'lock', value: 'open', ms } }],
});
/**
 * The gateway spaces frames to one board 60 ms apart (devices.md §1: 50-100 ms); the tap polls
 * every 5 ms, on a machine that may be busy, so less than that is required of what it sees. Frames
 * sent back to back arrive together (0 ms).
 */
const MIN_SEEN_GAP_MS = 30;

/**
 * A cabinet lock on an LCUS relay board, opened by a button on a `lines` microcontroller through a
 * rule. Two real ptys: one plays the relay board (the test reads what the gateway writes to it),
 * one plays the microcontroller (the test writes `button=pressed`). The board is write-only and
 * cannot end a pulse by itself: the gateway must, and must leave the lock in its safe state when it
 * starts and when it stops. Relay bytes are the worked values of devices.md §1.
 */
describe('floor: a relay-driven lock opened by a rule (real ptys, real gateway process)', () => {
  let floor: Floor;
  beforeEach(() => {
    floor = new Floor();
  });
  afterEach(() => floor.dispose());

  it(
    'locks when the board comes online, pulses open for 1.5 s on a button press, and locks at shutdown',
    async () => {
      const relay = await floor.pty();
      const io = await floor.pty();
      const board = floor.tap(relay);
      const config = floor.config('relay-lock', {
        sensors: [{ id: 'io', driver: 'lines', port: io.b, zone: 'cabinet' }],
        actuators: [
          {
            id: 'lock',
            driver: 'relay-lcus',
            port: relay.b,
            channel: 1,
            values: { open: 'on', closed: 'off' },
            safeState: 'closed',
          },
        ],
        rules: [
          {
            id: 'button-opens',
            on: 'sensor.changed',
            when: { sensor: ['io'], value: ['pressed'] },
            do: [{ pulse: { actuator: 'lock', value: 'open', ms: PULSE_MS } }],
          },
        ],
      });
      const gateway = floor.run(config);

      // The safe state as soon as the board's port is open: relay 1 off.
      await board.waitForLength(4, 'the safe state at start-up');
      expect(frames(board.bytes)).toEqual(frames(LCUS.ch1Off));
      await gateway.waitForEvent(
        (event) => event.type === 'actuator.changed' && event.actuator === 'lock' && event.value === 'closed',
        'actuator.changed closed at start-up',
        WAIT_MS,
      );

      // The microcontroller must be listened to before the button is pressed.
      await deviceOnline(gateway, 'io');
      const pressedAt = performance.now();
      io.writeA(utf8('button=pressed\n'));
      const pressed = await gateway.waitForEvent(
        (event) => event.type === 'sensor.changed' && event.channel === 'button' && event.value === 'pressed',
        'sensor.changed button=pressed',
        WAIT_MS,
      );
      expect(pressed).toMatchObject({ sensor: 'io', zone: 'cabinet' });

      // Relay on, then off again by the gateway's own timer, not before 1.5 s after the press.
      await board.waitForLength(12, 'the pulse (on, then off)');
      expect(frames(board.bytes)).toEqual(frames(Buffer.concat([LCUS.ch1Off, LCUS.ch1On, LCUS.ch1Off])));
      const offAt = board.arrivalOf(8) as number;
      // Node may fire a timer up to a millisecond early.
      expect(offAt - pressedAt).toBeGreaterThanOrEqual(PULSE_MS - 1);
      // It ended while the gateway was running (the shutdown below has not been asked for yet).
      expect(stillRunning(gateway)).toBe(true);
      const changed = await gateway.waitForEvent(
        eventAfter(pressed, (event) => event.type === 'actuator.changed' && event.actuator === 'lock'),
        'actuator.changed for the pulse',
        WAIT_MS,
      );
      expect(changed).toMatchObject({ value: 'open', pulseMs: PULSE_MS, reason: 'rule button-opens' });

      // Shutdown: the lock is put in its safe state before the process exits, and exit is clean.
      expect(await gateway.stop('SIGTERM')).toBe(0);
      // Every byte the gateway wrote is in the pty before ours: the sentinel comes out last.
      writeAsGateway(relay, SENTINEL);
      await board.waitForLength(20, 'the safe state at shutdown, then the sentinel');
      expect(frames(board.bytes)).toEqual(
        frames(Buffer.concat([LCUS.ch1Off, LCUS.ch1On, LCUS.ch1Off, LCUS.ch1Off, SENTINEL])),
      );
      // Its own record of the shutdown write.
      const lockEvents = gateway
        .events()
        .filter((event) => event.type === 'actuator.changed' && event.actuator === 'lock');
      expect(lockEvents.map((event) => [event.value, event.reason])).toEqual([
        ['closed', 'device online'],
        ['open', 'rule button-opens'],
        ['closed', 'shutdown'],
      ]);
      expect(gateway.events().filter((event) => event.type === 'actuator.status')).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'locks at once when stopped in the middle of a long pulse, and does not wait for the pulse to end',
    async () => {
      const relay = await floor.pty();
      const io = await floor.pty();
      const board = floor.tap(relay);
      const LONG_PULSE_MS = 60_000;
      const config = floor.config('relay-long-pulse', {
        sensors: [{ id: 'io', driver: 'lines', port: io.b, zone: 'cabinet' }],
        actuators: [
          {
            id: 'lock',
            driver: 'relay-lcus',
            port: relay.b,
            channel: 1,
            values: { open: 'on', closed: 'off' },
            safeState: 'closed',
            maxPulseMs: LONG_PULSE_MS,
          },
        ],
        rules: [buttonOpensLock(LONG_PULSE_MS)],
      });
      const gateway = floor.run(config);
      await board.waitForLength(4, 'the safe state at start-up');
      await deviceOnline(gateway, 'io');
      io.writeA(utf8('button=pressed\n'));
      await board.waitForLength(8, 'relay on');
      expect(frames(board.bytes)).toEqual(frames(Buffer.concat([LCUS.ch1Off, LCUS.ch1On])));

      // Stopped while the lock is open: the stop locks it and the process ends well before the
      // pulse would have (a pending pulse end must neither hold the process nor write later).
      const stoppedAt = performance.now();
      expect(await gateway.stop('SIGTERM')).toBe(0);
      expect(performance.now() - stoppedAt).toBeLessThan(LONG_PULSE_MS / 2);
      writeAsGateway(relay, SENTINEL);
      await board.waitForLength(16, 'the safe state at shutdown, then the sentinel');
      expect(frames(board.bytes)).toEqual(
        frames(Buffer.concat([LCUS.ch1Off, LCUS.ch1On, LCUS.ch1Off, SENTINEL])),
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'ends a pulse at shutdown on a relay without a safe state: the rest state is written before exit',
    async () => {
      const relay = await floor.pty();
      const io = await floor.pty();
      const board = floor.tap(relay);
      const LONG_PULSE_MS = 60_000;
      const config = floor.config('relay-no-safe-state', {
        sensors: [{ id: 'io', driver: 'lines', port: io.b, zone: 'cabinet' }],
        actuators: [
          // No safeState: nothing is written at start-up or at shutdown, but a pulse it was given
          // must not outlive the gateway (the board keeps a relay on until told otherwise).
          {
            id: 'lock',
            driver: 'relay-lcus',
            port: relay.b,
            channel: 1,
            values: { open: 'on', closed: 'off' },
            maxPulseMs: LONG_PULSE_MS,
          },
          // The cabinet's light on the same board: its safe state at start-up shows the port open.
          { id: 'light', driver: 'relay-lcus', port: relay.b, channel: 2, safeState: 'off' },
        ],
        rules: [buttonOpensLock(LONG_PULSE_MS)],
      });
      const gateway = floor.run(config);
      await board.waitForLength(4, 'the light off at start-up');
      await deviceOnline(gateway, 'io');
      io.writeA(utf8('button=pressed\n'));
      await board.waitForLength(8, 'relay 1 on');
      expect(frames(board.bytes)).toEqual(frames(Buffer.concat([LCUS.ch2Off, LCUS.ch1On])));

      const stoppedAt = performance.now();
      expect(await gateway.stop('SIGTERM')).toBe(0);
      expect(performance.now() - stoppedAt).toBeLessThan(LONG_PULSE_MS / 2);
      writeAsGateway(relay, SENTINEL);
      // The light's safe state, then the lock's pulse ended: relay 1 off.
      await board.waitForLength(20, 'the pulse ended at shutdown, then the sentinel');
      expect(frames(board.bytes)).toEqual(
        frames(Buffer.concat([LCUS.ch2Off, LCUS.ch1On, LCUS.ch2Off, LCUS.ch1Off, SENTINEL])),
      );
      expect(gateway.events().filter((event) => event.type === 'actuator.status')).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'spaces the frames to one board: the safe states of two relays at start-up arrive apart',
    async () => {
      const relay = await floor.pty();
      const board = floor.tap(relay);
      const config = floor.config('relay-pacing', {
        zones: [{ id: 'cabinet' }],
        actuators: [
          {
            id: 'lock',
            driver: 'relay-lcus',
            port: relay.b,
            channel: 1,
            values: { open: 'on', closed: 'off' },
            safeState: 'closed',
          },
          { id: 'light', driver: 'relay-lcus', port: relay.b, channel: 2, safeState: 'off' },
        ],
      });
      const gateway = floor.run(config);
      await board.waitForLength(8, 'both safe states at start-up');
      expect(frames(board.bytes)).toEqual(frames(Buffer.concat([LCUS.ch1Off, LCUS.ch2Off])));
      // Written 60 ms apart; the tap reads every few ms, so a little of that may not show.
      const gap = (board.arrivalOf(4) as number) - (board.arrivalOf(0) as number);
      expect(gap).toBeGreaterThanOrEqual(MIN_SEEN_GAP_MS);
      expect(await gateway.stop('SIGTERM')).toBe(0);
      writeAsGateway(relay, SENTINEL);
      await board.waitForLength(20, 'both safe states at shutdown, then the sentinel');
      expect(frames(board.bytes)).toEqual(
        frames(Buffer.concat([LCUS.ch1Off, LCUS.ch2Off, LCUS.ch1Off, LCUS.ch2Off, SENTINEL])),
      );
      const shutdownGap = (board.arrivalOf(12) as number) - (board.arrivalOf(8) as number);
      expect(shutdownGap).toBeGreaterThanOrEqual(MIN_SEEN_GAP_MS);
    },
    TEST_TIMEOUT_MS,
  );
});
