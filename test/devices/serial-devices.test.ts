import { afterEach, describe, expect, it } from 'vitest';
import { RelayLcusOutput } from '../../src/devices/relay-lcus.js';
import { SerialLcd } from '../../src/devices/serial-lcd/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { createTransport } from '../../src/transport/create.js';
import type { ByteTransport } from '../../src/transport/types.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { Recorder } from '../transport/recorder.js';
import { waitFor } from '../transport/wait.js';

/**
 * The drivers over a real serial port: socat's pty pair stands in for the USB adapter, the gateway
 * end opened by the transport the service uses, and the bytes read back at the device end compared
 * with the command bytes of devices.md §1 and §2, written out by hand. socat is required (a missing
 * one fails, in CI and locally alike: see test/helpers/pty.ts). Waits are on events with generous
 * timeouts, never fixed sleeps, so that a slow machine only makes the test slower.
 */

const hex = (text: string) => Buffer.from(text.replaceAll(' ', ''), 'hex');
const ascii = (text: string) => Buffer.from(text, 'latin1');

/** Written through the transport after a test's last command: anything else still to come shows up before it. */
const SENTINEL = hex('55 AA 55');
const READ_TIMEOUT_MS = 15_000;
const TEST_TIMEOUT_MS = 60_000;

let pair: PtyPair | undefined;
let transport: ByteTransport | undefined;
const closers: (() => void)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await transport?.stop();
  await pair?.close();
  transport = undefined;
  pair = undefined;
});

/** A pty pair and a 9600-baud transport online on its gateway end. */
async function openPort() {
  const ptys = await createPtyPair();
  pair = ptys;
  const recorder = new Recorder();
  const serial = createTransport(
    { port: ptys.b, baudRate: 9600 },
    { clock: systemClock, logger: silentLogger() },
  );
  transport = serial;
  serial.start(recorder);
  await waitFor('the port online', () => recorder.lastIs('online'), READ_TIMEOUT_MS);
  return {
    path: ptys.b,
    write: (bytes: Uint8Array) => serial.write(bytes),
    /** The next bytes the device end receives, exactly `expected.length` of them. */
    receive: (expected: Buffer) => ptys.readA(expected.length, READ_TIMEOUT_MS),
    /** Proves that nothing more was sent: the sentinel is the very next thing the device gets. */
    async nothingMore() {
      await serial.write(SENTINEL);
      expect(await ptys.readA(SENTINEL.length, READ_TIMEOUT_MS)).toEqual(SENTINEL);
    },
  };
}

describe('LCUS relay board over a pty', () => {
  it(
    'switches channels 1 and 2 on and off, and ends pulses on time',
    async () => {
      const port = await openPort();
      const errors: Error[] = [];
      const relay = (channel: number, values: Record<string, 'on' | 'off'>) => {
        const output = new RelayLcusOutput({
          target: `${port.path}#${channel}`,
          channel,
          values,
          write: port.write,
          clock: systemClock,
          onError: (error) => errors.push(error),
        });
        closers.push(() => output.close());
        return output;
      };
      const light = relay(1, { on: 'on', off: 'off' });
      const lock = relay(2, { open: 'on', closed: 'off' });

      await light.set('on');
      expect(await port.receive(hex('A0 01 01 A2'))).toEqual(hex('A0 01 01 A2'));
      await light.set('off');
      expect(await port.receive(hex('A0 01 00 A1'))).toEqual(hex('A0 01 00 A1'));
      await lock.set('open');
      expect(await port.receive(hex('A0 02 01 A3'))).toEqual(hex('A0 02 01 A3'));
      await lock.set('closed');
      expect(await port.receive(hex('A0 02 00 A2'))).toEqual(hex('A0 02 00 A2'));

      // A pulse on each channel, overlapping: starts in order, then ends in the order they fall due.
      const started = performance.now();
      await light.set('on', 150);
      await lock.set('open', 300, 'closed');
      const starts = hex('A0 01 01 A2 A0 02 01 A3');
      expect(await port.receive(starts)).toEqual(starts);
      expect(await port.receive(hex('A0 01 00 A1'))).toEqual(hex('A0 01 00 A1'));
      // Node may fire a timer up to a millisecond early; never later than the bytes can show.
      expect(performance.now() - started).toBeGreaterThanOrEqual(149);
      expect(await port.receive(hex('A0 02 00 A2'))).toEqual(hex('A0 02 00 A2'));
      expect(performance.now() - started).toBeGreaterThanOrEqual(299);

      await port.nothingMore();
      expect(errors).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('serial character displays over a pty', () => {
  it(
    'paints a SerLCD 16x2 from a clear, then sends only the changed cells',
    async () => {
      const port = await openPort();
      const lcd = new SerialLcd({
        target: port.path,
        model: 'serlcd',
        size: '16x2',
        write: port.write,
        clock: systemClock,
      });

      const started = performance.now();
      await lcd.show(['Hello', 'World']);
      expect(performance.now() - started).toBeGreaterThanOrEqual(4);
      const first = Buffer.concat([
        hex('FE 0C FE 01'),
        hex('FE 80'),
        ascii('Hello'),
        hex('FE C0'),
        ascii('World'),
      ]);
      expect(await port.receive(first)).toEqual(first);

      await lcd.show(['Hallo', 'Wordy']);
      const second = Buffer.concat([hex('FE 81'), ascii('a'), hex('FE C3'), ascii('dy')]);
      expect(await port.receive(second)).toEqual(second);

      await port.nothingMore();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'paints a Matrix Orbital 20x4 from a clear, then sends only the changed cells',
    async () => {
      const port = await openPort();
      const lcd = new SerialLcd({
        target: port.path,
        model: 'matrix-orbital',
        size: '20x4',
        write: port.write,
        clock: systemClock,
      });

      await lcd.show(['Welcome', 'Take what you like', '', 'Door closes in 30s']);
      const first = Buffer.concat([
        hex('FE D1 14 04 FE 42 00 FE 4B FE 54 FE 58'),
        hex('FE 47 01 01'),
        ascii('Welcome'),
        hex('FE 47 01 02'),
        ascii('Take what you like'),
        hex('FE 47 01 04'),
        ascii('Door closes in 30s'),
      ]);
      expect(await port.receive(first)).toEqual(first);

      await lcd.show(['Welcome!', 'Take what you like', '', 'Door closes in 25s']);
      const second = Buffer.concat([hex('FE 47 08 01'), ascii('!'), hex('FE 47 10 04'), ascii('25')]);
      expect(await port.receive(second)).toEqual(second);

      await port.nothingMore();
    },
    TEST_TIMEOUT_MS,
  );
});
