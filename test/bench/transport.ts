/**
 * transport.captureRead: µs per line of `readCapture` over a synthetic one-hour capture (720k lines
 * of a real M6e frame, 200 frames/s); transport.replay.realtimeFactor: how many times faster than
 * real time a ReplayTransport plays that hour on a VirtualClock driven from timer to timer (the
 * gateway's whole replay must stay >= 1,000x, so this part should leave most of that budget).
 *
 * transport.cpuPerRead: CPU (user + system, all threads) per received frame of the gateway's serial
 * read path, on a socat pty fed 1,000 real M6e tag frames/s; transport.cpuPerRead.vsSerialport: the
 * same against a plain `serialport` 'data' reader of an identical stream, measured side by side in
 * the same round. Each reader runs in its own child process, so that only its own CPU is counted;
 * a third child writes. Median of 3 rounds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { silentLogger } from '../../src/observability/logger.js';
import { systemClock, VirtualClock } from '../../src/shared/clock.js';
import { readCapture } from '../../src/transport/capture-file.js';
import { createTransport } from '../../src/transport/create.js';
import { ReplayTransport } from '../../src/transport/replay.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { M6E_TAG_FRAME_T1 } from '../transport/fixtures.js';
import { median } from './median.js';

const CHILD_FLAG = '--transport-bench-child';
const FRAMES_PER_SECOND = 1000;
const WARMUP_MS = 700;
const MEASURE_MS = 5000;
const ROUNDS = 3;
const BAUD = 115200;

type ReaderKind = 'gateway' | 'serialport';

interface ReaderResult {
  kind: ReaderKind;
  frames: number;
  cpuUs: number;
}

/** Child: reads the pty with the given reader and prints its CPU per frame over the window. */
function readerChild(kind: ReaderKind, path: string): void {
  let bytes = 0;
  let started = false;
  let startBytes = 0;
  let startCpu = process.cpuUsage();
  const finish = (): void => {
    const cpu = process.cpuUsage(startCpu);
    const frames = (bytes - startBytes) / M6E_TAG_FRAME_T1.length;
    const result: ReaderResult = { kind, frames, cpuUs: cpu.user + cpu.system };
    process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
  };
  const onData = (chunk: Uint8Array): void => {
    bytes += chunk.length;
    if (started) return;
    started = true;
    setTimeout(() => {
      startBytes = bytes;
      startCpu = process.cpuUsage();
      setTimeout(finish, MEASURE_MS);
    }, WARMUP_MS);
  };
  if (kind === 'gateway') {
    const transport = createTransport(
      { port: path, baudRate: BAUD },
      { clock: systemClock, logger: silentLogger() },
    );
    transport.start({
      data: onData,
      status: (status) => {
        if (status.state === 'online') process.stdout.write('READY\n');
      },
    });
  } else {
    const port = new SerialPort({ path, baudRate: BAUD }, (error) => {
      if (error) throw error;
      process.stdout.write('READY\n');
    });
    port.on('data', onData);
  }
  setTimeout(() => {
    process.stderr.write(`${kind}: no data within 10 s\n`);
    process.exit(1);
  }, 10_000).unref();
}

/** Child: writes one frame per millisecond (on average) to every given pty, until killed. */
function writerChild(paths: string[]): void {
  const fds = paths.map((path) =>
    openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK),
  );
  const frame = M6E_TAG_FRAME_T1;
  const t0 = performance.now();
  let sent = 0;
  const tick = (): void => {
    const due = Math.floor(((performance.now() - t0) * FRAMES_PER_SECOND) / 1000);
    for (; sent < due; sent++) {
      for (const fd of fds) {
        try {
          writeSync(fd, frame);
        } catch {
          // A full pty buffer (reader behind): the frame is lost, the reader's count shows it.
        }
      }
    }
  };
  setInterval(tick, 1);
  process.on('SIGTERM', () => {
    for (const fd of fds) closeSync(fd);
    process.exit(0);
  });
}

function spawnChild(args: string[]): ChildProcess {
  const file = fileURLToPath(import.meta.url);
  return spawn(process.execPath, ['--import', 'tsx', file, CHILD_FLAG, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function lines(child: ChildProcess, onLine: (line: string) => void): void {
  let buffered = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    buffered += text;
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  });
}

async function round(): Promise<{ gateway: ReaderResult; serialport: ReaderResult }> {
  const pairs: PtyPair[] = [await createPtyPair(), await createPtyPair()];
  const [gatewayPair, serialportPair] = pairs as [PtyPair, PtyPair];
  const children: ChildProcess[] = [];
  try {
    const results = new Map<ReaderKind, ReaderResult>();
    let ready = 0;
    let writer: ChildProcess | undefined;
    const done = new Promise<void>((resolve, reject) => {
      for (const [kind, pair] of [
        ['gateway', gatewayPair],
        ['serialport', serialportPair],
      ] as const) {
        const reader = spawnChild(['reader', kind, pair.b]);
        children.push(reader);
        reader.on('exit', (code) => {
          if (code !== 0) reject(new Error(`${kind} reader exited with ${code}`));
        });
        lines(reader, (line) => {
          if (line === 'READY') {
            if (++ready === 2) {
              writer = spawnChild(['writer', gatewayPair.a, serialportPair.a]);
              children.push(writer);
            }
            return;
          }
          results.set(kind, JSON.parse(line) as ReaderResult);
          if (results.size === 2) resolve();
        });
      }
    });
    await done;
    return {
      gateway: results.get('gateway') as ReaderResult,
      serialport: results.get('serialport') as ReaderResult,
    };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((child) =>
        child.exitCode !== null || child.signalCode !== null
          ? Promise.resolve()
          : new Promise((resolve) => child.once('exit', resolve)),
      ),
    );
    for (const pair of pairs) await pair.close();
  }
}

const CAPTURE_LINES = 720_000;
const CAPTURE_MS = 3_600_000;

async function captureBench(report: (bench: string, value: number, unit: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rfid-bench-capture-'));
  try {
    const file = join(dir, 'hour.jsonl');
    const frame = Buffer.from(M6E_TAG_FRAME_T1).toString('hex');
    const lines = [
      '{"capture":"rfid-gateway","version":1,"startedAt":"2026-11-22T10:00:00.000Z","ports":[{"id":"shelf","driver":"thingmagic","baudRate":115200}]}',
    ];
    const step = CAPTURE_MS / CAPTURE_LINES;
    for (let i = 0; i < CAPTURE_LINES; i++) lines.push(`{"t":${i * step},"port":"shelf","rx":"${frame}"}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    lines.length = 0;

    const readUs: number[] = [];
    const factors: number[] = [];
    for (let index = 0; index < ROUNDS; index++) {
      let started = performance.now();
      let count = 0;
      for await (const _chunk of await readCapture(file)) count++;
      readUs.push(((performance.now() - started) * 1000) / count);

      started = performance.now();
      const clock = new VirtualClock(0);
      let played = 0;
      const replay = new ReplayTransport({ file, speed: 1 }, clock, silentLogger());
      replay.start({ data: () => void played++, status: () => {} });
      for (let next = clock.nextTimerAt(); next !== undefined; next = clock.nextTimerAt())
        clock.advanceTo(next);
      const elapsed = performance.now() - started;
      if (played !== CAPTURE_LINES || count !== CAPTURE_LINES)
        throw new Error(`read ${count}, played ${played}`);
      factors.push(CAPTURE_MS / elapsed);
      console.log(
        `capture round ${index + 1}: readCapture ${readUs.at(-1)?.toFixed(2)} µs/line, replay ${(CAPTURE_MS / elapsed).toFixed(0)}x real time`,
      );
    }
    report('transport.captureRead', Number(median(readUs).toFixed(2)), 'us');
    report('transport.replay.realtimeFactor', Math.round(median(factors)), 'x');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(report: (bench: string, value: number, unit: string) => void): Promise<void> {
  await captureBench(report);
  const perFrame: number[] = [];
  const ratios: number[] = [];
  for (let index = 0; index < ROUNDS; index++) {
    const { gateway, serialport } = await round();
    const gatewayUs = gateway.cpuUs / gateway.frames;
    const serialportUs = serialport.cpuUs / serialport.frames;
    perFrame.push(gatewayUs);
    ratios.push(gatewayUs / serialportUs);
    console.log(
      `transport round ${index + 1}: gateway read path ${gatewayUs.toFixed(1)} µs/frame (${gateway.frames} frames), ` +
        `plain serialport ${serialportUs.toFixed(1)} µs/frame (${serialport.frames} frames)`,
    );
  }
  report('transport.cpuPerRead', Number(median(perFrame).toFixed(1)), 'us');
  report('transport.cpuPerRead.vsSerialport', Number(median(ratios).toFixed(3)), 'x');
}

if (process.argv[2] === CHILD_FLAG) {
  const [role, ...rest] = process.argv.slice(3);
  if (role === 'reader') readerChild(rest[0] as ReaderKind, rest[1] as string);
  else writerChild(rest);
}
