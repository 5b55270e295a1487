import { describe, expect, it } from 'vitest';
import { PresenceEngine, resolveEngineConfig } from '../core/index.js';
import { silentLogger } from '../observability/logger.js';
import { VirtualClock } from '../shared/clock.js';
import type { Driver } from '../shared/decoding.js';
import type { EventBody } from '../shared/events.js';
import type { TransportHandlers } from '../transport/types.js';
import { DevicePipeline } from './device-pipeline.js';

const INVENTORY = 0x01;
/** A chunk starting with this is the reader's answer that its antenna is missing. */
const FAULT = 0xee;
const TAG = Uint8Array.of(0xe2, 0x00, 0x34, 0x12);

/**
 * A reader that reads only when asked: each inventory command (0x01) is answered with the tags in
 * its field and a response frame. Its decoder turns a chunk into its reads and one response.
 */
const polledDriver: Driver = {
  name: 'polled',
  kind: 'reader',
  defaultBaudRate: 57600,
  // An answer every poll: 100 ms apart plus the answer's own time.
  expectedTrafficMs: 200,
  createDecoder: (output) => {
    const stats = { bytes: 0, frames: 0, reads: 0, errors: 0, droppedBytes: 0 };
    return {
      stats,
      reset: () => {},
      push: (chunk) => {
        stats.bytes += chunk.length;
        stats.frames += 1;
        if (chunk[0] === FAULT) {
          output.message({ kind: 'status', level: 'error', code: 'antenna-missing', detail: 'antenna 1' });
          output.message({ kind: 'response', opcode: INVENTORY, status: 0x22, data: new Uint8Array(0) });
          return;
        }
        if (chunk.length > 1) {
          stats.reads += 1;
          output.tagRead(chunk, 1, chunk.length - 1, 1, -50);
        }
        output.message({ kind: 'response', opcode: INVENTORY, status: 0, data: new Uint8Array(0) });
      },
    };
  },
  startup: () => [],
  shutdown: () => [],
  createSimulator: () => {
    throw new Error('not used');
  },
  pollPlan: () => ({
    step: {
      name: 'inventory',
      bytes: Uint8Array.of(INVENTORY),
      isAnswer: (message) => message.kind === 'response' && message.opcode === INVENTORY,
      timeoutMs: 150,
    },
    everyMs: 100,
  }),
};

function polledReader(driver: Driver = polledDriver) {
  const clock = new VirtualClock(0);
  const bodies: EventBody[] = [];
  // What happened, in order: reader statuses and the core's events (a tag arriving).
  const order: string[] = [];
  const engine = new PresenceEngine(resolveEngineConfig({ readers: [{ id: 'uhf' }] }), (event) =>
    order.push(`core:${event.type}`),
  );
  const state = { answering: true, faulty: false, writes: 0, field: [TAG], sent: [] as number[] };
  let handlers: TransportHandlers | undefined;
  const pipeline = new DevicePipeline({
    id: 'uhf',
    driver,
    settings: {},
    clock,
    logger: silentLogger(),
    publish: (body) => {
      bodies.push(body);
      if (body.type === 'reader.status') order.push(`status:${body.state}`);
    },
    engine,
    zone: 'fridge',
    interactive: true,
    openTransport: () => ({
      target: 'test',
      // A port that opens at once, after a restart too (the stalled reader's recovery reopens it).
      start: (given) => {
        handlers = given;
        queueMicrotask(() => given.status({ state: 'online' }));
      },
      write: async (bytes) => {
        state.writes += 1;
        state.sent.push(bytes[0] as number);
        if (!state.answering || bytes[0] !== INVENTORY) return;
        const tags = state.field;
        if (state.faulty) {
          queueMicrotask(() => handlers?.data(Uint8Array.of(FAULT)));
          return;
        }
        queueMicrotask(() => {
          for (const tag of tags) handlers?.data(Uint8Array.from([0x10, ...tag]));
          if (tags.length === 0) handlers?.data(Uint8Array.of(0x00));
        });
      },
      stop: async () => {},
    }),
  });
  pipeline.start();
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const runTo = async (until: number) => {
    for (let at = clock.now(); at <= until; at += 10) {
      clock.advanceTo(at);
      await settle();
    }
  };
  const states = () => bodies.flatMap((body) => (body.type === 'reader.status' ? [body.state] : []));
  return { pipeline, state, runTo, states, order };
}

describe('polling a command–response reader', () => {
  it('asks for reads every poll interval once its port is open, one poll at a time', async () => {
    const reader = polledReader();
    await reader.runTo(1000);
    // About one poll per 100 ms (+ the answer's turn): never two in flight, never stopped.
    expect(reader.state.writes).toBeGreaterThanOrEqual(8);
    expect(reader.state.writes).toBeLessThanOrEqual(11);
    expect(reader.pipeline.counters.reads).toBe(reader.state.writes);
    expect(reader.states()).toEqual(['online']);
    // Online before its first read arrives, though both come in the first answer.
    expect(reader.order.slice(0, 2)).toEqual(['status:online', 'core:tag.arrived']);
    await reader.pipeline.stop();
  });

  it('counts the polls nobody answers, goes on asking, is stalled, and online again when it answers', async () => {
    const reader = polledReader();
    await reader.runTo(500);
    reader.state.answering = false;
    const before = reader.state.writes;
    await reader.runTo(2000);
    // Unanswered polls time out (150 ms) and the next follows 100 ms later: still asking, through
    // the stall and the port reopened by its recovery.
    expect(reader.state.writes - before).toBeGreaterThanOrEqual(3);
    expect(reader.pipeline.counters.reads).toBeLessThan(reader.state.writes);
    expect(reader.states()).toContain('stalled');
    expect(reader.pipeline.counters.missedPolls).toBeGreaterThanOrEqual(3);
    reader.state.answering = true;
    await reader.runTo(6000);
    expect(reader.states().at(-1)).toBe('online');
    await reader.pipeline.stop();
    const writes = reader.state.writes;
    await reader.runTo(7000);
    expect(reader.state.writes).toBe(writes);
  });

  it('without a promise of its own, is watched by its poll plan, and aborts an unanswered poll first', async () => {
    const ABORT = 0xaa;
    const plan = polledDriver.pollPlan?.({});
    const { expectedTrafficMs: _promised, ...unpromised } = polledDriver;
    const reader = polledReader({
      ...unpromised,
      pollPlan: () =>
        plan && { ...plan, afterMiss: { name: 'abort', bytes: Uint8Array.of(ABORT), timeoutMs: 0 } },
    });
    await reader.runTo(500);
    expect(reader.states()).toEqual(['online']);
    expect(reader.state.sent).not.toContain(ABORT);
    reader.state.answering = false;
    const missedFrom = reader.state.sent.length;
    // Longest healthy silence 100 + 150 ms: stalled at 1.5 times that, within one missed poll or two.
    await reader.runTo(900);
    expect(reader.states()).toEqual(['online', 'stalled']);
    const sent = reader.state.sent.slice(missedFrom);
    expect(sent[0]).toBe(INVENTORY);
    expect(sent.slice(1, 3)).toEqual([ABORT, INVENTORY]);
    reader.state.answering = true;
    await reader.runTo(3000);
    expect(reader.states().at(-1)).toBe('online');
    // Answered again: no abort before the polls that follow an answer.
    const tail = reader.state.sent.slice(-4);
    expect(tail).toEqual([INVENTORY, INVENTORY, INVENTORY, INVENTORY]);
    await reader.pipeline.stop();
  });

  it('is in error while it answers with a fault, its tags held, and online again at its first answer without one', async () => {
    const reader = polledReader();
    await reader.runTo(500);
    reader.state.faulty = true;
    await reader.runTo(4000);
    // Answered every poll, so never stalled; in error, so its tag does not depart however long.
    expect(reader.states()).toEqual(['online', 'error']);
    expect(reader.pipeline.state).toBe('error');
    // Every report is counted, though only the first changed the reader's state.
    expect(reader.pipeline.counters.faults).toBeGreaterThan(5);
    expect(reader.pipeline.counters.missedPolls).toBe(0);
    reader.state.faulty = false;
    await reader.runTo(4500);
    expect(reader.states()).toEqual(['online', 'error', 'online']);
    await reader.pipeline.stop();
  });
});
