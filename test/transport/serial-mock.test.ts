import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import { createTransport } from '../../src/transport/create.js';
import type { SerialDevice } from '../../src/transport/serial.js';
import type { ByteTransport } from '../../src/transport/types.js';
import { M6E_GET_VERSION, M6E_TAG_FRAME_T1 } from './fixtures.js';
import { Recorder } from './recorder.js';
import { waitFor } from './wait.js';

const PATH = '/dev/ttyMOCK0';
// serialport requires the CommonJS build of @serialport/binding-mock; importing the package here
// would load its ESM build, a second MockBinding with ports of its own.
const MockBinding = SerialPortMock.binding;

let transport: ByteTransport | undefined;

afterEach(async () => {
  await transport?.stop();
  transport = undefined;
  MockBinding.reset();
});

/** A serial transport over serialport's mock binding, on a virtual clock; `devices` are the ports it opened. */
function mockSerial(clock: VirtualClock) {
  const devices: SerialPortMock[] = [];
  const serial = createTransport(
    { port: PATH, baudRate: 115200, reconnect: { initialMs: 100, jitter: 0 } },
    { clock, logger: silentLogger() },
    {
      openDevice: ({ path, baudRate }): SerialDevice => {
        const device = new SerialPortMock({ path, baudRate, autoOpen: false });
        devices.push(device);
        return device;
      },
    },
  );
  transport = serial;
  return { serial, devices };
}

describe('serial transport on the serialport mock binding', () => {
  it('reads through serialport when the device is not a terminal, and writes through it', async () => {
    MockBinding.createPort(PATH, { record: true });
    const { serial, devices } = mockSerial(new VirtualClock(0));
    const recorder = new Recorder();
    serial.start(recorder);
    await waitFor('online', () => recorder.lastIs('online'));
    const device = devices[0] as SerialPortMock;

    device.port?.emitData(Buffer.from(M6E_TAG_FRAME_T1));
    await waitFor('frame', () => (recorder.bytes.length === M6E_TAG_FRAME_T1.length ? true : undefined));
    expect(recorder.bytes).toEqual(Buffer.from(M6E_TAG_FRAME_T1));

    await serial.write(M6E_GET_VERSION);
    expect(device.port?.recording).toEqual(Buffer.from(M6E_GET_VERSION));
  });

  it('reports a missing port as offline and opens it once it exists', async () => {
    const clock = new VirtualClock(0);
    const { serial } = mockSerial(clock);
    const recorder = new Recorder();
    serial.start(recorder);
    const offline = await waitFor('offline', () => recorder.lastIs('offline'));
    expect(offline).toMatchObject({ attempt: 1, retryInMs: 100 });
    if (offline.state === 'offline') expect(offline.reason).toMatch(/does not exist/);

    MockBinding.createPort(PATH);
    clock.advanceTo(100);
    await waitFor('online', () => recorder.lastIs('online'));
  });

  it('goes offline when the port closes with a disconnect and reopens on the clock', async () => {
    MockBinding.createPort(PATH);
    const clock = new VirtualClock(0);
    const { serial, devices } = mockSerial(clock);
    const recorder = new Recorder();
    serial.start(recorder);
    await waitFor('online', () => recorder.lastIs('online'));

    const first = devices[0] as SerialPortMock;
    first.close(() => {}, new Error('Disconnected'));
    const offline = await waitFor('offline', () => recorder.lastIs('offline'));
    expect(offline).toEqual({ state: 'offline', reason: 'Disconnected', attempt: 1, retryInMs: 100 });

    clock.advanceTo(100);
    await waitFor('online again', () => recorder.lastIs('online'));
    expect(devices).toHaveLength(2);
    (devices[1] as SerialPortMock).port?.emitData(Buffer.from([0xff, 0x00]));
    await waitFor('data after reopen', () => (recorder.bytes.length === 2 ? true : undefined));
  });

  it('rejects writes while offline with the target in the message', async () => {
    const { serial } = mockSerial(new VirtualClock(0));
    const recorder = new Recorder();
    serial.start(recorder);
    await waitFor('offline', () => recorder.lastIs('offline'));
    await expect(serial.write(M6E_GET_VERSION)).rejects.toThrow(
      `${PATH}@115200 is offline: cannot write 5 bytes`,
    );
  });
});
