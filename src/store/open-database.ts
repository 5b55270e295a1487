import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { errorCode, OutboxError } from './errors.js';
import { migrate } from './schema.js';

/** How long a write waits for another connection's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

const KEEP_FILE =
  'The file was left untouched. To start an empty outbox, move it aside (unpublished events in it ' +
  'would not be sent), or restore it from a backup.';

/**
 * Opens (creating if needed) the outbox database in WAL mode, checked and migrated. Every way this
 * can fail becomes an `OutboxError` that names the file and what to do; nothing is ever deleted.
 */
export function openDatabase(path: string): Database.Database {
  const absolute = resolve(path);
  checkLocation(absolute);
  let db: Database.Database | undefined;
  try {
    db = new Database(absolute, { timeout: BUSY_TIMEOUT_MS });
    // The first statement reads the header: a file that is not a database fails here.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new OutboxError(
        `outbox ${absolute}: the filesystem does not support SQLite's WAL mode (got journal_mode ${String(mode)}); ` +
          'put the data directory on a local filesystem',
        absolute,
      );
    }
    checkIntegrity(db, absolute);
    migrate(db, absolute);
    // A file opened read-only by SQLite only fails at its first write; find out now, not at the first event.
    db.exec('BEGIN IMMEDIATE; ROLLBACK');
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof OutboxError) throw error;
    throw describeSqliteError(absolute, error);
  }
}

function checkLocation(path: string): void {
  const directory = dirname(path);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(directory).isDirectory();
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') {
      throw new OutboxError(
        `outbox ${path}: directory ${directory} does not exist; create it (mkdir -p ${directory}) or configure another data directory`,
        path,
        { cause: error },
      );
    }
    if (code !== 'ENOTDIR')
      throw new OutboxError(`outbox ${path}: cannot read ${directory}`, path, { cause: error });
    isDirectory = false;
  }
  if (!isDirectory) {
    throw new OutboxError(
      `outbox ${path}: ${directory} is not a directory (part of the path is a file); configure a data directory`,
      path,
    );
  }
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing?.isDirectory()) {
    throw new OutboxError(
      `outbox ${path} is a directory, not a database file; configure a file path inside it`,
      path,
    );
  }
  // SQLite keeps the -wal and -shm files beside the database, so the directory must be writable too.
  for (const [target, what] of [
    [directory, 'directory'],
    ...(existing ? [[path, 'file'] as const] : []),
  ] as const) {
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      throw new OutboxError(
        `outbox ${path}: the ${what} ${target} is not writable by this user (uid ${process.getuid?.() ?? '?'}); ` +
          'give the gateway user write access to the file and its directory',
        path,
        { cause: error },
      );
    }
  }
}

function checkIntegrity(db: Database.Database, path: string): void {
  const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
  const problems = rows
    .map((row) => row.quick_check.replace(/\s*\n\s*/g, '; '))
    .filter((text) => text !== 'ok');
  if (problems.length > 0) {
    throw new OutboxError(
      `outbox ${path} is corrupt (quick_check: ${problems.join('; ')}). ${KEEP_FILE} ` +
        `The sqlite3 shell's ".recover" command can often salvage its rows.`,
      path,
    );
  }
}

/** Turns SQLite's error codes into advice. */
export function describeSqliteError(path: string, error: unknown): OutboxError {
  const code = errorCode(error) ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  const say = (message: string) =>
    new OutboxError(`outbox ${path} ${message} (${code}: ${detail})`, path, { cause: error });
  if (code === 'SQLITE_NOTADB')
    return say(`is not an SQLite database (wrong file, or overwritten). ${KEEP_FILE}`);
  if (code.startsWith('SQLITE_CORRUPT')) return say(`is corrupt. ${KEEP_FILE}`);
  if (code.startsWith('SQLITE_READONLY')) {
    return say(
      'cannot be written (read-only file, -wal or -shm file beside it, directory or filesystem); ' +
        'give the gateway user write access to all of them',
    );
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return say('cannot be opened; check that it is a file in an existing, writable directory');
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return say('is locked by another process; is another gateway running on the same data directory?');
  }
  if (code === 'SQLITE_FULL') return say('cannot grow: the disk is full');
  if (code.startsWith('SQLITE_IOERR')) return say('hit an I/O error; check the disk (SD cards wear out)');
  return say('cannot be used');
}
