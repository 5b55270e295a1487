import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../shared/clock.js';
import { encodeLcus, type RelayLcusOptions, RelayLcusOutput } from './relay-lcus.js';

/** The worked frames of devices.md §1 (jarwyg/USB_RELAY README; Pebble94464 `DeviceBase.py`). */
const CH1_ON = [0xa0, 0x01, 0x01, 0xa2];
const CH1_OFF = [0xa0, 0x01, 0x00, 0xa1];
const CH2_ON = [0xa0, 0x02, 0x01, 0xa3];
const CH2_OFF = [0xa0, 0x02, 0x00, 0xa2];
const CH4_ON = [0xa0, 0x04, 0x01, 0xa5];
const CH4_OFF = [0xa0, 0x04, 0x00, 0xa4];

const START = 1_000;

/** Lets pending promise callbacks run (the driver's awaits), without moving any clock. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

/** The board's port: records every write; a write resolves at once unless the test holds it. */
class FakePort {
  readonly writes: number[][] = [];
  readonly held: Pending[] = [];
  hold = false;
  failWith: Error | undefined;

  readonly write = (bytes: Uint8Array): Promise<void> => {
    this.writes.push([...bytes]);
    if (this.failWith) return Promise.reject(this.failWith);
    if (!this.hold) return Promise.resolve();
    return new Promise((resolve, reject) => this.held.push({ resolve, reject }));
  };
}

function lock(overrides: Partial<RelayLcusOptions> = {}) {
  const port = new FakePort();
  const clock = new VirtualClock(START);
  const errors: Error[] = [];
  const relay = new RelayLcusOutput({
    target: '/dev/ttyUSB1#2',
    channel: 2,
    values: { open: 'on', closed: 'off' },
    write: port.write,
    clock,
    onError: (error) => errors.push(error),
    ...overrides,
  });
  return { port, clock, errors, relay };
}

describe('encodeLcus', () => {
  it('gives the documented frames', () => {
    expect([...encodeLcus(1, true)]).toEqual(CH1_ON);
    expect([...encodeLcus(1, false)]).toEqual(CH1_OFF);
    expect([...encodeLcus(2, true)]).toEqual(CH2_ON);
    expect([...encodeLcus(2, false)]).toEqual(CH2_OFF);
    expect([...encodeLcus(4, true)]).toEqual(CH4_ON);
    expect([...encodeLcus(4, false)]).toEqual(CH4_OFF);
    // A0 + 08 + 01 = A9: the highest channel the frame allows.
    expect([...encodeLcus(8, true)]).toEqual([0xa0, 0x08, 0x01, 0xa9]);
  });

  it('refuses channels the board cannot have', () => {
    for (const channel of [0, 9, 1.5, -1, Number.NaN]) {
      expect(() => encodeLcus(channel, true)).toThrow(RangeError);
    }
  });
});

describe('RelayLcusOutput', () => {
  it('checks its channel and values when it is built', () => {
    const write = () => Promise.resolve();
    const clock = new VirtualClock(START);
    expect(
      () => new RelayLcusOutput({ target: 'r', channel: 9, values: { on: 'on' }, write, clock }),
    ).toThrow(/1\.\.8/);
    expect(() => new RelayLcusOutput({ target: 'r', channel: 1, values: {}, write, clock })).toThrow(
      /at least one value/,
    );
  });

  it('maps a value to its relay state and writes it', async () => {
    const { port, relay } = lock();
    expect(relay.target).toBe('/dev/ttyUSB1#2');
    await relay.set('open');
    await relay.set('closed');
    expect(port.writes).toEqual([CH2_ON, CH2_OFF]);
  });

  it('rejects an unknown value or rest value, naming the allowed ones, and writes nothing', async () => {
    const { port, relay, clock } = lock();
    await expect(relay.set('ajar')).rejects.toThrow('unknown value "ajar" (allowed: "open", "closed")');
    await expect(relay.set('open', 500, 'ajar')).rejects.toThrow(/unknown value "ajar"/);
    expect(port.writes).toEqual([]);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('rejects a pulse length that is not a positive number', async () => {
    const { port, relay } = lock();
    for (const pulseMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(relay.set('open', pulseMs)).rejects.toThrow(RangeError);
    }
    expect(port.writes).toEqual([]);
  });

  it('ends a pulse in the opposite state after pulseMs on the clock', async () => {
    const { port, relay, clock } = lock();
    await relay.set('open', 500);
    expect(port.writes).toEqual([CH2_ON]);
    clock.advanceTo(START + 499);
    expect(port.writes).toEqual([CH2_ON]);
    clock.advanceTo(START + 500);
    expect(port.writes).toEqual([CH2_ON, CH2_OFF]);
    clock.advanceTo(START + 10_000);
    expect(port.writes).toHaveLength(2);
  });

  it('ends a pulse in restValue when given, which may be the same state', async () => {
    const { port, relay, clock } = lock({
      channel: 1,
      values: { open: 'on', closed: 'off', release: 'on' },
    });
    await relay.set('closed', 200, 'release');
    clock.advanceTo(START + 200);
    expect(port.writes).toEqual([CH1_OFF, CH1_ON]);
    await relay.set('open', 200, 'release');
    clock.advanceTo(START + 400);
    expect(port.writes).toEqual([CH1_OFF, CH1_ON, CH1_ON, CH1_ON]);
  });

  it('times the pulse from when the bytes were written', async () => {
    const { port, relay, clock } = lock();
    port.hold = true;
    const setting = relay.set('open', 500);
    await settle();
    clock.advanceTo(START + 100);
    expect(clock.nextTimerAt()).toBeUndefined();
    port.held[0]?.resolve();
    await setting;
    expect(clock.nextTimerAt()).toBe(START + 600);
  });

  it('cancels a pending pulse end on the next set', async () => {
    const { port, relay, clock } = lock();
    await relay.set('open', 500);
    clock.advanceTo(START + 200);
    await relay.set('closed');
    clock.advanceTo(START + 1_000);
    expect(port.writes).toEqual([CH2_ON, CH2_OFF]);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('restarts the pulse when a new pulse comes before the old one ended', async () => {
    const { port, relay, clock } = lock();
    await relay.set('open', 500);
    clock.advanceTo(START + 300);
    await relay.set('open', 500);
    clock.advanceTo(START + 799);
    expect(port.writes).toEqual([CH2_ON, CH2_ON]);
    clock.advanceTo(START + 800);
    expect(port.writes).toEqual([CH2_ON, CH2_ON, CH2_OFF]);
  });

  it('does not arm the pulse of a set overtaken by a newer one while its write was in flight', async () => {
    const { port, relay, clock } = lock();
    port.hold = true;
    const pulse = relay.set('open', 500);
    const close = relay.set('closed');
    await settle();
    for (const pending of port.held) pending.resolve();
    await Promise.all([pulse, close]);
    expect(clock.nextTimerAt()).toBeUndefined();
    expect(port.writes).toEqual([CH2_ON, CH2_OFF]);
  });

  it('still ends the pulse when the write of its start failed (the bytes may have gone out)', async () => {
    const { port, relay, clock } = lock();
    port.failWith = new Error('write timed out');
    await expect(relay.set('open', 500)).rejects.toThrow('write timed out');
    port.failWith = undefined;
    clock.advanceTo(START + 500);
    expect(port.writes).toEqual([CH2_ON, CH2_OFF]);
  });

  it('reports a failed pulse end through onError instead of throwing', async () => {
    const { port, relay, clock, errors } = lock();
    await relay.set('open', 500);
    port.failWith = new Error('port is offline');
    clock.advanceTo(START + 500);
    await settle();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      message: 'relay /dev/ttyUSB1#2: pulse end failed: port is offline',
      cause: { message: 'port is offline' },
    });
  });

  it('swallows a failed pulse end without onError, and a throwing onError', async () => {
    for (const onError of [undefined, () => raise('callback broke')]) {
      const { port, relay, clock } = lock({ onError });
      await relay.set('open', 500);
      port.failWith = new Error('port is offline');
      clock.advanceTo(START + 500);
      // An unhandled rejection here would fail the run.
      await settle();
      expect(port.writes).toEqual([CH2_ON, CH2_OFF]);
    }
  });

  it('ends a pending pulse on close by writing its rest state, cancels its timer and refuses later sets', async () => {
    const { port, relay, clock, errors } = lock();
    await relay.set('open', 500);
    clock.advanceTo(START + 200);
    await relay.close();
    // Written at close, not when the pulse would have ended.
    expect(port.writes).toEqual([CH2_ON, CH2_OFF]);
    expect(clock.nextTimerAt()).toBeUndefined();
    clock.advanceTo(START + 1_000);
    expect(port.writes).toEqual([CH2_ON, CH2_OFF]);
    await expect(relay.set('closed')).rejects.toThrow(/closed/);
    // Closing twice writes nothing more.
    await relay.close();
    expect(port.writes).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it('ends the pulse in restValue on close, and writes nothing when no pulse is pending', async () => {
    const { port, relay, clock } = lock();
    await relay.set('closed', 500, 'open');
    await relay.close();
    expect(port.writes).toEqual([CH2_OFF, CH2_ON]);
    expect(clock.nextTimerAt()).toBeUndefined();

    const other = lock();
    await other.relay.set('open', 500);
    other.clock.advanceTo(START + 500);
    await settle();
    await other.relay.set('closed');
    await other.relay.close();
    expect(other.port.writes).toEqual([CH2_ON, CH2_OFF, CH2_OFF]);
  });

  it('on close during the write of a pulse start, writes the rest state after it and arms nothing', async () => {
    const { port, relay, clock } = lock();
    port.hold = true;
    const setting = relay.set('open', 500);
    await settle();
    const closing = relay.close();
    await settle();
    // The rest state waits for the start to be written.
    expect(port.writes).toEqual([CH2_ON]);
    port.hold = false;
    port.held[0]?.resolve();
    await setting;
    await closing;
    expect(port.writes).toEqual([CH2_ON, CH2_OFF]);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('on close, waits for a pulse end still being written', async () => {
    const { port, relay, clock } = lock();
    await relay.set('open', 500);
    port.hold = true;
    clock.advanceTo(START + 500);
    let closed = false;
    const closing = relay.close().then(() => {
      closed = true;
    });
    await settle();
    expect(closed).toBe(false);
    port.held[0]?.resolve();
    await closing;
    // Nothing more: the pulse had ended.
    expect(port.writes).toEqual([CH2_ON, CH2_OFF]);
  });

  it('reports a rest state that close could not write through onError, and resolves', async () => {
    const { port, relay, errors } = lock();
    await relay.set('open', 500);
    port.failWith = new Error('port is offline');
    await expect(relay.close()).resolves.toBeUndefined();
    expect(port.writes).toEqual([CH2_ON, CH2_OFF]);
    expect(errors.map((error) => error.message)).toEqual([
      'relay /dev/ttyUSB1#2: pulse end failed: port is offline',
    ]);
  });
});

function raise(message: string): never {
  throw new Error(message);
}
