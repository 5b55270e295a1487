import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A pair of connected pseudo-terminals made by socat: bytes written to `a` come out of `b` and back.
 * `kill()` is the test's way of unplugging a USB adapter: socat exits, both devices vanish, and
 * readers of `b` see EIO. `restart()` plugs it back in on the same paths.
 *
 * socat is required: a missing socat fails the test with a clear message (never a skip), in CI
 * and locally alike.
 */
export interface PtyPair {
  /** The "device" end: tests write what the reader would send here. */
  readonly a: string;
  /** The "gateway" end: the transport under test opens this one. */
  readonly b: string;
  readonly dir: string;
  /** Writes to `a`, opening it on first use. Note: socat exits when the last opener of an end closes it. */
  writeA(bytes: Uint8Array): void;
  /** The open, non-blocking descriptor of `a` (opened on first use), for a writer that keeps it. */
  fdA(): number;
  /** Resolves with `length` bytes read from `a` (what the gateway wrote), or rejects after `timeoutMs`. */
  readA(length: number, timeoutMs?: number): Promise<Buffer>;
  kill(): Promise<void>;
  restart(): Promise<void>;
  /** Kills socat and removes the directory. Idempotent. */
  close(): Promise<void>;
}

const SOCAT = process.env.SOCAT ?? 'socat';
const READY_TIMEOUT_MS = 5_000;

function startSocat(a: string, b: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(SOCAT, ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`socat not ready after ${READY_TIMEOUT_MS} ms:\n${log}`)),
      READY_TIMEOUT_MS,
    );
    child.on('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'ENOENT'
          ? new Error('socat is not installed (apt-get install socat): the pty tests need it')
          : error,
      ),
    );
    child.on('exit', (code) => fail(new Error(`socat exited with ${code} before it was ready:\n${log}`)));
    child.stderr?.setEncoding('utf8');
    const onLog = (text: string): void => {
      log += text;
      // socat logs this once both ptys exist and it relays; the links are made before it.
      if (log.includes('starting data transfer loop') && existsSync(a) && existsSync(b)) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stderr?.off('data', onLog);
        // Keep draining its log, or a chatty socat would block on a full pipe.
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stderr?.on('data', onLog);
  });
}

function stopSocat(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function createPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'rfid-pty-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  let socat: ChildProcess | undefined = await startSocat(a, b);
  let fd: number | undefined;
  const closeA = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  const kill = async (): Promise<void> => {
    closeA();
    if (socat !== undefined) await stopSocat(socat);
    socat = undefined;
    // socat removes its links on a clean exit; make sure, so that "unplugged" means "gone".
    rmSync(a, { force: true });
    rmSync(b, { force: true });
  };
  const fdA = (): number => {
    fd ??= openSync(a, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    return fd;
  };
  return {
    a,
    b,
    dir,
    fdA,
    writeA(bytes) {
      writeSync(fdA(), bytes);
    },
    async readA(length, timeoutMs = 2_000) {
      const buffer = Buffer.alloc(length);
      let got = 0;
      const deadline = Date.now() + timeoutMs;
      while (got < length) {
        try {
          got += readSync(fdA(), buffer, got, length - got, null);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
          if (Date.now() > deadline)
            throw new Error(`read ${got} of ${length} bytes from ${a} in ${timeoutMs} ms`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
      return buffer;
    },
    kill,
    async restart() {
      await kill();
      socat = await startSocat(a, b);
    },
    async close() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
