import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../observability/logger.js';
import { OutboxError } from './errors.js';
import { checkIntegrity, checkLocation, describeSqliteError } from './open-database.js';
import { checkLayout } from './schema.js';

/** The outbox's file before the store: `<dataDir>/outbox.sqlite`, `user_version` 1. */
export const LEGACY_FILE = 'outbox.sqlite';

/**
 * Gateways in the field have `<dataDir>/outbox.sqlite`, perhaps with a `-wal` holding committed
 * events never checkpointed (the gateway was killed). When the store's file does not exist yet, the
 * old file becomes it: its WAL is folded in first (a WAL belongs to its file by name; renamed
 * without it, those events would be lost), then it is renamed, and `openDatabase` migrates it in
 * place. Renaming rather than copying means there is never a moment with two copies or none: a crash
 * at any step leaves either the old file (done again at the next start) or the new one.
 */
export function adoptLegacyOutbox(dataDir: string, target: string, logger: Logger): void {
  const legacy = join(dataDir, LEGACY_FILE);
  if (!existsSync(legacy)) {
    removeEmptyLeftovers(legacy);
    return;
  }
  if (existsSync(target)) {
    logger.warn(
      { store: target, leftover: legacy },
      `store: using ${target}; the older ${legacy} beside it was left untouched. If it still holds unsent ` +
        'events (it was copied back, or an older gateway ran since), they are not sent: check it, then move it aside',
    );
    return;
  }
  for (const suffix of ['-wal', '-shm', '-journal']) {
    if (existsSync(`${target}${suffix}`)) {
      throw new OutboxError(
        `store ${target}: ${target}${suffix} exists without ${target}, and SQLite would replay it into the ` +
          `migrated ${legacy}; move ${target}${suffix} aside and start again (${legacy} was left untouched)`,
        target,
      );
    }
  }
  foldWal(legacy);
  try {
    renameSync(legacy, target);
    syncDirectory(dataDir);
  } catch (error) {
    throw new OutboxError(
      `store ${target}: cannot rename ${legacy} to it (${(error as Error).message}); give the gateway user ` +
        `write access to ${dataDir} and start again (${legacy} holds the events)`,
      target,
      { cause: error },
    );
  }
  removeEmptyLeftovers(legacy);
  logger.info(
    { from: legacy, to: target },
    'store: the outbox file became the gateway store; its events are kept',
  );
}

/** Checks the old file is an outbox this gateway knows, and checkpoints its WAL into it. */
function foldWal(legacy: string): void {
  checkLocation(legacy);
  let db: Database.Database | undefined;
  try {
    db = new Database(legacy, { timeout: 5000 });
    checkLayout(db, legacy);
    checkIntegrity(db, legacy);
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    if (result?.busy !== 0) {
      throw new OutboxError(
        `outbox ${legacy} is in use by another process, so its WAL cannot be folded in before the migration; ` +
          'is another gateway running on the same data directory? Stop it and start again',
        legacy,
      );
    }
  } catch (error) {
    db?.close();
    throw error instanceof OutboxError ? error : describeSqliteError(legacy, error);
  }
  db.close();
  // SQLite deletes the -wal when its last connection closes: if it is still there, someone else
  // has the file open and would go on writing to it under its new name.
  if (existsSync(`${legacy}-wal`)) {
    throw new OutboxError(
      `outbox ${legacy} is open in another process (its -wal file outlived this one's connection); ` +
        'stop the other gateway and start again (the file was not moved)',
      legacy,
    );
  }
}

/**
 * Without a database beside them, empty -wal/-shm files are only clutter (a crash after the
 * rename), and so is the disk reserve `SqliteOutbox.open` kept beside the old file.
 */
function removeEmptyLeftovers(legacy: string): void {
  if (existsSync(legacy)) return;
  rmSync(`${legacy}-reserve`, { force: true });
  const wal = statSync(`${legacy}-wal`, { throwIfNoEntry: false });
  if (wal !== undefined && wal.size > 0) return;
  rmSync(`${legacy}-wal`, { force: true });
  rmSync(`${legacy}-shm`, { force: true });
}

/** A rename is durable only once its directory is. */
function syncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
