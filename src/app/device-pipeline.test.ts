import { describe, expect, it } from 'vitest';
import { PresenceEngine, resolveEngineConfig } from '../core/index.js';
import { createLogger, silentLogger } from '../observability/logger.js';
import { linesDriver } from '../protocols/lines/index.js';
import { RSP_KEEPALIVE, RSP_OVER_TEMPERATURE, TAG_T1 } from '../protocols/thingmagic/fixtures.js';
import { thingmagicDriver } from '../protocols/thingmagic/index.js';
import { VirtualClock } from '../shared/clock.js';
import type { Driver, ReaderMessage } from '../shared/decoding.js';
import type { EventBody } from '../shared/events.js';
import type { ByteTransport, TransportHandlers } from '../transport/types.js';
import { DevicePipeline } from './device-pipeline.js';

function pipelineFor(driver: typeof thingmagicDriver, withEngine: boolean) {
  const clock = new VirtualClock(Date.parse('2026-11-22T10:00:00.000Z'));
  const bodies: EventBody[] = [];
  const engine = new PresenceEngine(resolveEngineConfig({ readers: [{ id: 'dev' }] }), () => {});
  const pipeline = new DevicePipeline({
    id: 'dev',
    driver,
    settings: {},
    clock,
    logger: silentLogger(),
    publish: (body) => bodies.push(body),
    ...(withEngine ? { engine } : {}),
    zone: 'fridge',
    interactive: false,
  });
  return { pipeline, bodies, engine };
}

const text = (value: string) => new TextEncoder().encode(value);

/** A decoder that turns each chunk into one frame and one message. */
function messageDecoder(toMessage: (chunk: Uint8Array) => ReaderMessage): Driver['createDecoder'] {
  return (output) => {
    const stats = { bytes: 0, frames: 0, reads: 0, errors: 0, droppedBytes: 0 };
    return {
      stats,
      reset: () => {},
      push: (chunk) => {
        stats.bytes += chunk.length;
        stats.frames += 1;
        output.message(toMessage(chunk));
      },
    };
  };
}

describe('DevicePipeline', () => {
  it('contains an exception thrown while processing a chunk: counted, and the next chunk still works', () => {
    const { pipeline, bodies } = pipelineFor(linesDriver, false);
    // The sensor event's consumer throws once, as a buggy listener would inside the decoder's callback.
    let throwNext = true;
    const decoder = pipeline.decoder;
    const push = decoder.push.bind(decoder);
    decoder.push = (chunk) => {
      if (throwNext) {
        throwNext = false;
        throw new Error('bug');
      }
      push(chunk);
    };
    expect(() => pipeline.ingest(text('door=open\n'))).not.toThrow();
    pipeline.ingest(text('door=closed\n'));
    expect(pipeline.ingestFailures).toBe(1);
    expect(bodies).toEqual([
      { type: 'sensor.changed', sensor: 'dev', channel: 'door', value: 'closed', zone: 'fridge' },
    ]);
  });

  it('publishes a sensor channel only when its value changes', () => {
    const { pipeline, bodies } = pipelineFor(linesDriver, false);
    pipeline.ingest(text('door=open\ndoor=open\ntemp=4.2\n'));
    pipeline.ingest(text('{"door":"open","temp":4.3}\n'));
    expect(bodies).toEqual([
      { type: 'sensor.changed', sensor: 'dev', channel: 'door', value: 'open', zone: 'fridge' },
      { type: 'sensor.changed', sensor: 'dev', channel: 'temp', value: 4.2, zone: 'fridge' },
      { type: 'sensor.changed', sensor: 'dev', channel: 'temp', value: 4.3, zone: 'fridge' },
    ]);
  });

  it('turns reader health changes into reader.status events, not every keep-alive', () => {
    const { pipeline, bodies } = pipelineFor(thingmagicDriver, true);
    pipeline.ingest(RSP_KEEPALIVE);
    pipeline.ingest(RSP_KEEPALIVE);
    expect(bodies).toEqual([]);
    pipeline.ingest(RSP_OVER_TEMPERATURE);
    pipeline.ingest(RSP_OVER_TEMPERATURE);
    pipeline.ingest(RSP_KEEPALIVE);
    expect(
      bodies.map((body) => (body.type === 'reader.status' ? [body.state, body.detail?.code] : body.type)),
    ).toEqual([
      // Over-temperature is a warning: the reader still reads.
      ['online', 'over-temperature'],
      ['online', 'keepalive'],
    ]);
  });

  it('feeds tag reads to the core and counts frames', () => {
    const { pipeline, engine } = pipelineFor(thingmagicDriver, true);
    pipeline.ingest(TAG_T1.subarray(0, 10));
    pipeline.ingest(TAG_T1.subarray(10));
    expect(engine.stats.reads).toBe(1);
    expect(pipeline.counters).toMatchObject({ bytes: TAG_T1.length, frames: 1, reads: 1, errors: 0 });
  });
});

describe('DevicePipeline reader health', () => {
  /** A driver whose decoder turns each chunk, a JSON `ReaderMessage`, into that message. */
  const scriptedDriver: Driver = {
    ...linesDriver,
    name: 'scripted',
    kind: 'reader',
    createDecoder: messageDecoder((chunk) => JSON.parse(new TextDecoder().decode(chunk)) as ReaderMessage),
  };

  function readerWithTransport(logger = silentLogger(), clock = new VirtualClock(0)) {
    const bodies: EventBody[] = [];
    let handlers: TransportHandlers | undefined;
    const pipeline = new DevicePipeline({
      id: 'door',
      driver: scriptedDriver,
      settings: {},
      clock,
      logger,
      publish: (body) => bodies.push(body),
      zone: 'door',
      interactive: false,
      openTransport: () => ({
        target: 'test',
        start: (given) => {
          handlers = given;
        },
        write: async () => {},
        stop: async () => {},
      }),
    });
    pipeline.start();
    const transport = {
      online: () => handlers?.status({ state: 'online' }),
      offline: (attempt = 1) =>
        handlers?.status({ state: 'offline', reason: 'unplugged', attempt, retryInMs: 500 }),
      status: (level: 'ok' | 'warning' | 'error', code: string, detail?: string) =>
        handlers?.data(text(JSON.stringify({ kind: 'status', level, code, ...(detail ? { detail } : {}) }))),
    };
    const states = () =>
      bodies.flatMap((body) =>
        body.type === 'reader.status'
          ? [`${body.state}${body.detail?.code ? `:${body.detail.code}` : ''}`]
          : [],
      );
    return { pipeline, bodies, transport, states };
  }

  it('logs an outage once, its retries at debug, and sums it up when the device is back', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const clock = new VirtualClock(0);
    const { transport } = readerWithTransport(logger, clock);
    transport.online();
    for (let attempt = 1; attempt <= 12; attempt++) {
      transport.offline(attempt);
      clock.advanceTo(clock.now() + 500);
    }
    transport.online();
    expect(
      lines.map(({ level, msg, offlineMs, offlineReports }) => ({ level, msg, offlineMs, offlineReports })),
    ).toEqual([
      { level: 30, msg: 'device online', offlineMs: undefined, offlineReports: undefined },
      { level: 40, msg: 'device offline', offlineMs: undefined, offlineReports: undefined },
      { level: 30, msg: 'device online', offlineMs: 6000, offlineReports: 12 },
    ]);
  });

  it('reports an error again after the reader reconnects, instead of staying "online"', () => {
    const { pipeline, transport, states } = readerWithTransport();
    transport.online();
    transport.status('error', 'antenna-not-connected', 'no antenna detected on the port');
    transport.offline();
    transport.online();
    transport.status('error', 'antenna-not-connected', 'no antenna detected on the port');
    expect(states()).toEqual([
      'online',
      'error:antenna-not-connected',
      'offline',
      'online',
      'error:antenna-not-connected',
    ]);
    expect(pipeline.state).toBe('error');
  });

  it('publishes a warning as online, with its reason and level, and only level error as error', () => {
    const { pipeline, bodies, transport } = readerWithTransport();
    transport.online();
    transport.status('warning', 'over-temperature', 'module too hot, RF throttled');
    expect(bodies.at(-1)).toEqual({
      type: 'reader.status',
      reader: 'door',
      state: 'online',
      reason: 'module too hot, RF throttled',
      detail: { code: 'over-temperature', level: 'warning' },
    });
    expect(pipeline.state).toBe('online');
    transport.status('error', 'antenna-not-connected', 'no antenna detected on the port');
    expect(bodies.at(-1)).toMatchObject({ state: 'error', detail: { level: 'error' } });
    transport.status('ok', 'keepalive');
    expect(bodies.at(-1)).toMatchObject({ state: 'online', detail: { code: 'keepalive', level: 'ok' } });
    expect(pipeline.state).toBe('online');
  });
});

describe('DevicePipeline.restart', () => {
  /** Counts what a pipeline does with its transports; no bytes flow. */
  function countingTransports() {
    const opened: Array<{ started: boolean; stopped: boolean }> = [];
    const open = (): ByteTransport => {
      const state = { started: false, stopped: false };
      opened.push(state);
      return {
        target: `test#${opened.length}`,
        start: () => {
          state.started = true;
        },
        write: async () => {},
        stop: async () => {
          await new Promise((resolve) => setImmediate(resolve));
          state.stopped = true;
        },
      };
    };
    return { opened, open };
  }

  function pipelineWith(open: () => ByteTransport) {
    return new DevicePipeline({
      id: 'dev',
      driver: linesDriver,
      settings: {},
      clock: new VirtualClock(0),
      logger: silentLogger(),
      publish: () => {},
      zone: 'z',
      interactive: false,
      openTransport: open,
    });
  }

  it('shares one restart between overlapping requests: one new transport, the old one stopped', async () => {
    const { opened, open } = countingTransports();
    const pipeline = pipelineWith(open);
    pipeline.start();
    await Promise.all([pipeline.restart(), pipeline.restart()]);
    expect(opened).toEqual([
      { started: true, stopped: true },
      { started: true, stopped: false },
    ]);
  });

  it('does not reopen the port when a shutdown meets a restart', async () => {
    const { opened, open } = countingTransports();
    const pipeline = pipelineWith(open);
    pipeline.start();
    const restart = pipeline.restart();
    await pipeline.stop();
    await restart;
    expect(opened.every((transport) => !transport.started || transport.stopped)).toBe(true);
    await expect(pipeline.restart()).rejects.toThrow(/stopped/);
  });
});

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
    };
  }

  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('retries a failed start-up with backoff for ever and is online once the module answers', async () => {
    const clock = new VirtualClock(0);
    const module = slowModule(clock);
    module.online();
    // Still booting: tries at 0, 1.5 s and 4 s (a 500 ms timeout, then waits of 1 s, 2 s, 4 s).
    for (let at = 0; at <= 8_000; at += 100) {
      clock.advanceTo(at);
      await settle();
    }
    // Its port opening did not make it online: its start-up failing is the first news.
    expect(module.states()).toEqual(['error']);
    expect(module.pipeline.state).toBe('error');
    const triesWhileBooting = module.state.writes;
    expect(triesWhileBooting).toBe(3);
    module.state.answering = true;
    for (let at = 8_100; at <= 20_000; at += 100) {
      clock.advanceTo(at);
      await settle();
    }
    expect(module.states()).toEqual(['error', 'online']);
    expect(module.pipeline.state).toBe('online');
    expect(module.state.writes).toBe(triesWhileBooting + 1);
    await module.pipeline.stop();
  });

  it('stalls a silent reader, tries its start-up again, then reopens its port, and is online when it talks', async () => {
    const clock = new VirtualClock(0);
    const module = slowModule(clock, 1000);
    const until = async (toMs: number) => {
      for (let at = clock.now() + 100; at <= toMs; at += 100) {
        clock.advanceTo(at);
        await settle();
      }
    };
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
    const clock = new VirtualClock(0);
    const module = slowModule(clock, 1000);
    module.state.answering = true;
    module.online();
    await settle();
    module.talk();
    for (let at = 100; at <= 12_600; at += 100) {
      clock.advanceTo(at);
      await settle();
    }
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
    for (let at = 100; at <= 1_000; at += 100) {
      clock.advanceTo(at);
      await settle();
    }
    // Still booting: its start-up timed out once, and nothing said it was online.
    expect(module.states()).toEqual(['error']);
    module.state.answering = true;
    for (let at = 1_100; at <= 1_600; at += 100) {
      clock.advanceTo(at);
      await settle();
    }
    // Its start-up answered at 1.5 s: not online until its stream flows.
    expect(module.states()).toEqual(['error']);
    expect(module.pipeline.state).toBe('error');
    module.talk();
    expect(module.states()).toEqual(['error', 'online']);
    await module.pipeline.stop();
  });

  it('publishes nothing while a module that answered its start-up has not streamed yet, and stalls it if it never does', async () => {
    const clock = new VirtualClock(0);
    const module = slowModule(clock, 1000);
    module.state.answering = true;
    module.online();
    await settle();
    for (let at = 100; at <= 2_400; at += 100) {
      clock.advanceTo(at);
      await settle();
    }
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
    const clock = new VirtualClock(0);
    const module = slowModule(clock, 1000);
    module.state.answering = true;
    module.online();
    await settle();
    module.talk();
    expect(module.states()).toEqual(['online']);
    module.offline();
    module.state.answering = false;
    clock.advanceTo(10_000);
    module.online();
    for (let at = 10_100; at <= 20_000; at += 100) {
      clock.advanceTo(at);
      await settle();
    }
    // The module boots for 10 s after the replug: offline, then its start-up failing, never online.
    expect(module.states()).toEqual(['online', 'offline', 'error']);
    module.state.answering = true;
    // Its next try, at 27 s, is answered; its stream has not started yet.
    for (let at = 20_100; at <= 27_500; at += 100) {
      clock.advanceTo(at);
      await settle();
    }
    expect(module.state.writes).toBe(6);
    expect(module.states()).toEqual(['online', 'offline', 'error']);
    module.talk();
    expect(module.states()).toEqual(['online', 'offline', 'error', 'online']);
    await module.pipeline.stop();
  });
});
