/**
 * Test helpers for the outbox: synthetic events, temporary directories, a captured logger, and the
 * programs run in child processes (a writer killed with SIGKILL, an opener run as another user).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { type Logger, silentLogger } from '../../../src/observability/logger.js';
import { systemClock } from '../../../src/shared/clock.js';
import type { GatewayEvent } from '../../../src/shared/events.js';
import { SqliteOutbox } from '../../../src/store/sqlite-outbox.js';
import type { Outbox } from '../../../src/store/types.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TESTKIT = fileURLToPath(import.meta.url);

export function tempDir(prefix = 'outbox-'): { path: string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * An event of any type with a realistic envelope. Types outside `EventBody` (purchases and alarms
 * are not in `src/shared/events.ts` yet) are built with the fields the domain is expected to send.
 */
export function makeEvent(seq: number, type: string, ts = '2026-11-22T10:00:01.250Z'): GatewayEvent {
  const envelope = { id: randomUUID(), seq, ts, gateway: 'gw1' };
  if (type.startsWith('tag.')) {
    // tag.departed/tag.present carry dwellMs; one shape for all tag.* keeps the payload size steady.
    return {
      ...envelope,
      type,
      zone: 'fridge',
      reader: 'fridge',
      antenna: 1,
      rssi: -52,
      tag: '3074257BF7194E4000001A85',
      reads: 3,
      epc: {
        scheme: 'sgtin-96',
        uri: 'urn:epc:id:sgtin:0614141.812345.6789',
        gtin: '80614141123458',
        serial: '6789',
      },
      dwellMs: 1200,
    } as GatewayEvent;
  }
  if (type === 'sensor.changed') {
    return { ...envelope, type, sensor: 'io', channel: 'door', value: 'open', zone: 'fridge' };
  }
  if (type === 'reader.status') return { ...envelope, type, reader: 'fridge', state: 'online' };
  // purchase.*, security.alarm, inventory.snapshot: not in EventBody, hence the cast.
  return {
    ...envelope,
    type,
    session: 'b7e1c0de',
    zone: 'fridge',
    items: [{ tag: '3074257BF7194E4000001A85', gtin: '80614141123458', price: 2.5 }],
    total: 2.5,
  } as unknown as GatewayEvent;
}

/** Appends one event per type, each with the seq the outbox hands out; returns them in order. */
export function appendEvents(outbox: Outbox, types: readonly string[]): GatewayEvent[] {
  return types.map((type) => {
    const event = makeEvent(outbox.nextSeq(), type);
    outbox.append(event);
    return event;
  });
}

/** A logger whose JSON lines are kept in `lines`, for asserting on what was logged. */
export function captureLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

/** Child program: commits batches forever, printing each committed last seq, until killed. */
export function runCrashWriter(path: string): void {
  const outbox = SqliteOutbox.open({ path, clock: systemClock, logger: silentLogger() });
  const types = ['tag.arrived', 'tag.departed', 'sensor.changed', 'purchase.completed'];
  for (let batch = 0; ; batch++) {
    appendEvents(
      outbox,
      Array.from({ length: 50 }, (_, index) => types[(batch + index) % types.length] as string),
    );
    outbox.commit();
    writeSync(1, `${outbox.stats().lastSeq}\n`);
  }
}

/** Starts `runCrashWriter` in a child process (node --import tsx). */
export function spawnCrashWriter(path: string) {
  return spawn(process.execPath, ['--import', 'tsx', '-e', childProgram('runCrashWriter'), path], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Child program: opens the outbox and prints what happened as JSON. */
export function runOpener(path: string): void {
  try {
    SqliteOutbox.open({ path, clock: systemClock, logger: silentLogger() }).close();
    writeSync(1, JSON.stringify({ opened: true }));
  } catch (error) {
    const { name, message } = error as Error;
    writeSync(1, JSON.stringify({ opened: false, name, message }));
  }
}

/**
 * Under root, file modes are not enforced (CAP_DAC_OVERRIDE). The child stays root, so it can read
 * the repository wherever it was cloned, but runs without the capabilities that bypass file modes
 * (`setpriv`, util-linux), so that a read-only file is read-only for it.
 */
const WITHOUT_DAC_BYPASS = ['--bounding-set', '-dac_override,-dac_read_search,-fowner', '--'];

/** Opens the outbox in a child process for which file permissions apply, even when tests run as root. */
export function openUnprivileged(path: string): { opened: boolean; name?: string; message?: string } {
  const nodeArgs = ['--import', 'tsx', '-e', childProgram('runOpener'), path];
  const asRoot = process.getuid?.() === 0;
  const child = spawnSync(
    asRoot ? 'setpriv' : process.execPath,
    asRoot ? [...WITHOUT_DAC_BYPASS, process.execPath, ...nodeArgs] : nodeArgs,
    { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, TSX_DISABLE_CACHE: '1' } },
  );
  if (child.error)
    throw new Error(
      `cannot run the opener (setpriv from util-linux is needed under root): ${child.error.message}`,
    );
  if (child.status !== 0) throw new Error(`opener failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout) as { opened: boolean; name?: string; message?: string };
}

function childProgram(entry: 'runCrashWriter' | 'runOpener'): string {
  return `import(${JSON.stringify(TESTKIT)}).then((kit) => kit.${entry}(process.argv[1]))`;
}
