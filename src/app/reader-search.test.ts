import { describe, expect, it } from 'vitest';
import { PresenceEngine, resolveEngineConfig } from '../core/index.js';
import { createLogger } from '../observability/logger.js';
import { em4100AsciiDriver } from '../protocols/em4100-ascii/index.js';
import { encodeStopReading, thingmagicDriver } from '../protocols/thingmagic/index.js';
import { VirtualClock } from '../shared/clock.js';
import type { DeviceSimulator, Driver } from '../shared/decoding.js';
import type { EventBody } from '../shared/events.js';
import type { TransportHandlers } from '../transport/types.js';
import { DevicePipeline } from './device-pipeline.js';
import type { TagSearchResult } from './reading-services.js';

const IN_FIELD = 'E2001026760E017915907125';
const ELSEWHERE = '3034257BF7194E4000001A85';
const bytes = (tag: string) => Uint8Array.from(Buffer.from(tag, 'hex'));
const opcodeOf = (frame: Uint8Array) => frame[2] as number;
const STOP = '2F-02';

/** What the gateway wrote, as opcode names: `2F-01` start, `2F-02` stop, `22` read, `2A` clear. */
function commandName(frame: Uint8Array): string {
  const opcode = opcodeOf(frame);
  const name = opcode.toString(16).toUpperCase().padStart(2, '0');
  return opcode === 0x2f ? `${name}-0${frame[5]}` : name;
}

/**
 * A ThingMagic reader on a port: the real driver and decoder in a pipeline, the simulator at the
 * other end, answers delivered on the virtual clock (a read after its read time). `answering`
 * decides which commands the module answers; `drainTag` is streamed between a stop and its answer.
 */
function nanoOnPort(
  options: { driver?: Driver; interactive?: boolean; stalledAfterMs?: number; readMs?: number } = {},
) {
  // The module answers a synchronous read when its read time is over, as the real one does.
  const readMs = options.readMs ?? 300;
  const clock = new VirtualClock(Date.parse('2026-11-22T10:00:00.000Z'));
  const bodies: EventBody[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const engine = new PresenceEngine(resolveEngineConfig({ readers: [{ id: 'fridge' }] }), () => {});
  const sim: DeviceSimulator = thingmagicDriver.createSimulator();
  sim.setField?.([{ tag: bytes(IN_FIELD) }]);
  const module = {
    answering: (_command: string) => true,
    drainTag: undefined as Uint8Array | undefined,
    written: [] as string[],
    opens: 0,
  };
  let handlers: TransportHandlers | undefined;
  const pipeline = new DevicePipeline({
    id: 'fridge',
    driver: options.driver ?? thingmagicDriver,
    settings: {},
    clock,
    logger,
    publish: (body) => bodies.push(body),
    engine,
    zone: 'fridge',
    interactive: options.interactive ?? true,
    ...(options.stalledAfterMs === undefined ? {} : { stalledAfterMs: options.stalledAfterMs }),
    openTransport: () => ({
      target: 'test',
      start: (given) => {
        module.opens += 1;
        handlers = given;
      },
      write: async (frame) => {
        const name = commandName(frame);
        module.written.push(name);
        if (name === STOP && module.drainTag) {
          const tagFrame = sim.tagFrame(module.drainTag, 1, -50);
          if (tagFrame) queueMicrotask(() => handlers?.data(tagFrame));
        }
        const answers = sim.answer(frame);
        if (!module.answering(name)) return;
        const delay = opcodeOf(frame) === 0x22 ? readMs : 0;
        for (const answer of answers) clock.setTimeout(() => handlers?.data(answer), delay);
      },
      stop: async () => {},
    }),
  });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  /** Lets virtual time pass in 50 ms steps, the module streaming its heartbeat each second. */
  const until = async (toMs: number) => {
    for (let at = clock.now() + 50; at <= toMs; at += 50) {
      clock.advanceTo(at);
      const heartbeat = at % 1000 === 0 ? sim.heartbeatFrame?.() : undefined;
      if (heartbeat) handlers?.data(heartbeat);
      await settle();
    }
  };
  /** Lets virtual time pass until `work` is done. */
  const drive = async <T>(work: Promise<T>, within = 20_000): Promise<T> => {
    let done = false;
    void work.finally(() => {
      done = true;
    });
    const end = clock.now() + within;
    while (!done && clock.now() < end) await until(clock.now() + 50);
    if (!done) throw new Error(`not done within ${within} ms`);
    return work;
  };
  const search = (tags: string[]) => drive(pipeline.search(tags));
  const stop = () => drive(pipeline.stop());
  const online = async () => {
    pipeline.start();
    handlers?.status({ state: 'online' });
    await until(clock.now() + 2000);
  };
  const states = () => bodies.flatMap((body) => (body.type === 'reader.status' ? [body.state] : []));
  return {
    clock,
    pipeline,
    sim,
    module,
    engine,
    logs,
    online,
    until,
    drive,
    search,
    stop,
    states,
    handlers: () => handlers,
  };
}

describe('DevicePipeline.search on a ThingMagic reader', () => {
  it('finds the tag in the field, not the other, and reads continuously again with the start-up command', async () => {
    const nano = nanoOnPort();
    await nano.online();
    expect(nano.module.written.at(-1)).toBe('2F-01');
    nano.module.written.length = 0;
    const result = await nano.search([IN_FIELD, ELSEWHERE.toLowerCase()]);
    expect(result).toEqual({
      ok: true,
      found: [IN_FIELD],
      notFound: [ELSEWHERE],
      tookMs: expect.any(Number),
    });
    expect(nano.module.written).toEqual(['2F-02', '2A', '22', '22', '2F-01']);
    expect(nano.sim.heartbeatFrame?.()).toBeDefined();
    expect(nano.pipeline.counters.searches).toBe(1);
    const logged = nano.logs.find((line) => line.msg === 'tag search');
    expect(logged).toMatchObject({ reader: 'fridge', tags: 2, found: 1, ms: expect.any(Number) });
    expect(JSON.stringify(logged)).not.toContain(IN_FIELD);
    await nano.stop();
  });

  it('does not call a reader stalled while it searches, though it sends no heartbeat for longer than the threshold', async () => {
    // Reads that take longer than the reader may be silent: each one alone would stall it.
    const nano = nanoOnPort({ stalledAfterMs: 1100, readMs: 1200 });
    await nano.online();
    const many = Array.from(
      { length: 12 },
      (_, i) => `${ELSEWHERE.slice(0, -2)}${i.toString(16).padStart(2, '0').toUpperCase()}`,
    );
    const result = await nano.search(many);
    expect(result).toMatchObject({ ok: true, notFound: many });
    expect(nano.states()).toEqual(['online']);
    expect(nano.pipeline.counters.stalls).toBe(0);
    // Watched again afterwards: a module whose stream stops now is stalled.
    nano.sim.answer(encodeStopReading());
    await nano.until(nano.clock.now() + 1500);
    expect(nano.states()).toEqual(['online', 'stalled']);
    await nano.stop();
  });

  it('hands the reads that arrive while the stream stops to the core as ordinary reads', async () => {
    const nano = nanoOnPort();
    await nano.online();
    nano.module.drainTag = bytes(ELSEWHERE);
    await nano.search([IN_FIELD]);
    expect(nano.engine.present('fridge').map((tag) => tag.tag)).toEqual([ELSEWHERE]);
    await nano.stop();
  });

  it('fails a search whose read goes unanswered, and reads continuously again', async () => {
    const nano = nanoOnPort();
    await nano.online();
    nano.module.written.length = 0;
    nano.module.answering = (command) => command !== '22';
    const result = await nano.search([IN_FIELD, ELSEWHERE]);
    expect(result).toEqual({
      ok: false,
      reason: 'search step "read tag 1 of 2" failed: no answer within 1300 ms',
    });
    expect(nano.module.written).toEqual(['2F-02', '2A', '22', '2F-01']);
    expect(nano.sim.heartbeatFrame?.()).toBeDefined();
    expect(nano.pipeline.state).toBe('online');
    expect(nano.pipeline.counters.searches).toBe(0);
    await nano.stop();
  });

  it('goes through the start-up retries when continuous reading does not start again after a search', async () => {
    const nano = nanoOnPort();
    await nano.online();
    nano.module.answering = (command) => command !== '2F-01';
    const result = await nano.search([IN_FIELD]);
    // The answer stands; the reader is in error until a start-up retry starts it again.
    expect(result).toMatchObject({ ok: true, found: [IN_FIELD] });
    await nano.until(nano.clock.now() + 3000);
    expect(nano.states()).toEqual(['online', 'error']);
    nano.module.answering = () => true;
    await nano.until(nano.clock.now() + 10_000);
    expect(nano.states()).toEqual(['online', 'error', 'online']);
    expect(nano.sim.heartbeatFrame?.()).toBeDefined();
    await nano.stop();
  });

  it('ends a search whose port closes, and reading starts again with the start-up when it reopens', async () => {
    const nano = nanoOnPort();
    await nano.online();
    let result: TagSearchResult | undefined;
    void nano.pipeline.search([IN_FIELD]).then((done) => {
      result = done;
    });
    await nano.until(nano.clock.now() + 400);
    nano.handlers()?.status({ state: 'offline', reason: 'unplugged', attempt: 1, retryInMs: 500 });
    await nano.until(nano.clock.now() + 100);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/cancelled/) });
    nano.module.written.length = 0;
    nano.handlers()?.status({ state: 'online' });
    await nano.until(nano.clock.now() + 2000);
    expect(nano.module.written.at(-1)).toBe('2F-01');
    expect(nano.sim.heartbeatFrame?.()).toBeDefined();
    await nano.stop();
  });

  it('refuses at once: offline, already searching, a replay, a reader without a select, a bad tag', async () => {
    const nano = nanoOnPort();
    expect(await nano.pipeline.search([IN_FIELD])).toEqual({ ok: false, reason: 'reader fridge is offline' });
    await nano.online();
    const first = nano.search([IN_FIELD]);
    expect(await nano.pipeline.search([IN_FIELD])).toEqual({
      ok: false,
      reason: 'reader fridge is already searching',
    });
    expect(await first).toMatchObject({ ok: true });
    expect(await nano.pipeline.search(['XYZ'])).toEqual({ ok: false, reason: '"XYZ" is not a tag in hex' });
    await nano.stop();

    const replay = nanoOnPort({ interactive: false });
    await replay.online();
    expect(await replay.pipeline.search([IN_FIELD])).toEqual({
      ok: false,
      reason: 'reader fridge is replayed: nothing answers a search',
    });
    const badge = nanoOnPort({ driver: em4100AsciiDriver });
    await badge.online();
    expect(await badge.pipeline.search(['0500207B32'])).toEqual({
      ok: false,
      reason: 'reader fridge (em4100-ascii) cannot search for given tags',
    });
  });
});
