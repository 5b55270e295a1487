/**
 * Test helpers for a full disk: a tiny tmpfs (real ENOSPC, WAL included) and a file that takes the
 * last free byte of a filesystem, as another process's logs would.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorCode } from '../../../src/store/errors.js';

export interface Tmpfs {
  path: string;
  /** Grows (or shrinks) the filesystem in place, as an operator freeing space would. */
  resize(bytes: number): void;
  dispose(): void;
}

function run(command: string, args: string[]): { ok: boolean; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { ok: result.status === 0, stderr: result.error?.message ?? result.stderr };
}

/** Mounts a tmpfs of `bytes` (root or CAP_SYS_ADMIN needed); throws with the reason when it cannot. */
export function mountTmpfs(bytes: number): Tmpfs {
  const path = mkdtempSync(join(tmpdir(), 'store-tmpfs-'));
  const mounted = run('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', path]);
  if (!mounted.ok) {
    rmSync(path, { recursive: true, force: true });
    throw new Error(`cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): ${mounted.stderr.trim()}`);
  }
  return {
    path,
    resize: (size) => {
      const remounted = run('mount', ['-o', `remount,size=${size}`, path]);
      if (!remounted.ok) throw new Error(`cannot resize the tmpfs at ${path}: ${remounted.stderr}`);
    },
    dispose: () => {
      if (!run('umount', [path]).ok) run('umount', ['-l', path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Whether this machine lets the tests mount a tmpfs; the reason when not. */
export function tmpfsCapability(): { ok: true } | { ok: false; reason: string } {
  try {
    mountTmpfs(64 * 1024).dispose();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** Writes a file until the filesystem is full; returns a function that deletes it. */
export function fillUp(directory: string): () => void {
  const path = join(directory, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096, 0x5a);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if (errorCode(error) !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  // A partial last block may still fit.
  const tail = openSync(path, 'a');
  try {
    for (;;) writeSync(tail, chunk, 0, 1);
  } catch (error) {
    if (errorCode(error) !== 'ENOSPC') throw error;
  } finally {
    closeSync(tail);
  }
  return () => rmSync(path, { force: true });
}
