/**
 * Does a console left open grow the gateway's memory?
 *
 * Two gateways play config/demo.json's fridge (its capture looping, SPEED times real time, no
 * broker), side by side: one with a page open the way the console keeps it (its event stream, and
 * `/api/now` fetched again after each burst of events), one with none. Every SAMPLE_MS, each one's
 * used V8 heap and resident set are read from its own `/metrics`; growth is the lowest heap of the
 * last third of the run minus the lowest of the first third after a warm-up (the lowest, so that
 * garbage not yet collected does not count).
 *
 * console.heapGrowthMB (.noPage beside it) and console.rssGrowthMB. The run is RUN_MS of wall time,
 * RUN_MS × SPEED of the store's: more than an hour of the demo's events through the open page.
 *
 * Needs `npm run build` first.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/mosquitto.js';
import { spawnGateway, stopGateway } from './gateway-process.js';

type Report = (bench: string, value: number, unit: string) => void;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const CAPTURE = join(ROOT, 'hardware/captures/fridge-demo.jsonl');
const SPEED = 25;
const RUN_MS = 180_000;
const WARM_UP_MS = 20_000;
const SAMPLE_MS = 5_000;
/** The page fetches its state again this long after the first event of a burst (web/main.ts). */
const REFRESH_AFTER_MS = 200;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function demoGateway(dir: string, name: string, port: number) {
  type Device = { replay: object };
  const demo = JSON.parse(readFileSync(join(ROOT, 'config/demo.json'), 'utf8')) as Record<string, unknown> & {
    readers: Device[];
    sensors: Device[];
  };
  const { mqtt: _mqtt, ...rest } = demo;
  const faster = (device: Device) => ({
    ...device,
    port: `replay:${CAPTURE}`,
    replay: { ...device.replay, speed: SPEED },
  });
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      ...rest,
      gatewayId: name,
      dataDir: join(dir, name),
      logLevel: 'warn',
      output: { stdout: false },
      catalogFile: join(ROOT, 'config/demo-catalog.csv'),
      http: { host: '127.0.0.1', port },
      readers: demo.readers.map(faster),
      sensors: demo.sensors.map(faster),
    }),
  );
  return spawnGateway(CLI, file);
}

async function listening(url: string, gateway: ReturnType<typeof spawnGateway>): Promise<void> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (
      await fetchText(`${url}/healthz`).then(
        () => true,
        () => false,
      )
    )
      return;
    await pause(100);
  }
  throw new Error(`the console never listened at ${url}:\n${gateway.log()}`);
}

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

async function memory(url: string): Promise<{ heap: number; rss: number }> {
  const text = await fetchText(`${url}/metrics`);
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { heap: value('nodejs_heap_size_used_bytes'), rss: value('process_resident_memory_bytes') };
}

/** A page as web/main.ts keeps it: the stream, and the state fetched again after each burst. */
async function openPage(url: string): Promise<{ events: () => number; close: () => void }> {
  let events = 0;
  let pending: NodeJS.Timeout | undefined;
  const stream = await new Promise<IncomingMessage>((resolve, reject) => {
    get(`${url}/api/events`, resolve).on('error', reject);
  });
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const count = chunk.split('\ndata: ').length - 1 + (chunk.startsWith('data: ') ? 1 : 0);
    if (count === 0) return;
    events += count;
    pending ??= setTimeout(() => {
      pending = undefined;
      void fetchText(`${url}/api/now`).catch(() => undefined);
    }, REFRESH_AFTER_MS);
  });
  return {
    events: () => events,
    close: () => {
      if (pending) clearTimeout(pending);
      stream.destroy();
    },
  };
}

const lowest = (values: number[]) => Math.min(...values);

export async function run(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rfid-bench-console-memory-'));
  const ports = [await freePort(), await freePort()] as const;
  const watched = demoGateway(dir, 'watched', ports[0]);
  const alone = demoGateway(dir, 'alone', ports[1]);
  const [watchedUrl, aloneUrl] = ports.map((port) => `http://127.0.0.1:${port}`) as [string, string];
  try {
    await Promise.all([listening(watchedUrl, watched), listening(aloneUrl, alone)]);
    const page = await openPage(watchedUrl);
    const samples: Array<{
      at: number;
      watched: { heap: number; rss: number };
      alone: { heap: number; rss: number };
    }> = [];
    const started = performance.now();
    while (performance.now() - started < RUN_MS) {
      await pause(SAMPLE_MS);
      for (const gateway of [watched, alone]) {
        const { child } = gateway;
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`a gateway exited (${child.exitCode ?? child.signalCode}):\n${gateway.log()}`);
      }
      samples.push({
        at: performance.now() - started,
        watched: await memory(watchedUrl),
        alone: await memory(aloneUrl),
      });
    }
    page.close();
    const settled = samples.filter((sample) => sample.at >= WARM_UP_MS);
    const third = Math.max(1, Math.floor(settled.length / 3));
    const growth = (pick: (sample: (typeof samples)[number]) => number) =>
      (lowest(settled.slice(-third).map(pick)) - lowest(settled.slice(0, third).map(pick))) / 2 ** 20;
    const storeMinutes = (RUN_MS * SPEED) / 60_000;
    console.log(
      `console memory: ${page.events()} events streamed to one open page over ${storeMinutes} min of the demo ` +
        `(${SPEED}× real time, ${RUN_MS / 1000} s); heap MB open page ${settled
          .map((sample) => (sample.watched.heap / 2 ** 20).toFixed(1))
          .join(
            ' ',
          )}; no page ${settled.map((sample) => (sample.alone.heap / 2 ** 20).toFixed(1)).join(' ')}`,
    );
    report('console.heapGrowthMB', Number(growth((sample) => sample.watched.heap).toFixed(2)), 'MB');
    report('console.heapGrowthMB.noPage', Number(growth((sample) => sample.alone.heap).toFixed(2)), 'MB');
    report('console.rssGrowthMB', Number(growth((sample) => sample.watched.rss).toFixed(2)), 'MB');
    report('console.rssGrowthMB.noPage', Number(growth((sample) => sample.alone.rss).toFixed(2)), 'MB');
  } finally {
    await stopGateway(watched.child, 'console memory (watched)');
    await stopGateway(alone.child, 'console memory (alone)');
  }
}
