/**
 * fleet.gatewaysPerBroker: how many gateways one local Mosquitto takes, measured. One broker started
 * here; N simulated gateways, each on the gateway's real publishing path (its own SqliteOutbox file,
 * its own MQTT client `gw-<i>`, its own OutboxPublisher: durable outbox, QoS 1, window 64, PUBACK
 * deletes) appending RATE events/s to `rfid/gw-<i>/events/...`, with its retained online status and
 * a retained metrics payload every 10 s; one consumer subscribed to `rfid/+/events/#` (QoS 1).
 *
 * N steps up; each step (WARMUP_MS, then WINDOW_MS measured) passes when every event appended in the
 * window reaches the consumer within GRACE_MS after it, once, in seq order per gateway, and the p99
 * latency (append → consumer) stays under P99_LIMIT_MS. The figure is the largest passing N.
 *
 * The gateways and the consumer all run in this Node process: the publishing side's CPU is this
 * process's (one main thread), not the broker's. Broker and process CPU are printed per step (medians
 * of 5 s samples) so that the note says which side saturated first.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { connect } from 'mqtt';
import { z } from 'zod';
import { createMqttClient, type GatewayMqttClient } from '../../src/mqtt/client.js';
import { OutboxPublisher } from '../../src/mqtt/publisher.js';
import { silentLogger } from '../../src/observability/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { SqliteOutbox } from '../../src/store/sqlite-outbox.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { makeEvent } from '../kits/store/store.js';
import { median } from './median.js';

type Report = (bench: string, value: number, unit: string) => void;

/**
 * Events/s per gateway: a busy fridge or exit door all day (a restock, or a door session every few
 * seconds, is a burst of tag.arrived/departed and sensor.changed); an average store emits far less.
 */
const RATE = 5;
const STEPS = [25, 50, 100, 200, 400, 800, 1600, 3200];
const WARMUP_MS = 5_000;
const WINDOW_MS = 20_000;
const SAMPLE_MS = 5_000;
const GRACE_MS = 5_000;
const P99_LIMIT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 30_000;
const METRICS_INTERVAL_MS = 10_000;
const TICK_MS = 20;
/** A step whose offered load fell below this share of N × RATE measured this process, not the broker. */
const MIN_OFFERED = 0.99;
const MAX_APPEND_LAG_MS = 1_000;
/** Stepping stops before a step that could end past this (the whole bench stays under ~4 minutes). */
const BUDGET_MS = 215_000;
const TYPES = ['tag.arrived', 'tag.departed', 'tag.arrived', 'sensor.changed', 'tag.departed'];

const Received = z.object({ id: z.string(), seq: z.number().int(), gateway: z.string() });

interface Pending {
  id: string;
  at: number;
  /** Appended inside the measured window of the current step. */
  counted: boolean;
}

interface SimGateway {
  id: string;
  outbox: SqliteOutbox;
  client: GatewayMqttClient;
  publisher: OutboxPublisher;
  pending: Map<number, Pending>;
  lastSeen: number;
  /** When its first event is due (a random phase), and how many it has appended. */
  firstDueAt: number;
  count: number;
  metrics: NodeJS.Timeout;
}

interface Window {
  appended: number;
  delivered: number;
  latencies: number[];
  /** How late this process appended each event after it was due (its own lag, not the broker's). */
  appendLags: number[];
}

interface CpuSample {
  broker: number;
  process: number;
  machine: number;
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** The fields after `(comm)` of /proc/<pid>/stat: [state, ppid, …]; comm may hold spaces. */
function statFields(pid: string): { comm: string; rest: string[] } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    return { comm: text.slice(text.indexOf('(') + 1, close), rest: text.slice(close + 2).split(' ') };
  } catch {
    return undefined;
  }
}

/** The broker helper does not expose its pid: the one mosquitto child of this process is it. */
function brokerPid(): string {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const fields = statFields(pid);
    if (fields?.comm === 'mosquitto' && fields.rest[1] === String(process.pid)) return pid;
  }
  throw new Error('no mosquitto child process found in /proc');
}

/** CPU seconds used so far: the broker (utime + stime), this process, the machine's busy time. */
function cpuNow(pid: string): CpuSample {
  const rest = statFields(pid)?.rest ?? [];
  const broker = (Number(rest[11]) + Number(rest[12])) / CLOCK_TICKS;
  const usage = process.cpuUsage();
  const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/).slice(1).map(Number);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  const total = cpu.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { broker, process: (usage.user + usage.system) / 1e6, machine: (total - idle) / CLOCK_TICKS };
}

/** Percent of one core between two samples `ms` apart (the machine's: of all its cores together, x2). */
function cpuPercent(from: CpuSample, to: CpuSample, ms: number): CpuSample {
  const percent = (a: number, b: number): number => ((b - a) / (ms / 1000)) * 100;
  return {
    broker: percent(from.broker, to.broker),
    process: percent(from.process, to.process),
    machine: percent(from.machine, to.machine),
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function run(report: Report): Promise<void> {
  // Unlimited queue: a consumer that falls behind shows as latency, never as a message the broker drops.
  const broker = await startMosquitto({ scope: 'manual', maxQueuedMessages: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
  const logger = silentLogger();
  const gateways: SimGateway[] = [];
  const byId = new Map<string, SimGateway>();
  let measuring: Window | undefined;
  let counting = false;
  /** Problems that are not capacity, seen at any time (warm-ups included): each fails the step and says so. */
  const seenFaults: string[] = [];
  const consumer = connect(broker.url, { clientId: 'fleet-consumer', clean: true, reconnectPeriod: 0 });
  let consumerDrops = 0;
  consumer.on('close', () => consumerDrops++);

  consumer.on('message', (topic, payload) => {
    const now = performance.now();
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      json = undefined;
    }
    const parsed = Received.safeParse(json);
    const note = (fault: string): void => {
      if (seenFaults.length < 10) seenFaults.push(fault);
    };
    if (!parsed.success) return note(`unreadable event on ${topic}: ${parsed.error.message}`);
    const event = parsed.data;
    const gateway = byId.get(event.gateway);
    if (gateway === undefined || topic.split('/')[1] !== event.gateway)
      return note(`event of ${event.gateway} on ${topic}`);
    if (event.seq <= gateway.lastSeen) return note(`${event.gateway} seq ${event.seq} again (duplicate)`);
    if (event.seq !== gateway.lastSeen + 1)
      note(`${event.gateway} seq ${event.seq} after ${gateway.lastSeen} (gap or reordering)`);
    gateway.lastSeen = event.seq;
    const pending = gateway.pending.get(event.seq);
    if (pending === undefined) return note(`${event.gateway} seq ${event.seq} never appended`);
    gateway.pending.delete(event.seq);
    if (pending.id !== event.id) note(`${event.gateway} seq ${event.seq} arrived with another id`);
    if (pending.counted && measuring !== undefined) {
      measuring.delivered++;
      measuring.latencies.push(now - pending.at);
    }
  });
  await new Promise<void>((resolve, reject) => {
    consumer.once('connect', () =>
      consumer.subscribe('rfid/+/events/#', { qos: 1 }, (error) => (error ? reject(error) : resolve())),
    );
    consumer.once('error', reject);
  });

  const append = (gateway: SimGateway, dueAt: number): void => {
    const seq = gateway.outbox.nextSeq();
    const event = makeEvent(
      seq,
      TYPES[gateway.count++ % TYPES.length] as string,
      new Date(systemClock.now()).toISOString(),
    );
    event.gateway = gateway.id;
    gateway.outbox.append(event);
    // One commit per event: at a few events/s a gateway's core commits each on its own tick.
    gateway.outbox.commit();
    const at = performance.now();
    gateway.pending.set(seq, { id: event.id, at, counted: counting });
    if (counting && measuring !== undefined) {
      measuring.appended++;
      measuring.appendLags.push(at - dueAt);
    }
    gateway.publisher.notify();
  };

  const addGateway = (index: number): { gateway: SimGateway; connected: Promise<void> } => {
    const id = `gw-${index}`;
    const outbox = SqliteOutbox.open({ path: join(dir, `${id}.sqlite`), clock: systemClock, logger });
    const client = createMqttClient({ url: broker.url, gatewayId: id }, logger);
    const publisher = new OutboxPublisher({ outbox, client, logger });
    // A random phase: the fleet's events spread over the second as real stores' would.
    const firstDueAt = performance.now() + Math.random() * (1000 / RATE);
    const metrics = setInterval(
      () =>
        publisher.publishRetained(client.topics.metrics, { ts: systemClock.now(), events: gateway.count }),
      METRICS_INTERVAL_MS,
    );
    const gateway: SimGateway = {
      id,
      outbox,
      client,
      publisher,
      pending: new Map(),
      lastSeen: 0,
      firstDueAt,
      count: 0,
      metrics,
    };
    const connected = new Promise<void>((resolve) => client.onConnect(resolve));
    publisher.start();
    gateways.push(gateway);
    byId.set(id, gateway);
    return { gateway, connected };
  };

  // One ticker appends what each gateway owes by now: a late tick catches up, so the offered rate
  // holds while this process keeps up, and its lag shows as append lag, not as a lower rate.
  const ticker = setInterval(() => {
    const now = performance.now();
    for (const gateway of gateways) {
      const interval = 1000 / RATE;
      for (;;) {
        const dueAt = gateway.firstDueAt + gateway.count * interval;
        if (dueAt > now) break;
        append(gateway, dueAt);
      }
    }
  }, TICK_MS);

  const pid = brokerPid();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const started = performance.now();
  let best: { n: number; eventsPerSecond: number; p99: number; broker: number } | undefined;
  let nonCapacity: string | undefined;
  let stoppedBy = 'the time budget or the last step';
  try {
    for (const n of STEPS) {
      const stepCost = WARMUP_MS + WINDOW_MS + GRACE_MS + 2_000;
      if (performance.now() - started + stepCost > BUDGET_MS) {
        console.log(`fleet: time budget used; stepping stopped before ${n} gateways`);
        break;
      }
      const connects: Array<Promise<void>> = [];
      for (let index = gateways.length; index < n; index++) connects.push(addGateway(index).connected);
      const timeout = sleep(CONNECT_TIMEOUT_MS).then(() => 'timeout' as const);
      if ((await Promise.race([Promise.all(connects), timeout])) === 'timeout') {
        const up = gateways.filter((gateway) => gateway.client.connected).length;
        nonCapacity = `${n} gateways: only ${up} connected within ${CONNECT_TIMEOUT_MS} ms`;
        console.log(`fleet step ${n}: FAILED (connections, not throughput): ${nonCapacity}`);
        break;
      }
      await sleep(WARMUP_MS);
      const dropsBefore = gateways.reduce((sum, gateway) => sum + gateway.client.stats().disconnects, 0);
      measuring = { appended: 0, delivered: 0, latencies: [], appendLags: [] };
      counting = true;
      loopDelay.reset();
      const eluStart = performance.eventLoopUtilization();
      const samples: CpuSample[] = [];
      let last = cpuNow(pid);
      let lastAt = performance.now();
      for (let elapsed = 0; elapsed < WINDOW_MS; elapsed += SAMPLE_MS) {
        await sleep(SAMPLE_MS);
        const now = cpuNow(pid);
        const at = performance.now();
        samples.push(cpuPercent(last, now, at - lastAt));
        last = now;
        lastAt = at;
      }
      counting = false;
      const loopP99 = loopDelay.percentile(99) / 1e6;
      const elu = performance.eventLoopUtilization(eluStart).utilization;
      const graceEnd = performance.now() + GRACE_MS;
      while (measuring.delivered < measuring.appended && performance.now() < graceEnd) await sleep(50);
      const measured = measuring;
      const drops =
        gateways.reduce((sum, gateway) => sum + gateway.client.stats().disconnects, 0) - dropsBefore;
      const sorted = [...measured.latencies].sort((a, b) => a - b);
      const p50 = percentile(sorted, 50);
      const p99 = percentile(sorted, 99);
      const cpu = {
        broker: median(samples.map((sample) => sample.broker)),
        process: median(samples.map((sample) => sample.process)),
        machine: median(samples.map((sample) => sample.machine)),
      };
      const eventsPerSecond = measured.appended / (WINDOW_MS / 1000);
      const missing = measured.appended - measured.delivered;
      const faults = [...seenFaults];
      if (drops > 0) faults.push(`${drops} gateway connection(s) dropped during the window`);
      if (consumerDrops > 0) faults.push('the consumer lost its connection');
      const capacity: string[] = [];
      if (missing > 0) capacity.push(`${missing} events of the window not delivered ${GRACE_MS} ms after it`);
      if (!(p99 < P99_LIMIT_MS)) capacity.push(`p99 ${p99.toFixed(0)} ms ≥ ${P99_LIMIT_MS} ms`);
      const lags = [...measured.appendLags].sort((a, b) => a - b);
      const lagP99 = percentile(lags, 99);
      const offered = measured.appended / (n * RATE * (WINDOW_MS / 1000));
      // Not the broker's capacity but the simulator's: it could not append at the stated rate.
      const simulator: string[] = [];
      if (offered < MIN_OFFERED)
        simulator.push(`only ${(offered * 100).toFixed(1)}% of ${n * RATE} events/s appended`);
      if (!(lagP99 < MAX_APPEND_LAG_MS))
        simulator.push(`events appended ${lagP99.toFixed(0)} ms late (p99) by this process`);
      const range = (pick: (sample: CpuSample) => number): string =>
        `${Math.round(Math.min(...samples.map(pick)))}-${Math.round(Math.max(...samples.map(pick)))}`;
      console.log(
        `fleet step ${n} gateways × ${RATE}/s: ${measured.appended} events in ${WINDOW_MS / 1000} s ` +
          `(${eventsPerSecond.toFixed(0)}/s), ${missing} undelivered, latency p50 ${p50.toFixed(1)} / p99 ` +
          `${p99.toFixed(1)} / max ${(sorted.at(-1) ?? Number.NaN).toFixed(1)} ms; CPU (median of ` +
          `${samples.length} × 5 s, % of one core) broker ${cpu.broker.toFixed(0)} (${range((s) => s.broker)}), ` +
          `this process ${cpu.process.toFixed(0)} (${range((s) => s.process)}), machine ${cpu.machine.toFixed(0)}/200; ` +
          `main-thread utilisation ${(elu * 100).toFixed(0)}%, event-loop delay p99 ${loopP99.toFixed(1)} ms, ` +
          `append lag p99 ${lagP99.toFixed(1)} ms`,
      );
      if (faults.length > 0) {
        nonCapacity = `${n} gateways: ${faults.join('; ')}`;
        console.log(`fleet step ${n}: FAILED for a reason other than capacity: ${faults.join('; ')}`);
        console.log(`fleet: broker log tail:\n${broker.logs().slice(-2_000)}`);
        break;
      }
      if (capacity.length > 0 || simulator.length > 0) {
        const side =
          elu >= 0.9
            ? `this process's main thread (the simulated gateways and the consumer) was saturated (${(elu * 100).toFixed(0)}%)`
            : cpu.broker >= 90
              ? 'the broker was saturated'
              : cpu.machine >= 180
                ? "the machine's two cores were saturated (other work included)"
                : 'neither side at a full core';
        const what = [...simulator, ...capacity].join('; ');
        const bound =
          cpu.broker >= 90
            ? "the broker's capacity"
            : simulator.length > 0 || elu >= 0.9
              ? 'the simulating process, not the broker'
              : cpu.machine >= 180
                ? "the shared machine's cores (other work), not the broker"
                : 'neither side at a full core (see the latencies)';
        console.log(`fleet step ${n}: did not pass (${what}); ${side}: ${bound}`);
        stoppedBy = bound;
        break;
      }
      console.log(`fleet step ${n}: pass`);
      best = { n, eventsPerSecond, p99, broker: cpu.broker };
      if (elu >= 0.9)
        console.log(
          `fleet: this process's main thread is at ${(elu * 100).toFixed(0)}%: the next steps measure it`,
        );
    }
  } finally {
    clearInterval(ticker);
    loopDelay.disable();
    for (const gateway of gateways) {
      clearInterval(gateway.metrics);
      gateway.publisher.stop();
    }
    await Promise.all(gateways.map((gateway) => gateway.client.close(1_000)));
    for (const gateway of gateways) gateway.outbox.close();
    consumer.end(true);
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  if (best === undefined) throw new Error(`no step passed${nonCapacity ? ` (${nonCapacity})` : ''}`);
  console.log(
    `fleet: ${best.n} gateways at ${RATE} events/s each passed, the broker at ${best.broker.toFixed(0)}% ` +
      `of one core; stepping stopped by: ${stoppedBy}. The gateways ran in this process, so unless the ` +
      'broker was the bound the figure is a lower bound for the broker (extrapolate from its CPU).',
  );
  report('fleet.gatewaysPerBroker', best.n, `gateways at ${RATE} events/s each`);
  report('fleet.eventsPerSecond', best.eventsPerSecond, 'events/s');
  report('fleet.p99LatencyMs', best.p99, 'ms');
  report('fleet.brokerCpuPercent', best.broker, '% of one core');
  if (nonCapacity !== undefined)
    throw new Error(`a step failed for a reason other than capacity: ${nonCapacity}`);
}
