import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CLI } from '../helpers/cli.js';

const DEMO = fileURLToPath(new URL('../../config/demo.json', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Bounds the wait for the exit, so that a process that never ends fails the test instead of hanging it. */
const EXIT_WAIT_MS = 15_000;

/**
 * config/demo.json as `npm start` runs it (the demo capture looped at real time, so it never ends
 * by itself), without its embedded broker (the test must not take port 1883) nor its console and with its state in a
 * temporary directory.
 */
function demoConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rfid-run-pipe-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const demo = JSON.parse(readFileSync(DEMO, 'utf8')) as Record<string, unknown> & {
    readers: Array<{ port: string }>;
    sensors: Array<{ port: string }>;
  };
  // Nor its console's port 9464, which another test may hold.
  const { mqtt: _mqtt, http: _http, ...rest } = demo;
  const absolute = (port: string) => port.replace('replay:../', `replay:${ROOT}`);
  const config = {
    ...rest,
    dataDir: join(dir, 'data'),
    catalogFile: join(ROOT, 'config', 'demo-catalog.csv'),
    readers: demo.readers.map((reader) => ({ ...reader, port: absolute(reader.port) })),
    sensors: demo.sensors.map((sensor) => ({ ...sensor, port: absolute(sensor.port) })),
  };
  const file = join(dir, 'demo.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

describe('rfid-gateway run | head', () => {
  it('stops in order and exits 0, without a stack trace, once the reader of its stdout has gone', async () => {
    const { JOURNAL_STREAM: _journal, ...env } = process.env;
    const child = spawn(process.execPath, [CLI, 'run', '--config', demoConfig()], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );

    // Like `head -5`: five event lines, then the read end of the pipe is closed.
    const lines: string[] = [];
    const reader = createInterface({ input: child.stdout });
    for await (const line of reader) {
      lines.push(line);
      if (lines.length === 5) break;
    }
    child.stdout.destroy();
    expect(lines.map((line) => (JSON.parse(line) as { type: string }).type)).toHaveLength(5);

    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`still running ${EXIT_WAIT_MS} ms after its stdout closed\n${stderr}`)),
          EXIT_WAIT_MS,
        );
      }),
    ]).finally(() => clearTimeout(timer));

    expect(outcome, stderr).toEqual({ code: 0, signal: null });
    const logs = stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string; signal?: string });
    // Stopped the way Ctrl-C stops it, and nothing worse than a warning on the way.
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'stopping', signal: 'stdout closed' }));
    expect(logs.at(-1)).toMatchObject({ msg: 'stopped' });
    expect(logs.filter((log) => log.level >= 50)).toEqual([]);
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
  });
});
