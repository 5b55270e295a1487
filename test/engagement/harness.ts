import { readFileSync } from 'node:fs';
import { Controller } from '../../src/app/controller.js';
import { VirtualTime } from '../../src/app/virtual-time.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import type { Services } from '../../src/shared/feature.js';
import { type CaptureChunk, CaptureParser } from '../../src/transport/capture.js';
import { FakePort } from '../helpers/fake-port.js';
import { requestRunner } from '../helpers/run-request.js';

/**
 * The controller as `replayCapture` (src/app/replay.ts) builds and drives it (the engagement is one
 * of its features): a virtual clock moved to each chunk's time, rx chunks fed to the reader's
 * pipeline. Not replayCapture itself, because here the end is the test's choice: the tests look at
 * the gateway with the shelf still stocked, stop it part-way through (and start another on its
 * store), or run on until every departure has fired, as the `replay` command does; replayCapture
 * always runs on and then stops the controller.
 */

/** How far past the last chunk the clock runs on, as in replay.ts. */
const RUN_ON_LIMIT_MS = 3_600_000;

export interface ShelfGateway {
  controller: Controller;
  clock: VirtualClock;
  events: GatewayEvent[];
  /** The engagement the controller built. */
  engagement: () => Services['engagement'];
  /** The ports the test feeds and unplugs (empty: readers fed by `pipeline.ingest`). */
  ports: ReadonlyMap<string, FakePort>;
  request: (
    command: string,
    document: unknown,
  ) => Promise<{ ok: true; data: unknown } | { ok: false; error: string }>;
}

export async function startGateway(options: {
  config: GatewayConfig;
  startMs: number;
  dataDir: string;
  products: unknown[];
  /** Readers fed through a port the test can unplug, rather than by `pipeline.ingest`. */
  ports?: ReadonlyMap<string, FakePort>;
  /** Default: a VirtualClock at `startMs`. */
  clock?: VirtualClock;
}): Promise<ShelfGateway> {
  const clock = options.clock ?? new VirtualClock(options.startMs);
  const ports = options.ports ?? new Map<string, FakePort>();
  const controller = Controller.create(options.config, {
    mode: 'replay',
    clock,
    logger: silentLogger(),
    dataDir: options.dataDir,
    mqtt: undefined,
    drainMs: 0,
    ...(options.ports ? { transportFor: (device) => ports.get(device.id) ?? new FakePort(device.id) } : {}),
  });
  const events: GatewayEvent[] = [];
  controller.bus.on('test', '*', (event) => events.push(event));
  await controller.start();
  const request = requestRunner(controller.requests);
  // As test/bench/purchase.ts loads a scenario's catalog.
  const loaded = await request('catalog/set', { products: options.products });
  if (!loaded.ok) throw new Error(loaded.error);
  const engagement = () => {
    const extension = controller.service('engagement');
    if (!extension) throw new Error('the config has no engagement section');
    return extension;
  };
  return { controller, clock, events, engagement, request, ports };
}

/** Something the test does at a capture time (ms since `startedAt`), e.g. a point-of-sale payment. */
export interface Action {
  t: number;
  run: (gateway: ShelfGateway) => void;
}

/** Plays every chunk of the capture in time order, running each action at its time. */
export function play(gateway: ShelfGateway, file: string, actions: readonly Action[] = []): void {
  const parser = new CaptureParser(file);
  const chunks: CaptureChunk[] = [];
  parser.push(readFileSync(file, 'utf8'), chunks);
  parser.end(chunks);
  if (!parser.header) throw new Error(`${file}: no header`);
  const start = Date.parse(parser.header.startedAt);
  const todo = [...actions].sort((a, b) => a.t - b.t);
  const runDue = (t: number) => {
    while (todo.length > 0 && (todo[0] as Action).t <= t) {
      const action = todo.shift() as Action;
      gateway.clock.advanceTo(start + action.t);
      action.run(gateway);
    }
  };
  for (const chunk of chunks) {
    runDue(chunk.t);
    gateway.clock.advanceTo(start + chunk.t);
    if (chunk.dir !== 'rx') continue;
    const port = gateway.ports.get(chunk.port);
    if (port) {
      port.data(chunk.bytes);
      continue;
    }
    const pipeline = gateway.controller.readers.pipeline(chunk.port);
    if (!pipeline) throw new Error(`capture port ${chunk.port} is no reader of the config`);
    pipeline.ingest(chunk.bytes);
  }
  runDue(Number.POSITIVE_INFINITY);
}

/** The end of `rfid-gateway replay`: the clock runs on until every departure and timer has fired. */
export async function runOnLikeReplay(gateway: ShelfGateway): Promise<void> {
  const { clock, controller } = gateway;
  const time = new VirtualTime(clock, controller.bus);
  const horizon = clock.now() + RUN_ON_LIMIT_MS;
  for (;;) {
    const next = clock.nextTimerAt();
    if (next === undefined || next > horizon) break;
    await time.advanceTo(next);
  }
}
