import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess } from '../helpers/cli.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';

/**
 * What the store-floor tests share: real socat pty pairs (test/helpers/pty.ts: a missing socat
 * fails, in CI and locally alike), the gateway as a child process (`node dist/cli/main.js`, built
 * by `npm test` before the tests run), a config in a temporary directory, and a tap that collects
 * every byte the gateway writes to a device, with the time each one arrived. Nothing is faked
 * between the test and the gateway: bytes cross real pseudo-terminals both ways.
 *
 * Waits are on bytes and events with generous deadlines, never fixed sleeps: a slow machine only
 * makes the tests slower.
 */

/** Bytes from hex text with optional spaces: `hex('A0 01 00 A1')`. */
export const hex = (text: string): Buffer => Buffer.from(text.replaceAll(' ', ''), 'hex');

/**
 * LCUS relay frames, copied from the worked values of devices.md §1 (not computed by the code
 * under test): `A0 <channel> <op> <sum>`.
 */
export const LCUS = {
  ch1On: hex('A0 01 01 A2'),
  ch1Off: hex('A0 01 00 A1'),
  ch2On: hex('A0 02 01 A3'),
  ch2Off: hex('A0 02 00 A2'),
} as const;

/** How long any one thing may take on a slow, shared machine before a test calls it missing. */
export const WAIT_MS = 30_000;
/** Per test: a few gateway start-ups, each of which may take seconds on two busy cores. */
export const TEST_TIMEOUT_MS = 180_000;

export type Event = Record<string, unknown>;

/**
 * Every byte the gateway writes to a device, read at the device end of a pty pair as it arrives.
 * It survives an unplug (`pair.kill()`) and a replug (`pair.restart()`): reads fail while the
 * device is gone, and resume on the new pty.
 */
export class DeviceTap {
  private readonly chunks: Array<{ at: number; bytes: Buffer }> = [];
  private readonly timer: NodeJS.Timeout;
  private readonly scratch = Buffer.alloc(4096);

  constructor(private readonly pair: PtyPair) {
    // Opened now, before the gateway writes anything, so that nothing it sends is missed.
    pair.fdA();
    this.timer = setInterval(() => this.poll(), 5);
  }

  /** Everything received so far. */
  get bytes(): Buffer {
    return Buffer.concat(this.chunks.map((chunk) => chunk.bytes));
  }

  get length(): number {
    return this.chunks.reduce((total, chunk) => total + chunk.bytes.length, 0);
  }

  /** performance.now() when the byte at `offset` was seen (undefined if not yet). */
  arrivalOf(offset: number): number | undefined {
    let start = 0;
    for (const chunk of this.chunks) {
      if (offset < start + chunk.bytes.length) return chunk.at;
      start += chunk.bytes.length;
    }
    return undefined;
  }

  /** Resolves with all bytes once at least `length` have arrived. */
  async waitForLength(length: number, what: string, timeoutMs = WAIT_MS): Promise<Buffer> {
    return this.waitUntil((bytes) => bytes.length >= length, what, timeoutMs);
  }

  /** Polls until `predicate` holds on everything received so far. */
  async waitUntil(
    predicate: (bytes: Buffer) => boolean,
    what: string | (() => string),
    timeoutMs = WAIT_MS,
  ): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.poll();
      const bytes = this.bytes;
      if (predicate(bytes)) return bytes;
      if (Date.now() > deadline) {
        throw new Error(
          `${typeof what === 'string' ? what : what()}: not seen within ${timeoutMs} ms at ${this.pair.a}; got ${bytes.length} bytes: ${bytes.toString('hex')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private poll(): void {
    for (;;) {
      let count: number;
      try {
        count = readSync(this.pair.fdA(), this.scratch, 0, this.scratch.length, null);
      } catch {
        // EAGAIN: nothing yet. ENOENT/EIO: the device is unplugged; it is read again once back.
        return;
      }
      if (count <= 0) return;
      this.chunks.push({ at: performance.now(), bytes: Buffer.from(this.scratch.subarray(0, count)) });
    }
  }
}

/**
 * Writes `bytes` into the gateway end of a pair, as if the gateway had sent them. Used after the
 * gateway has exited (or for a command line that must not write): socat relays in order, so when
 * these bytes come out at the device end, whatever the gateway wrote before has come out first.
 */
export function writeAsGateway(pair: PtyPair, bytes: Uint8Array): void {
  const fd = openSync(pair.b, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  try {
    writeSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

/** Splits relay bytes into 4-byte frames, as hex text, for readable failure messages. */
export function frames(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 4) {
    out.push(
      bytes
        .subarray(offset, offset + 4)
        .toString('hex')
        .toUpperCase(),
    );
  }
  return out;
}

/** Owns what a test starts (ptys, gateways, temporary directories) and ends it in reverse. */
export class Floor {
  private readonly steps: Array<() => unknown> = [];
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'rfid-floor-'));
    this.steps.push(() => rmSync(this.dir, { recursive: true, force: true }));
  }

  async pty(): Promise<PtyPair> {
    const pair = await createPtyPair();
    this.steps.push(() => pair.close());
    return pair;
  }

  tap(pair: PtyPair): DeviceTap {
    const tap = new DeviceTap(pair);
    this.steps.push(() => tap.stop());
    return tap;
  }

  /** Writes a gateway config with a data directory of its own; returns its path. */
  config(name: string, config: Record<string, unknown>): string {
    const file = join(this.dir, `${name}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        gatewayId: 'floor',
        dataDir: join(this.dir, `${name}-data`),
        logLevel: 'warn',
        ...config,
      }),
    );
    return file;
  }

  /** `rfid-gateway run --config FILE`, killed at the end of the test if still running. */
  run(configFile: string): CliProcess {
    const gateway = new CliProcess(['run', '--config', configFile]);
    this.steps.push(() => gateway.stop('SIGKILL'));
    return gateway;
  }

  async dispose(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch {
        // Cleaning up must go on: a step that fails must not leave socat or a gateway running.
      }
    }
  }
}

/** Waits for the event matching `predicate` that comes after `after` (by seq), if given. */
export function eventAfter(
  after: Event | undefined,
  predicate: (event: Event) => boolean,
): (event: Event) => boolean {
  const seq = after === undefined ? 0 : (after.seq as number);
  return (event) => (event.seq as number) > seq && predicate(event);
}

/** Whether the process has not exited (nor been killed). */
export function stillRunning(gateway: CliProcess): boolean {
  return gateway.child.exitCode === null && gateway.child.signalCode === null;
}

/** Waits until the gateway reports `device` (a reader or a `lines` sensor) online. */
export function deviceOnline(gateway: CliProcess, device: string): Promise<unknown> {
  return gateway.waitForEvent(
    (event) => event.type === 'reader.status' && event.reader === device && event.state === 'online',
    `the ${device} device online`,
    WAIT_MS,
  );
}
