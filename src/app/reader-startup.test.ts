import { describe, expect, it } from 'vitest';
import { messageDecoder } from '../../test/kits/protocols/scripted.js';
import { silentLogger } from '../observability/logger.js';
import { linesDriver } from '../protocols/lines/index.js';
import { VirtualClock } from '../shared/clock.js';
import type { Driver } from '../shared/decoding.js';
import type { EventBody } from '../shared/events.js';
import type { TransportHandlers } from '../transport/types.js';
import { DevicePipeline } from './device-pipeline.js';

/**
 * The start-up as a reader's pipeline runs it (reader-startup.ts): what its outcome means depends on
 * the port, the readiness and the liveness watch around it, so it is driven through the pipeline.
 */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('DevicePipeline start-up retries', () => {
  /** A reader whose one start-up command is answered only when `answering` says so. */
  function slowModule(clock: VirtualClock, expectedTrafficMs?: number) {
    const bodies: EventBody[] = [];
    const state = { answering: false, writes: 0, opens: 0 };
    let handlers: TransportHandlers | undefined;
    const hello = new Uint8Array([0x01]);
    const driver: Driver = {
      ...linesDriver,
      name: 'booting',
      kind: 'reader',
      ...(expectedTrafficMs === undefined ? {} : { expectedTrafficMs }),
      createDecoder: messageDecoder(() => ({ kind: 'log', text: 'ready' })),
      startup: () => [
        {
          name: 'hello',
          bytes: hello,
          isAnswer: (message) => message.kind === 'log',
          timeoutMs: 500,
        },
      ],
      shutdown: () => [],
    };
    const pipeline = new DevicePipeline({
      id: 'fridge',
      driver,
      settings: {},
      clock,
      logger: silentLogger(),
      publish: (body) => bodies.push(body),
      zone: 'fridge',
      interactive: true,
      openTransport: () => ({
        target: 'test',
        start: (given) => {
          state.opens += 1;
          handlers = given;
        },
        write: async () => {
          state.writes += 1;
          // Answers after the write's turn, as a device on a port would.
          if (state.answering) queueMicrotask(() => handlers?.data(new Uint8Array([0x02])));
        },
        stop: async () => {},
      }),
    });
    pipeline.start();
    const states = () => bodies.flatMap((body) => (body.type === 'reader.status' ? [body.state] : []));
    return {
      pipeline,
      state,
      states,
      bodies,
      online: () => handlers?.status({ state: 'online' }),
      offline: () => handlers?.status({ state: 'offline', reason: 'unplugged', attempt: 1, retryInMs: 500 }),
      /** One frame of its stream (a heartbeat). */
      talk: () => handlers?.data(new Uint8Array([0x03])),
      /** Runs the clock on to `toMs` in steps of 100 ms, letting what each step sets off settle. */
      until: async (toMs: number) => {
        for (let at = clock.now() + 100; at <= toMs; at += 100) {
          clock.advanceTo(at);
          await settle();
        }
      },
    };
  }

  /** A module that answers its start-up (a stream interval of 1 s), plugged in and past its first turn. */
  async function answeringModule() {
    const clock = new VirtualClock(0);
    const module = slowModule(clock, 1000);
    module.state.answering = true;
    module.online();
    await settle();
    return { clock, module };
  }

  it('retries a failed start-up with backoff for ever and is online once the module answers', async () => {
    const clock = new VirtualClock(0);
    const module = slowModule(clock);
    module.online();
    // Still booting: tries at 0, 1.5 s and 4 s (a 500 ms timeout, then waits of 1 s, 2 s, 4 s).
    await settle();
    await module.until(8_000);
    // Its port opening did not make it online: its start-up failing is the first news.
    expect(module.states()).toEqual(['error']);
    expect(module.pipeline.state).toBe('error');
    const triesWhileBooting = module.state.writes;
    expect(triesWhileBooting).toBe(3);
    module.state.answering = true;
    await module.until(20_000);
    expect(module.states()).toEqual(['error', 'online']);
    expect(module.pipeline.state).toBe('online');
    expect(module.state.writes).toBe(triesWhileBooting + 1);
    await module.pipeline.stop();
  });

  it('stalls a silent reader, tries its start-up again, then reopens its port, and is online when it talks', async () => {
    const clock = new VirtualClock(0);
    const module = slowModule(clock, 1000);
    const { until } = module;
    module.state.answering = true;
    module.online();
    await settle();
    module.talk();
    // The module answered its start-up at 0, streamed one heartbeat, and then hangs.
    module.state.answering = false;
    await until(2_400);
    expect(module.states()).toEqual(['online']);
    // 2.5 intervals of silence: stalled. 2.5 s later its start-up again, unanswered within its 500 ms;
    // 5 s after that, a reopen.
    await until(2_500);
    expect(module.states()).toEqual(['online', 'stalled']);
    await until(10_400);
    expect({ writes: module.state.writes, opens: module.state.opens }).toEqual({ writes: 2, opens: 1 });
    module.state.answering = true;
    await until(10_500);
    expect(module.state.opens).toBe(2);
    module.online();
    await settle();
    module.talk();
    await until(11_000);
    expect(module.states()).toEqual(['online', 'stalled', 'online']);
    expect(module.pipeline.state).toBe('online');
    expect(module.pipeline.counters.stalls).toBe(1);
    await module.pipeline.stop();
  });

  it('does not start its backoff afresh for a module that answers its start-up and hangs again', async () => {
    const { module } = await answeringModule();
    module.talk();
    await module.until(12_600);
    // Stalled at 2.5 s; its start-up again at 5 s is answered (online), then silence: stalled at
    // 7.5 s; the next try is the second, a reopen 5 s later, not its start-up again after 2.5 s.
    expect(module.states()).toEqual(['online', 'stalled', 'online', 'stalled']);
    expect({ writes: module.state.writes, opens: module.state.opens }).toEqual({ writes: 2, opens: 2 });
    expect(module.pipeline.counters.stalls).toBe(2);
    await module.pipeline.stop();
  });

  it('is not online while its start-up is unanswered, nor before the first frame of its stream', async () => {
    const clock = new VirtualClock(0);
    const module = slowModule(clock, 1000);
    module.online();
    await module.until(1_000);
    // Still booting: its start-up timed out once, and nothing said it was online.
    expect(module.states()).toEqual(['error']);
    module.state.answering = true;
    await module.until(1_600);
    // Its start-up answered at 1.5 s: not online until its stream flows.
    expect(module.states()).toEqual(['error']);
    expect(module.pipeline.state).toBe('error');
    module.talk();
    expect(module.states()).toEqual(['error', 'online']);
    await module.pipeline.stop();
  });

  it('publishes nothing while a module that answered its start-up has not streamed yet, and stalls it if it never does', async () => {
    const { clock, module } = await answeringModule();
    await module.until(2_400);
    expect(module.states()).toEqual([]);
    expect(module.pipeline.state).toBe('offline');
    // 2.5 intervals after its answer, still no stream: stalled (its tags stay held), and recovered.
    clock.advanceTo(2_500);
    expect(module.states()).toEqual(['stalled']);
    module.talk();
    expect(module.states()).toEqual(['stalled', 'online']);
    await module.pipeline.stop();
  });

  it('after a replug, stays offline (its tags held) until the module is ready again', async () => {
    const { clock, module } = await answeringModule();
    module.talk();
    expect(module.states()).toEqual(['online']);
    module.offline();
    module.state.answering = false;
    clock.advanceTo(10_000);
    module.online();
    await module.until(20_000);
    // The module boots for 10 s after the replug: offline, then its start-up failing, never online.
    expect(module.states()).toEqual(['online', 'offline', 'error']);
    module.state.answering = true;
    // Its next try, at 27 s, is answered; its stream has not started yet.
    await module.until(27_500);
    expect(module.state.writes).toBe(6);
    expect(module.states()).toEqual(['online', 'offline', 'error']);
    module.talk();
    expect(module.states()).toEqual(['online', 'offline', 'error', 'online']);
    await module.pipeline.stop();
  });
});
