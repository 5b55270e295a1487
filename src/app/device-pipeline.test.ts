import { describe, expect, it } from 'vitest';
import { messageDecoder } from '../../test/kits/protocols/scripted.js';
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
