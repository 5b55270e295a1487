/**
 * The store console's costs.
 *
 * console.pageKB: what the first load of the console transfers, compressed (the page, its script and
 * its stylesheet, gzip as the gateway serves them), in kB.
 * console.chartsKB: what the Engagement page loads besides, when it draws its first chart (the chart
 * library's chunk), compressed, in kB.
 * console.idleCpuMsPerS: gateway CPU (user + system, all threads, from /proc/<pid>/task/*\/schedstat)
 * per second of wall time, idle (a quiet `lines` device on a pty, no broker), with one page's event
 * stream open; beside it, in the same 5 s windows, the same gateway with no page open; medians of 4.
 * Both should be alike: an open page costs a keep-alive line every 25 s.
 *
 * Needs `npm run build` first.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSET_FILES, CHUNK_DIR, loadAssets } from '../../src/integrations/http/console/assets.js';
import { createPtyPair } from '../helpers/pty.js';
import { spawnGateway, stopGateway } from './gateway-process.js';
import { median } from './median.js';

type Report = (bench: string, value: number, unit: string) => void;

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const WINDOW_MS = 5_000;
const WINDOWS = 4;
const SETTLE_MS = 5_000;

function cpuNs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that exited between the listing and the read.
    }
  }
  return ns;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function consoleUrl(log: () => string): Promise<string> {
  for (let waited = 0; waited < 20_000; waited += 50) {
    const line = log()
      .split('\n')
      .find((entry) => entry.includes('http: serving the console'));
    if (line) return (JSON.parse(line) as { url: string }).url;
    await pause(50);
  }
  throw new Error(`the console never said where it listens:\n${log()}`);
}

async function idleGateway(dir: string, name: string) {
  const pty = await createPtyPair();
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      gatewayId: name,
      dataDir: join(dir, name),
      logLevel: 'info',
      output: { stdout: false },
      http: { host: '127.0.0.1', port: 0 },
      sensors: [{ id: 'io', driver: 'lines', port: pty.b }],
    }),
  );
  const gateway = spawnGateway(CLI, file);
  const url = await consoleUrl(gateway.log);
  return { gateway, url, pty };
}

export async function run(report: Report): Promise<void> {
  const assets = loadAssets();
  const first = [...assets].filter(([name]) => (ASSET_FILES as readonly string[]).includes(name));
  if (first.length !== ASSET_FILES.length) throw new Error('the console is not built: run npm run build');
  const later = [...assets].filter(([name]) => name.startsWith(`${CHUNK_DIR}/`));
  const kB = (files: typeof first) =>
    Number((files.reduce((sum, [, asset]) => sum + asset.gzipped.length, 0) / 1024).toFixed(1));
  const sizes = (files: typeof first) =>
    files.map(([name, asset]) => `${name} ${asset.gzipped.length} B`).join(', ');
  console.log(`console first load: ${sizes(first)} (gzip); loaded later: ${sizes(later) || 'nothing'}`);
  report('console.pageKB', kB(first), 'kB');
  report('console.chartsKB', kB(later), 'kB');

  const dir = mkdtempSync(join(tmpdir(), 'rfid-bench-console-'));
  const watched = await idleGateway(dir, 'watched');
  const alone = await idleGateway(dir, 'alone');
  // One page's event stream, held open for the whole run.
  const stream = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    get(`${watched.url}/api/events`, resolve).on('error', reject);
  });
  stream.resume();
  try {
    await pause(SETTLE_MS);
    const open: number[] = [];
    const none: number[] = [];
    for (let window = 0; window < WINDOWS; window++) {
      const started = performance.now();
      const before = [cpuNs(watched.gateway.child.pid as number), cpuNs(alone.gateway.child.pid as number)];
      await pause(WINDOW_MS);
      const seconds = (performance.now() - started) / 1000;
      open.push((cpuNs(watched.gateway.child.pid as number) - (before[0] as number)) / 1e6 / seconds);
      none.push((cpuNs(alone.gateway.child.pid as number) - (before[1] as number)) / 1e6 / seconds);
    }
    console.log(
      `console idle: one page open ${open.map((value) => value.toFixed(2)).join(' / ')} ms/s, ` +
        `no page ${none.map((value) => value.toFixed(2)).join(' / ')} ms/s (the same ${WINDOW_MS / 1000} s windows, side by side)`,
    );
    report('console.idleCpuMsPerS', Number(median(open).toFixed(2)), 'ms/s');
    report('console.idleCpuMsPerS.noPage', Number(median(none).toFixed(2)), 'ms/s');
  } finally {
    stream.destroy();
    await stopGateway(watched.gateway.child, 'console (watched)');
    await stopGateway(alone.gateway.child, 'console (alone)');
    await watched.pty.close();
    await alone.pty.close();
  }
}
