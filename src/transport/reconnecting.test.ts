import { describe, expect, it } from 'vitest';
import { silentLogger } from '../observability/logger.js';
import { resolvePolicy } from '../shared/backoff.js';
import { VirtualClock } from '../shared/clock.js';
import { type Connect, type Link, type LinkEvents, ReconnectingTransport } from './reconnecting.js';
import type { TransportStatus } from './types.js';

/** A scripted device: each connection attempt takes the next outcome. */
class FakeDevice {
  present = false;
  attempts = 0;
  events: LinkEvents | undefined;
  written: number[][] = [];
  closed = 0;

  connect: Connect = async (events) => {
    this.attempts++;
    if (!this.present) throw new Error('ENOENT: no such device');
    this.events = events;
    const link: Link = {
      write: async (bytes) => {
        this.written.push([...bytes]);
      },
      close: async () => {
        this.closed++;
      },
    };
    return link;
  };

  unplug(): void {
    this.present = false;
    this.events?.lost('EIO: unplugged');
  }
}

function setup(device: FakeDevice, clock = new VirtualClock(0)) {
  const statuses: TransportStatus[] = [];
  const data: number[][] = [];
  const transport = new ReconnectingTransport(
    'fake@9600',
    device.connect,
    resolvePolicy({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0, stableAfterMs: 5000 }),
    clock,
    silentLogger(),
  );
  transport.start({ data: (chunk) => data.push([...chunk]), status: (status) => statuses.push(status) });
  return { transport, statuses, data, clock };
}

/** Lets the connector's promise settle (it resolves in microtasks). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ReconnectingTransport', () => {
  it('reports online, passes data through and writes to the link', async () => {
    const device = new FakeDevice();
    device.present = true;
    const { transport, statuses, data } = setup(device);
    await settle();
    expect(statuses).toEqual([{ state: 'online' }]);
    device.events?.data(Uint8Array.of(1, 2));
    expect(data).toEqual([[1, 2]]);
    await transport.write(Uint8Array.of(9));
    expect(device.written).toEqual([[9]]);
  });

  it('retries a missing device with exponential backoff on the clock, reporting each attempt', async () => {
    const device = new FakeDevice();
    const { statuses, clock } = setup(device);
    await settle();
    expect(statuses).toEqual([
      { state: 'offline', reason: 'ENOENT: no such device', attempt: 1, retryInMs: 100 },
    ]);
    clock.advanceTo(99);
    expect(device.attempts).toBe(1);
    clock.advanceTo(100);
    await settle();
    clock.advanceTo(300);
    await settle();
    clock.advanceTo(700);
    await settle();
    expect(device.attempts).toBe(4);
    expect(statuses.map((status) => (status.state === 'offline' ? status.retryInMs : 0))).toEqual([
      100, 200, 400, 800,
    ]);
    device.present = true;
    clock.advanceTo(1500);
    await settle();
    expect(statuses.at(-1)).toEqual({ state: 'online' });
  });

  it('goes offline on unplug and resets the backoff only after a stable connection', async () => {
    const device = new FakeDevice();
    device.present = true;
    const { transport, statuses, clock } = setup(device);
    await settle();
    // Flapping: lost after 1 s, then again after 1 s: the delays keep growing.
    clock.advanceTo(1000);
    device.unplug();
    expect(statuses.at(-1)).toEqual({
      state: 'offline',
      reason: 'EIO: unplugged',
      attempt: 1,
      retryInMs: 100,
    });
    await expect(transport.write(Uint8Array.of(1))).rejects.toThrow(
      'fake@9600 is offline: cannot write 1 bytes',
    );
    device.present = true;
    clock.advanceTo(1100);
    await settle();
    clock.advanceTo(2100);
    device.unplug();
    expect(statuses.at(-1)).toMatchObject({ attempt: 2, retryInMs: 200 });
    // Stable: up for 5 s, then lost: the backoff starts again from initialMs.
    device.present = true;
    clock.advanceTo(2300);
    await settle();
    clock.advanceTo(7300);
    device.unplug();
    expect(statuses.at(-1)).toMatchObject({ attempt: 1, retryInMs: 100 });
    expect(device.closed).toBe(3);
  });

  it('ignores a lost connection reported twice and data after the loss', async () => {
    const device = new FakeDevice();
    device.present = true;
    const { statuses, data } = setup(device);
    await settle();
    const events = device.events as LinkEvents;
    device.unplug();
    events.lost('again');
    events.data(Uint8Array.of(7));
    expect(statuses.filter((status) => status.state === 'offline')).toHaveLength(1);
    expect(data).toEqual([]);
  });

  it('stops: closes the link, cancels retries, reports offline once, and is idempotent', async () => {
    const device = new FakeDevice();
    const { transport, statuses, clock } = setup(device);
    await settle();
    await transport.stop();
    await transport.stop();
    expect(statuses.at(-1)).toEqual({ state: 'offline', reason: 'stopped', attempt: 1, retryInMs: null });
    expect(statuses).toHaveLength(2);
    clock.advanceTo(10_000);
    await settle();
    expect(device.attempts).toBe(1);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('closes a connection that completes after stop', async () => {
    let finish: ((link: Link) => void) | undefined;
    let closed = false;
    const connect: Connect = () =>
      new Promise<Link>((resolve) => {
        finish = resolve;
      });
    const statuses: TransportStatus[] = [];
    const transport = new ReconnectingTransport(
      'slow',
      connect,
      resolvePolicy(),
      new VirtualClock(0),
      silentLogger(),
    );
    transport.start({ data: () => {}, status: (status) => statuses.push(status) });
    await transport.stop();
    finish?.({
      write: async () => {},
      close: async () => {
        closed = true;
      },
    });
    await settle();
    expect(closed).toBe(true);
    expect(statuses).toEqual([{ state: 'offline', reason: 'stopped', attempt: 0, retryInMs: null }]);
  });

  it('aborts a connection attempt in flight when stopped', async () => {
    let signal: AbortSignal | undefined;
    const connect: Connect = (_events, abort) => {
      signal = abort;
      return new Promise<Link>(() => {});
    };
    const transport = new ReconnectingTransport(
      'hang',
      connect,
      resolvePolicy(),
      new VirtualClock(0),
      silentLogger(),
    );
    transport.start({ data: () => {}, status: () => {} });
    expect(signal?.aborted).toBe(false);
    await transport.stop();
    expect(signal?.aborted).toBe(true);
  });

  it('survives a throwing status handler', async () => {
    const device = new FakeDevice();
    device.present = true;
    const clock = new VirtualClock(0);
    const transport = new ReconnectingTransport('x', device.connect, resolvePolicy(), clock, silentLogger());
    transport.start({
      data: () => {},
      status: () => {
        throw new Error('consumer bug');
      },
    });
    await settle();
    device.unplug();
    device.present = true;
    clock.advanceTo(1000);
    await settle();
    expect(device.attempts).toBe(2);
  });
});
