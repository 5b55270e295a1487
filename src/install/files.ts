import {
  chmodSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type FileChange = 'created' | 'updated' | 'unchanged';

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o7777;
  } catch {
    return undefined;
  }
}

function temporaryBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** Writes `content` unless the file already holds exactly that (and has `mode`); atomic (rename). */
export function writeManagedFile(path: string, content: string, mode: number): FileChange {
  const existing = readIfExists(path);
  if (existing === content) {
    if (modeOf(path) === mode) return 'unchanged';
    chmodSync(path, mode);
    return 'updated';
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  const temporary = temporaryBeside(path);
  writeFileSync(temporary, content, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, path);
  return existing === undefined ? 'created' : 'updated';
}

/**
 * Creates the file with `content` only if there is none, atomically: a file that appears meanwhile
 * (or was there) is never replaced. Returns false when one was already there.
 */
export function createFileOnce(path: string, content: string, mode: number): boolean {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  const temporary = temporaryBeside(path);
  writeFileSync(temporary, content, { mode });
  chmodSync(temporary, mode);
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

/** Creates a directory (and its parents) with `mode`; true if it was not there. */
export function ensureDirectory(path: string, mode: number): boolean {
  const before = modeOf(path);
  if (before === undefined) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    mkdirSync(path, { mode });
    chmodSync(path, mode);
    return true;
  }
  if (!statSync(path).isDirectory()) throw new Error(`${path} exists and is not a directory`);
  return false;
}

/** Removes a file or a whole directory; true if there was one. */
export function removePath(path: string): boolean {
  if (modeOf(path) === undefined) return false;
  rmSync(path, { recursive: true, force: true });
  return true;
}

/**
 * A JSON file install keeps for itself, read and checked against `schema`: undefined when there is
 * none; an Error saying `what` it is not (and what to do) when it cannot be understood.
 */
export function readOwnJson<T>(
  path: string,
  schema: { safeParse(input: unknown): { success: true; data: T } | { success: false } },
  notUnderstood: string,
): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    document = undefined;
  }
  const parsed = schema.safeParse(document);
  if (!parsed.success) throw new Error(`${path} ${notUnderstood}`);
  return parsed.data;
}
