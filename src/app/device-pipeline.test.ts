import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock.js';
import { PresenceEngine, resolveEngineConfig } from '../core/index.js';
import { silentLogger } from '../observability/logger.js';
import { linesDriver } from '../protocols/lines/index.js';
import { RSP_KEEPALIVE, RSP_OVER_TEMPERATURE, TAG_T1 } from '../protocols/thingmagic/fixtures.js';
import { thingmagicDriver } from '../protocols/thingmagic/index.js';
import type { EventBody } from '../shared/events.js';
import type { ByteTransport } from '../transport/types.js';
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
      ['error', expect.any(String)],
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
