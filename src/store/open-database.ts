import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { errorCode, OutboxError } from './errors.js';
import { checkLayout, prepareLayout } from './schema.js';

/** How long a write waits for another connection's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

const KEEP_FILE =
  'The file was left untouched. To start an empty store, move it aside (unpublished events in it ' +
  'would not be sent), or restore it from a backup.';

export const MEMORY = ':memory:';

/**
 * Opens (creating if needed) the store's database in WAL mode, checked and brought to the store
 * layout (components are migrated by their owners). `':memory:'` is an in-memory database with the
 * same layout, for replays and tests. Every way this can fail becomes an `OutboxError` that names
 * the file and what to do; nothing is ever deleted.
 */
export function openDatabase(path: string): Database.Database {
  if (path === MEMORY) {
    const db = new Database(MEMORY);
    prepareLayout(db, MEMORY);
    return db;
  }
  const absolute = resolve(path);
  checkLocation(absolute);
  let db: Database.Database | undefined;
  try {
    db = new Database(absolute, { timeout: BUSY_TIMEOUT_MS });
    // The first statement reads the header: a file that is not a database fails here, and one that
    // is not ours is refused before switching it to WAL would change it.
    checkLayout(db, absolute);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new OutboxError(
        `store ${absolute}: the filesystem does not support SQLite's WAL mode (got journal_mode ${String(mode)}); ` +
          'put the data directory on a local filesystem',
        absolute,
      );
    }
    checkIntegrity(db, absolute);
    // better-sqlite3 is built with a 16 MiB page cache per connection; after a broker outage's
    // backlog it stays resident on a Pi. 2 MiB keeps the hot pages of the outbox and the state.
    db.pragma('cache_size = -2000');
    prepareLayout(db, absolute);
    // A file opened read-only by SQLite only fails at its first write; find out now, not at the first event.
    db.exec('BEGIN IMMEDIATE; ROLLBACK');
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof OutboxError) throw error;
    throw describeSqliteError(absolute, error);
  }
}

export function checkLocation(path: string): void {
  const directory = dirname(path);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(directory).isDirectory();
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') {
      throw new OutboxError(
        `store ${path}: directory ${directory} does not exist; create it (mkdir -p ${directory}) or configure another data directory`,
        path,
        { cause: error },
      );
    }
    if (code !== 'ENOTDIR')
      throw new OutboxError(`store ${path}: cannot read ${directory}`, path, { cause: error });
    isDirectory = false;
  }
  if (!isDirectory) {
    throw new OutboxError(
      `store ${path}: ${directory} is not a directory (part of the path is a file); configure a data directory`,
      path,
    );
  }
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing?.isDirectory()) {
    throw new OutboxError(
      `store ${path} is a directory, not a database file; configure a file path inside it`,
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
        `store ${path}: the ${what} ${target} is not writable by this user (uid ${process.getuid?.() ?? '?'}); ` +
          'give the gateway user write access to the file and its directory',
        path,
        { cause: error },
      );
    }
  }
}

export function checkIntegrity(db: Database.Database, path: string): void {
  const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
  const problems = rows
    .map((row) => row.quick_check.replace(/\s*\n\s*/g, '; '))
    .filter((text) => text !== 'ok');
  if (problems.length > 0) {
    throw new OutboxError(
      `store ${path} is corrupt (quick_check: ${problems.join('; ')}). ${KEEP_FILE} ` +
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
    new OutboxError(`store ${path} ${message} (${code}: ${detail})`, path, {
      cause: error,
      diskFull: code === 'SQLITE_FULL',
    });
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
  if (code === 'SQLITE_FULL') {
    return say(
      'cannot grow: the disk is full; free space on its filesystem. Meanwhile the oldest low-value ' +
        'events are dropped to make room and purchases and alarms use the reserved headroom',
    );
  }
  if (code.startsWith('SQLITE_IOERR')) return say('hit an I/O error; check the disk (SD cards wear out)');
  return say('cannot be used');
}
