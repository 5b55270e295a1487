import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../shared/events.js';
import { JsonLinesSink } from './stdout-sink.js';

const event = {
  id: 'id-1',
  seq: 1,
  ts: '2026-11-22T10:00:00.000Z',
  gateway: 'gw1',
  type: 'sensor.changed',
  sensor: 'io',
  channel: 'door',
  value: 'open',
  zone: 'fridge',
} as GatewayEvent;

/** A stdout whose writes complete only when `finish` is called: the pipe is full until then. */
function stalledStdout() {
  const pending: Array<(error?: Error | null) => void> = [];
  const written: string[] = [];
  const out = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, callback) {
      written.push(chunk.toString());
      pending.push(callback);
    },
  });
  const finish = (error?: Error): void => {
    for (const callback of pending.splice(0)) callback(error ?? null);
  };
  return { out, written, finish };
}

/** Resolves with what `promise` did within `ms`, or 'pending'. */
function within<T>(promise: Promise<T>, ms = 200): Promise<T | 'pending'> {
  return Promise.race([
    promise,
    new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms)),
  ]);
}

describe('JsonLinesSink', () => {
  it('writes one JSON line per event, and flush waits for a full pipe to drain', async () => {
    const { out, written, finish } = stalledStdout();
    const sink = new JsonLinesSink(out);
    sink.write(event);
    expect(written).toEqual([`${JSON.stringify(event)}\n`]);
    expect(out.writableNeedDrain).toBe(true);
    const flushed = sink.flush();
    expect(await within(flushed, 50)).toBe('pending');
    finish();
    await expect(within(flushed)).resolves.toBeUndefined();
  });

  it('does not hang a flush when the pipe breaks while it waits for drain', async () => {
    const { out, finish } = stalledStdout();
    const sink = new JsonLinesSink(out);
    sink.write(event);
    const flushed = sink.flush();
    finish(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await expect(within(flushed)).resolves.toBeUndefined();
    // Broken: later events are dropped without touching the pipe, and flushes return at once.
    sink.write(event);
    await expect(within(sink.flush())).resolves.toBeUndefined();
  });

  it('does not hang a flush when stdout is destroyed (closed) while it waits for drain', async () => {
    const { out } = stalledStdout();
    const sink = new JsonLinesSink(out);
    sink.write(event);
    const flushed = sink.flush();
    out.destroy();
    await expect(within(flushed)).resolves.toBeUndefined();
    await expect(within(sink.close())).resolves.toBeUndefined();
  });

  it('leaves no listeners behind on stdout after flushes', async () => {
    const { out, finish } = stalledStdout();
    const sink = new JsonLinesSink(out);
    const before = out.listenerCount('error') + out.listenerCount('close') + out.listenerCount('drain');
    for (let round = 0; round < 20; round++) {
      sink.write(event);
      const flushed = sink.flush();
      finish();
      await flushed;
    }
    expect(out.listenerCount('error') + out.listenerCount('close') + out.listenerCount('drain')).toBe(before);
  });
});
