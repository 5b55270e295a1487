/**
 * What the gateway costs a Raspberry Pi: the built `rfid-gateway run` (dist/cli/main.js) reads a
 * thingmagic reader on a socat pty and publishes through its SQLite outbox to a real Mosquitto on
 * loopback, as in the peer harness (shared/peers/run_gateway.sh): stdout output off, metrics
 * published once a second. This process plays the reader (the M6e Nano simulator answers the
 * start-up commands, then one paced tag frame per write) and subscribes to the arrivals.
 *
 * gateway.idleCpuMsPerS.metrics1s: gateway CPU (user + system, all threads) per second of wall time with the
 * reader started and the broker connected but no tags, after a 3 s settle; median of 5 windows of
 * 6 s (V8's memory reducer runs a few full collections in the first ~30 s of the process's life, a
 * one-off of ~100 ms each that lands in one or two windows). Read from
 * /proc/<pid>/task/<tid>/schedstat in nanoseconds: the same run time that utime + stime in
 * /proc/<pid>/stat count in 10 ms ticks, too coarse for ~1 ms/s; the tick figure is printed beside it.
 * gateway.rssMB: VmRSS after 2 minutes at 200 reads/s of 50 tags; the 10 s samples are printed with
 * their range and least-squares slope, to show that it is flat (a 10-minute run,
 * GATEWAY_BENCH_LOAD_S=600, stayed within 75.3-76.8 MB, +0.08 MB/min; its first 2 minutes 75.3-75.9).
 * gateway.cpuPerRead: gateway CPU per read written during the same run, median of the 10 s intervals
 * after the first 20 s (arrivals and the start of the stream excluded).
 *
 * Needs `npm run build` first. Environment, for comparisons: GATEWAY_BENCH_CLI (another built
 * main.js), GATEWAY_BENCH_NODE_ARGS (e.g. `--max-semi-space-size=1`), GATEWAY_BENCH_LOAD_S.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type MqttClient } from 'mqtt';
import { ReadPlan } from '../../src/app/read-plan.js';
import { thingmagicDriver } from '../../src/protocols/thingmagic/index.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { createPtyPair } from '../helpers/pty.js';
import { holdWhileRunning, spawnGateway, stopGateway } from './gateway-process.js';
import { median } from './median.js';
import { PtyDevice } from './pipeline-device.js';

type Report = (bench: string, value: number, unit: string) => void;

const CLI =
  process.env.GATEWAY_BENCH_CLI ?? fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const NODE_ARGS = (process.env.GATEWAY_BENCH_NODE_ARGS ?? '').split(/\s+/).filter((arg) => arg !== '');
const GATEWAY_ID = 'bench-gateway';
const READER_ID = 'r';
const ARRIVED_TOPIC = `rfid/${GATEWAY_ID}/events/tag/arrived`;
const METRICS_TOPIC = `rfid/${GATEWAY_ID}/metrics`;
const RATE = 200;
const TAGS = 50;
/** One frame per write at 200 reads/s, as the peer harness's generator writes them. */
const TICK_MS = 5;
const SETTLE_MS = 3_000;
const IDLE_WINDOWS = 5;
const IDLE_WINDOW_MS = 6_000;
const LOAD_MS = Number(process.env.GATEWAY_BENCH_LOAD_S ?? 120) * 1000;
const SAMPLE_MS = 10_000;
/** The start of the stream (50 arrivals, JIT warm-up) stays out of the per-read figure. */
const CPU_SKIP_MS = 20_000;
const START_TIMEOUT_MS = 15_000;

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

interface Cpu {
  /** Run time of the live threads, ns. */
  ns: number;
  /** utime + stime of the process (exited threads included), ns at tick resolution. */
  tickNs: number;
}

function cpu(pid: number): Cpu {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that exited between the listing and the read.
    }
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tickNs = ((Number(fields[11]) + Number(fields[12])) * 1e9) / CLOCK_TICKS;
  return { ns, tickNs };
}

function statusKb(pid: number, key: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${key}:`));
  return Number(line?.split(/\s+/)[1] ?? Number.NaN);
}

const mb = (kb: number): number => kb / 1024;

interface Observed {
  arrivals: Set<string>;
  frames: number;
  metricsMessages: number;
  /** What the gateway says of its own event loop in its last metrics. */
  loop: string;
}

interface Rig {
  gateway: ChildProcess;
  pid: number;
  log: () => string;
  device: PtyDevice;
  observed: Observed;
}

/** Waits `ms`, or until `done()`; fails early if the gateway or the device stopped. */
function hold(rig: Rig, ms: number, done: () => boolean = () => false): Promise<boolean> {
  return holdWhileRunning({ child: rig.gateway, log: rig.log }, rig.device, ms, done, 100);
}

function subscribe(url: string, observed: Observed): Promise<MqttClient> {
  const client = connect(url, { reconnectPeriod: 200, clientId: `bench-gateway-${process.pid}` });
  client.on('message', (topic, payload) => {
    const body = JSON.parse(payload.toString('utf8')) as {
      tag?: string;
      readers?: Record<string, { frames?: number }>;
      eventLoopUtilization?: number;
      eventLoopLagMs?: { p50: number; p99: number; max: number };
    };
    if (topic === ARRIVED_TOPIC && typeof body.tag === 'string') observed.arrivals.add(body.tag);
    if (topic === METRICS_TOPIC) {
      observed.metricsMessages++;
      observed.frames = body.readers?.[READER_ID]?.frames ?? observed.frames;
      const lag = body.eventLoopLagMs;
      observed.loop = `utilization ${body.eventLoopUtilization ?? '-'}, lag p50 ${lag?.p50} / p99 ${lag?.p99} / max ${lag?.max} ms`;
    }
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => {
      client.subscribe([ARRIVED_TOPIC, METRICS_TOPIC], { qos: 1 }, (error) =>
        error ? reject(error) : resolve(client),
      );
    });
    client.once('error', reject);
  });
}

async function idlePhase(rig: Rig, report: Report): Promise<void> {
  await hold(rig, SETTLE_MS);
  const windows: number[] = [];
  const tickWindows: number[] = [];
  for (let window = 0; window < IDLE_WINDOWS; window++) {
    const before = cpu(rig.pid);
    const started = performance.now();
    await hold(rig, IDLE_WINDOW_MS);
    const after = cpu(rig.pid);
    const seconds = (performance.now() - started) / 1000;
    windows.push((after.ns - before.ns) / 1e6 / seconds);
    tickWindows.push((after.tickNs - before.tickNs) / 1e6 / seconds);
  }
  if (rig.device.framesWritten !== 0) throw new Error('the idle phase saw tag frames');
  console.log(
    `gateway idle: ${windows.map((value) => value.toFixed(2)).join(' / ')} ms of CPU per s ` +
      `(${IDLE_WINDOW_MS / 1000} s windows; by utime+stime ticks ${tickWindows.map((value) => value.toFixed(1)).join(' / ')}), ` +
      `RSS ${mb(statusKb(rig.pid, 'VmRSS')).toFixed(1)} MB; its last metrics: event loop ${rig.observed.loop}`,
  );
  report('gateway.idleCpuMsPerS.metrics1s', Number(median(windows).toFixed(2)), 'ms/s');
}

async function loadPhase(rig: Rig, report: Report): Promise<void> {
  const { device, observed } = rig;
  const plan = new ReadPlan({ tags: TAGS, tagLength: 12, antennas: 4, seed: 11 });
  const started = performance.now();
  const first = cpu(rig.pid);
  device.play({ rate: RATE, next: () => plan.next() });
  const rss: number[] = [];
  const perRead: number[] = [];
  let previous = { cpu: first, frames: 0, at: started };
  for (let elapsed = SAMPLE_MS; elapsed <= LOAD_MS; elapsed += SAMPLE_MS) {
    await hold(rig, started + elapsed - performance.now());
    const now = { cpu: cpu(rig.pid), frames: device.framesWritten, at: performance.now() };
    rss.push(mb(statusKb(rig.pid, 'VmRSS')));
    if (elapsed > CPU_SKIP_MS) {
      const reads = now.frames - previous.frames;
      perRead.push((now.cpu.ns - previous.cpu.ns) / 1e3 / reads);
    }
    previous = now;
  }
  const loopUnderLoad = observed.loop;
  device.play(undefined);
  const total = cpu(rig.pid);
  const frames = device.framesWritten;
  const seconds = (previous.at - started) / 1000;
  // Every frame decoded (the gateway's own count, published once a second) and every tag arrived.
  await hold(rig, 5_000, () => observed.frames >= frames && observed.arrivals.size >= TAGS);
  if (observed.arrivals.size !== TAGS)
    throw new Error(`${observed.arrivals.size} of ${TAGS} tags arrived over MQTT`);
  if (observed.frames < frames)
    throw new Error(`the gateway decoded ${observed.frames} of ${frames} frames written`);
  // Least-squares slope of the samples, MB per minute: one 1 MB step of the old generation reads as a
  // trend when only the end points are compared.
  const meanX = (rss.length - 1) / 2;
  const meanY = rss.reduce((sum, value) => sum + value, 0) / rss.length;
  let covariance = 0;
  let variance = 0;
  rss.forEach((value, index) => {
    covariance += (index - meanX) * (value - meanY);
    variance += (index - meanX) ** 2;
  });
  const slope = variance > 0 ? covariance / variance / (SAMPLE_MS / 60_000) : 0;
  console.log(
    `gateway load: ${frames} reads in ${seconds.toFixed(1)} s (${(frames / seconds).toFixed(0)}/s, backlog ${device.backlogFrames}), ` +
      `${((total.ns - first.ns) / 1e6 / seconds).toFixed(1)} ms of CPU per s overall ` +
      `(${((total.tickNs - first.tickNs) / 1e6 / seconds).toFixed(1)} by ticks); ` +
      `µs per read in 10 s intervals after ${CPU_SKIP_MS / 1000} s: ${perRead.map((value) => value.toFixed(0)).join(' ')}; ` +
      `its last metrics under load: event loop ${loopUnderLoad}`,
  );
  console.log(
    `gateway rss every ${SAMPLE_MS / 1000} s at ${RATE} reads/s of ${TAGS} tags (MB): ${rss.map((value) => value.toFixed(1)).join(' ')}; ` +
      `range ${Math.min(...rss).toFixed(1)}-${Math.max(...rss).toFixed(1)}, slope ${slope >= 0 ? '+' : ''}${slope.toFixed(2)} MB/min; VmHWM ${mb(statusKb(rig.pid, 'VmHWM')).toFixed(1)} MB; ` +
      `now ${mb(statusKb(rig.pid, 'RssAnon')).toFixed(1)} MB anonymous (heap, malloc, stacks), ` +
      `${mb(statusKb(rig.pid, 'RssFile')).toFixed(1)} MB file pages (the node binary, shared libraries)`,
  );
  report('gateway.rssMB', Number((rss.at(-1) ?? Number.NaN).toFixed(1)), 'MB');
  report('gateway.cpuPerRead', Number(median(perRead).toFixed(1)), 'us');
}

export async function run(report: Report): Promise<void> {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  // Ctrl-C of `npm run bench` must not leave the broker, socat or the gateway behind.
  const interrupted = (): void => {
    for (const step of [...cleanup].reverse()) {
      try {
        void step();
      } catch {
        // Best effort on the way out.
      }
    }
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const broker = await startMosquitto({ scope: 'manual' });
    cleanup.push(() => broker.dispose());
    const pair = await createPtyPair();
    cleanup.push(() => pair.close());
    const dir = mkdtempSync(join(tmpdir(), 'rfid-bench-gateway-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));

    const device = new PtyDevice(pair.fdA(), thingmagicDriver.createSimulator(), TICK_MS);
    device.start();
    cleanup.push(() => device.stop());
    const observed: Observed = { arrivals: new Set(), frames: 0, metricsMessages: 0, loop: '' };
    const subscriber = await subscribe(broker.url, observed);
    cleanup.push(() => subscriber.endAsync(true));

    const configFile = join(dir, 'gateway.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        gatewayId: GATEWAY_ID,
        dataDir: join(dir, 'data'),
        output: { stdout: false },
        mqtt: { url: broker.url, metricsIntervalMs: 1000 },
        readers: [{ id: READER_ID, driver: 'thingmagic', port: pair.b }],
      }),
    );
    const { child, log } = spawnGateway(CLI, configFile, NODE_ARGS);
    const rig: Rig = { gateway: child, pid: child.pid as number, log, device, observed };
    // Runs before the device stops, so that the gateway's shutdown sequence gets its answers.
    cleanup.push(() => stopGateway(rig.gateway, 'gateway'));
    if (NODE_ARGS.length > 0 || process.env.GATEWAY_BENCH_CLI)
      console.log(`gateway: node ${[...NODE_ARGS, CLI].join(' ')}`);

    const startedAt = performance.now();
    const ready = () => device.reading && observed.metricsMessages > 0;
    if (!(await hold(rig, START_TIMEOUT_MS, ready)))
      throw new Error(
        `the gateway did not start the reader and publish within ${START_TIMEOUT_MS} ms:\n${log()}`,
      );
    console.log(
      `gateway: reader started and broker connected in ${(performance.now() - startedAt).toFixed(0)} ms, ` +
        `RSS ${mb(statusKb(rig.pid, 'VmRSS')).toFixed(1)} MB`,
    );
    await idlePhase(rig, report);
    await loadPhase(rig, report);
  } finally {
    for (const step of cleanup.reverse()) {
      try {
        await step();
      } catch (error) {
        console.log(`gateway cleanup: ${(error as Error).message}`);
      }
    }
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}
