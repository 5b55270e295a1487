/**
 * The whole gateway, end to end, as it runs in a store: `node dist/cli/main.js run` reads a
 * thingmagic reader on a socat pty and publishes every event through its SQLite outbox to a real
 * Mosquitto. This process plays the reader on the other end of the pty (the M6e Nano simulator
 * answering the gateway's start-up commands, then paced tag frames) and subscribes to the events.
 *
 * pipeline.cpuPerRead: gateway CPU (user + system, all threads, from /proc/<pid>/stat) per read
 * written, at 1,000 reads/s of 50 tags in the field (the steady state of a shelf: dedup, no events).
 * pipeline.latency.p50 / .p99: from the `performance.now()` of the tick that writes a frame to the
 * pty to the `tag.arrived` event for it reaching an MQTT subscriber, at 1,000 reads/s where every
 * read is a new tag (so every read is an event, and with the default 3 s hold-off a departure
 * follows each one: 2,000 events/s in the steady state, the worst case of a busy door).
 * Each figure is the median over 3 windows; needs `npm run build` first (the bench runs dist/).
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connect, type MqttClient } from 'mqtt';
import { ReadPlan, type SimulatedRead } from '../../src/app/read-plan.js';
import { thingmagicDriver } from '../../src/protocols/thingmagic/index.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { createPtyPair } from '../helpers/pty.js';
import { holdWhileRunning, spawnGateway, stopGateway } from './gateway-process.js';
import { median } from './median.js';
import { PtyDevice } from './pipeline-device.js';

type Report = (bench: string, value: number, unit: string) => void;

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const GATEWAY_ID = 'bench-pipeline';
const READER_ID = 'shelf';
const EVENTS_TOPIC = `rfid/${GATEWAY_ID}/events/tag/arrived`;
const INVENTORY_TOPIC = `rfid/${GATEWAY_ID}/inventory/${READER_ID}`;
const METRICS_TOPIC = `rfid/${GATEWAY_ID}/metrics`;
const RATE = 1000;
/**
 * 5 frames per write: a USB-serial adapter hands frames over in bursts of a few ms too, and a finer
 * pace would spend this process's share of the two cores on timers.
 */
const TICK_MS = 5;
const WINDOWS = 3;
const IDLE_WINDOW_MS = 2000;
const CPU_TAGS = 50;
const CPU_WARMUP_MS = 1500;
const CPU_WINDOW_MS = 3000;
/** Past the 3 s departure hold-off, so every window carries arrivals and departures alike. */
const LATENCY_WARMUP_MS = 3500;
const LATENCY_WINDOW_MS = 4000;
/** After the last frame: how long an event may still arrive; a later one counts as this late. */
const LATENCY_DRAIN_MS = 3000;
const DELAY_RESOLUTION_MS = 10;
const START_TIMEOUT_MS = 15_000;
/** Serials of the latency phase start here, far from the ReadPlan's (1000 + index). */
const FIRST_NEW_SERIAL = 1_000_000;

/** Nearest-rank percentile of ascending `sorted`. */
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

const hex = (tag: Uint8Array): string => Buffer.from(tag).toString('hex').toUpperCase();

/** utime + stime of every thread of `pid`, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** The event's `tag`; a payload without one (another event type) is not a sample. */
function tagOf(payload: Buffer): string | undefined {
  const event = JSON.parse(payload.toString('utf8')) as { tag?: unknown };
  return typeof event.tag === 'string' ? event.tag : undefined;
}

interface Sent {
  at: number;
  receivedAt?: number;
}

/** What the subscriber saw: when each tag was sent and received, and the gateway's own reports. */
interface Observed {
  sent: Map<string, Sent>;
  metrics: GatewayMetrics | undefined;
  inventoryMessages: number;
  inventoryBytes: number;
}

/** The part of the gateway's `<base>/metrics` payload printed beside the figures. */
interface GatewayMetrics {
  readers?: Record<string, { readsPerSec?: number; decodeErrors?: number; droppedBytes?: number }>;
  outbox?: { depth?: number };
  eventLoopLagMs?: { p50?: number; p99?: number; max?: number };
}

interface Rig {
  gateway: ChildProcess;
  gatewayLog: () => string;
  device: PtyDevice;
  observed: Observed;
}

/** Waits `ms`, or until `done()`; fails early if the gateway or the device stopped. */
function hold(rig: Rig, ms: number, done: () => boolean = () => false): Promise<boolean> {
  return holdWhileRunning({ child: rig.gateway, log: rig.gatewayLog }, rig.device, ms, done, 20);
}

function subscribe(url: string, observed: Observed): Promise<MqttClient> {
  const client = connect(url, { reconnectPeriod: 200, clientId: `bench-pipeline-${process.pid}` });
  client.on('message', (topic, payload) => {
    const receivedAt = performance.now();
    if (topic === EVENTS_TOPIC) {
      const tag = tagOf(payload);
      const sent = tag === undefined ? undefined : observed.sent.get(tag);
      if (sent && sent.receivedAt === undefined) sent.receivedAt = receivedAt;
    } else if (topic === METRICS_TOPIC) {
      observed.metrics = JSON.parse(payload.toString('utf8')) as GatewayMetrics;
    } else if (topic === INVENTORY_TOPIC) {
      observed.inventoryMessages++;
      observed.inventoryBytes += payload.length;
    }
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => {
      client.subscribe([EVENTS_TOPIC, METRICS_TOPIC, INVENTORY_TOPIC], { qos: 1 }, (error) =>
        error ? reject(error) : resolve(client),
      );
    });
    client.once('error', reject);
  });
}

/** The gateway's fixed cost (timers, keepalive, metrics), which the per-read figure includes. */
async function idleWindow(rig: Rig, clockTicks: number): Promise<void> {
  const ticks0 = cpuTicks(rig.gateway.pid as number);
  const started = performance.now();
  await hold(rig, IDLE_WINDOW_MS);
  const cpuMs = ((cpuTicks(rig.gateway.pid as number) - ticks0) * 1e3) / clockTicks;
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `pipeline idle: gateway ${((cpuMs / 1e3 / seconds) * 100).toFixed(1)}% of a core with no reads`,
  );
}

async function cpuPhase(rig: Rig, clockTicks: number, report: Report): Promise<void> {
  const plan = new ReadPlan({ tags: CPU_TAGS, tagLength: 12, antennas: 4, seed: 7 });
  rig.device.play({
    rate: RATE,
    next: () => plan.next(),
    onQueued: (tag, at) => {
      const key = hex(tag);
      if (!rig.observed.sent.has(key)) rig.observed.sent.set(key, { at });
    },
  });
  await hold(rig, CPU_WARMUP_MS);
  const perRead: number[] = [];
  for (let window = 1; window <= WINDOWS; window++) {
    const ticks0 = cpuTicks(rig.gateway.pid as number);
    const frames0 = rig.device.framesWritten;
    const started = performance.now();
    await hold(rig, CPU_WINDOW_MS);
    const cpuUs = ((cpuTicks(rig.gateway.pid as number) - ticks0) * 1e6) / clockTicks;
    const reads = rig.device.framesWritten - frames0;
    const seconds = (performance.now() - started) / 1000;
    perRead.push(cpuUs / reads);
    console.log(
      `pipeline cpu window ${window}: ${(cpuUs / reads).toFixed(1)} µs/read (${reads} reads in ${seconds.toFixed(2)} s, ` +
        `${(reads / seconds).toFixed(0)}/s, gateway ${((cpuUs / 1e6 / seconds) * 100).toFixed(0)}% of a core, backlog ${rig.device.backlogFrames})`,
    );
  }
  rig.device.play(undefined);
  // Each of the 50 tags arrives once; fewer means frames were not decoded and the CPU figure lies.
  const arrived = [...rig.observed.sent.values()].filter((sent) => sent.receivedAt !== undefined).length;
  if (arrived !== plan.tagCount)
    throw new Error(`${arrived} of ${plan.tagCount} tags of the CPU phase arrived over MQTT`);
  report('pipeline.cpuPerRead', Number(median(perRead).toFixed(1)), 'us');
}

/** An SGTIN-96 of the ReadPlan's company and item, with a serial of our own in its low 32 bits. */
function newTags(): () => SimulatedRead {
  const base = new ReadPlan({ tags: 1, tagLength: 12, antennas: 1, seed: 7 }).next();
  let serial = FIRST_NEW_SERIAL;
  return () => {
    const tag = Uint8Array.from(base.tag);
    new DataView(tag.buffer).setUint32(8, serial++);
    return { tag, antenna: 1 + (serial % 4), rssi: -50 - (serial % 20) };
  };
}

async function latencyPhase(rig: Rig, clockTicks: number, report: Report): Promise<void> {
  const { device, observed } = rig;
  const windows: Array<{ from: number; to: number }> = [];
  device.play({ rate: RATE, next: newTags(), onQueued: (tag, at) => observed.sent.set(hex(tag), { at }) });
  await hold(rig, LATENCY_WARMUP_MS);
  const ticks0 = cpuTicks(rig.gateway.pid as number);
  const frames0 = device.framesWritten;
  const measuredFrom = performance.now();
  observed.inventoryMessages = 0;
  observed.inventoryBytes = 0;
  // A stall of this process would delay receptions and pass for gateway latency: watch for it.
  const ownDelay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  ownDelay.enable();
  for (let window = 0; window < WINDOWS; window++) {
    const from = performance.now();
    await hold(rig, LATENCY_WINDOW_MS);
    windows.push({ from, to: performance.now() });
  }
  device.play(undefined);
  ownDelay.disable();
  const cpuUs = ((cpuTicks(rig.gateway.pid as number) - ticks0) * 1e6) / clockTicks;
  const reads = device.framesWritten - frames0;
  const seconds = (performance.now() - measuredFrom) / 1000;
  const first = windows[0]?.from ?? 0;
  const measured = [...observed.sent.values()].filter((sent) => sent.at >= first);
  await hold(rig, LATENCY_DRAIN_MS, () => measured.every((sent) => sent.receivedAt !== undefined));
  const drainedAt = performance.now();

  const p50s: number[] = [];
  const p99s: number[] = [];
  windows.forEach(({ from, to }, index) => {
    const inWindow = measured.filter((sent) => sent.at >= from && sent.at < to);
    const missing = inWindow.filter((sent) => sent.receivedAt === undefined).length;
    // An event that never came is at least as late as the end of the wait: a lower bound, not a skip.
    const latencies = inWindow.map((sent) => (sent.receivedAt ?? drainedAt) - sent.at).sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    p50s.push(p50);
    p99s.push(p99);
    console.log(
      `pipeline latency window ${index + 1}: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, ` +
        `max ${(latencies.at(-1) ?? Number.NaN).toFixed(2)} ms over ${latencies.length} arrivals (${missing} missing)`,
    );
  });
  const ms = (ns: number): string => Math.max(0, ns / 1e6 - DELAY_RESOLUTION_MS).toFixed(1);
  console.log(
    `pipeline latency phase: gateway ${(cpuUs / reads).toFixed(1)} µs/read, ${((cpuUs / 1e6 / seconds) * 100).toFixed(0)}% ` +
      `of a core (every read a new tag: an arrival each, and a departure 3 s later); ` +
      `${observed.inventoryMessages} inventory snapshots of ${(observed.inventoryBytes / Math.max(1, observed.inventoryMessages) / 1024).toFixed(0)} KiB; ` +
      `bench event-loop delay p99 ${ms(ownDelay.percentile(99))} ms, max ${ms(ownDelay.max)} ms`,
  );
  if (observed.metrics) console.log(`pipeline: gateway's last metrics: ${describeMetrics(observed.metrics)}`);
  report('pipeline.latency.p50', Number(median(p50s).toFixed(2)), 'ms');
  report('pipeline.latency.p99', Number(median(p99s).toFixed(2)), 'ms');
}

function describeMetrics(metrics: GatewayMetrics): string {
  const reader = metrics.readers?.[READER_ID];
  const lag = metrics.eventLoopLagMs;
  return (
    `${reader?.readsPerSec} reads/s, ${reader?.decodeErrors} decode errors, ${reader?.droppedBytes} dropped bytes, ` +
    `outbox depth ${metrics.outbox?.depth}, event-loop lag as reported p50 ${lag?.p50} / p99 ${lag?.p99} / max ${lag?.max} ms`
  );
}

export async function run(report: Report): Promise<void> {
  const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  try {
    const broker = await startMosquitto({ scope: 'manual' });
    cleanup.push(() => broker.dispose());
    const pair = await createPtyPair();
    cleanup.push(() => pair.close());
    const dir = mkdtempSync(join(tmpdir(), 'rfid-bench-pipeline-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));

    const device = new PtyDevice(pair.fdA(), thingmagicDriver.createSimulator(), TICK_MS);
    device.start();
    cleanup.push(() => device.stop());
    const observed: Observed = {
      sent: new Map(),
      metrics: undefined,
      inventoryMessages: 0,
      inventoryBytes: 0,
    };
    const subscriber = await subscribe(broker.url, observed);
    cleanup.push(() => subscriber.endAsync(true));

    const configFile = join(dir, 'gateway.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        gatewayId: GATEWAY_ID,
        logLevel: 'warn',
        dataDir: join(dir, 'data'),
        output: { stdout: false },
        mqtt: { url: broker.url },
        readers: [{ id: READER_ID, driver: 'thingmagic', port: pair.b }],
      }),
    );
    const { child, log } = spawnGateway(CLI, configFile);
    const rig: Rig = { gateway: child, gatewayLog: log, device, observed };
    // Runs before the device stops, so that the gateway's shutdown sequence gets its answers.
    cleanup.push(() => stopGateway(rig.gateway, 'pipeline'));

    const startedAt = performance.now();
    if (!(await hold(rig, START_TIMEOUT_MS, () => device.reading)))
      throw new Error(`the gateway did not start the reader within ${START_TIMEOUT_MS} ms:\n${log()}`);
    console.log(`pipeline: gateway started the reader in ${(performance.now() - startedAt).toFixed(0)} ms`);

    (globalThis as { gc?: () => void }).gc?.();
    await idleWindow(rig, clockTicks);
    await cpuPhase(rig, clockTicks, report);
    (globalThis as { gc?: () => void }).gc?.();
    await latencyPhase(rig, clockTicks, report);
  } finally {
    for (const step of cleanup.reverse()) {
      try {
        await step();
      } catch (error) {
        console.log(`pipeline cleanup: ${(error as Error).message}`);
      }
    }
  }
}
