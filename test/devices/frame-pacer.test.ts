import { describe, expect, it } from 'vitest';
import { FRAME_GAP_MS, FRAME_STALL_MS, FramePacer } from '../../src/app/extensions/output-drivers.js';
import { VirtualClock } from '../../src/shared/clock.js';

const START = 10_000;

/** Lets pending promise callbacks run, without moving the clock. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** A port that records when each frame was written; a write is held while `hold` is set. */
function port(clock: VirtualClock) {
  const written: Array<{ at: number; frame: number }> = [];
  const held: Array<() => void> = [];
  const state = { hold: false, fail: undefined as Error | undefined };
  const send = (bytes: Uint8Array): Promise<void> => {
    written.push({ at: clock.now(), frame: bytes[0] ?? -1 });
    if (state.fail) return Promise.reject(state.fail);
    if (!state.hold) return Promise.resolve();
    return new Promise((resolve) => held.push(resolve));
  };
  return { written, held, state, send };
}

/** Advances the virtual clock step by step, letting the pacer's promises run in between. */
async function runFor(clock: VirtualClock, ms: number, stepMs = 5): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    await settle();
    clock.advanceTo(Math.min(end, clock.now() + stepMs));
  }
  await settle();
}

describe('FramePacer: frames to one relay board, paced on the clock (devices.md §1: 50-100 ms)', () => {
  it('writes the first frame at once and the next ones at least FRAME_GAP_MS apart, in order', async () => {
    expect(FRAME_GAP_MS).toBeGreaterThanOrEqual(50);
    expect(FRAME_GAP_MS).toBeLessThanOrEqual(100);
    const clock = new VirtualClock(START);
    const { written, send } = port(clock);
    const pacer = new FramePacer(clock, send);
    const done: number[] = [];
    const writes = [1, 2, 3].map((frame) =>
      pacer.write(Uint8Array.of(frame)).then(() => {
        done.push(frame);
      }),
    );
    await settle();
    expect(written).toEqual([{ at: START, frame: 1 }]);
    // Each write resolves when its own frame is written, not before.
    expect(done).toEqual([1]);
    await runFor(clock, 200);
    await Promise.all(writes);
    expect(written.map((write) => write.frame)).toEqual([1, 2, 3]);
    const times = written.map((write) => write.at);
    expect(times[1]).toBe(START + FRAME_GAP_MS);
    expect(times[2]).toBe(START + 2 * FRAME_GAP_MS);
    expect(done).toEqual([1, 2, 3]);
  });

  it('does not delay a frame that comes long after the previous one', async () => {
    const clock = new VirtualClock(START);
    const { written, send } = port(clock);
    const pacer = new FramePacer(clock, send);
    await pacer.write(Uint8Array.of(1));
    clock.advanceTo(START + 1_000);
    await pacer.write(Uint8Array.of(2));
    expect(written.map((write) => write.at)).toEqual([START, START + 1_000]);
  });

  it('counts the gap from when the previous write finished', async () => {
    const clock = new VirtualClock(START);
    const { written, held, state, send } = port(clock);
    const pacer = new FramePacer(clock, send);
    state.hold = true;
    const first = pacer.write(Uint8Array.of(1));
    const second = pacer.write(Uint8Array.of(2));
    await runFor(clock, 30);
    state.hold = false;
    held[0]?.();
    await first;
    await runFor(clock, FRAME_GAP_MS - 5);
    expect(written).toHaveLength(1);
    await runFor(clock, 10);
    await second;
    expect(written[1]?.at).toBe(START + 30 + FRAME_GAP_MS);
  });

  it('rejects a failed frame with its own error and still writes the ones behind it', async () => {
    const clock = new VirtualClock(START);
    const { written, state, send } = port(clock);
    const pacer = new FramePacer(clock, send);
    state.fail = new Error('offline');
    const first = pacer.write(Uint8Array.of(1));
    await expect(first).rejects.toThrow('offline');
    state.fail = undefined;
    const second = pacer.write(Uint8Array.of(2));
    await runFor(clock, FRAME_GAP_MS + 10);
    await second;
    expect(written.map((write) => write.frame)).toEqual([1, 2]);
  });

  it('does not let a write that never finishes hold up the others for more than FRAME_STALL_MS', async () => {
    const clock = new VirtualClock(START);
    const { written, state, send } = port(clock);
    const pacer = new FramePacer(clock, send);
    state.hold = true;
    void pacer.write(Uint8Array.of(1));
    await settle();
    state.hold = false;
    const second = pacer.write(Uint8Array.of(2));
    await runFor(clock, FRAME_STALL_MS - 10, 50);
    expect(written).toHaveLength(1);
    await runFor(clock, FRAME_GAP_MS + 100, 10);
    await second;
    expect(written.map((write) => write.frame)).toEqual([1, 2]);
  });

  it('settles once every queued frame is written and one more gap has passed', async () => {
    const clock = new VirtualClock(START);
    const { send } = port(clock);
    const pacer = new FramePacer(clock, send);
    // Nothing written: nothing to wait for.
    await pacer.settled();
    void pacer.write(Uint8Array.of(1));
    void pacer.write(Uint8Array.of(2));
    let settledAt: number | undefined;
    void pacer.settled().then(() => {
      settledAt = clock.now();
    });
    await runFor(clock, 300);
    expect(settledAt).toBe(START + 2 * FRAME_GAP_MS);
  });
});
