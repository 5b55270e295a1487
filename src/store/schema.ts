import type Database from 'better-sqlite3';
import { OutboxError } from './errors.js';

/**
 * Schema history. `PRAGMA user_version` holds the number of steps applied; a step is never edited
 * once released, a change is a new step, so a gateway upgraded in the field migrates its own file.
 */
const MIGRATIONS: readonly string[] = [
  `
  -- seq lives here rather than in MAX(events.seq): acknowledged rows are deleted, and a seq must
  -- never be handed out twice even when every row (or the newest one) is gone.
  CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO meta (key, value) VALUES ('last_seq', 0);

  -- seq is the rowid, so reading pending events in order is a range scan of the table itself.
  -- priority: 0 low, 1 normal, 2 critical (see priorityOf); bytes = UTF-8 length of payload.
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    priority INTEGER NOT NULL,
    payload TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    committed_at REAL NOT NULL
  );
  -- Finds the oldest droppable events of a priority without scanning the critical ones.
  CREATE INDEX events_by_priority ON events (priority, seq);

  CREATE TABLE dropped (type TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;

  CREATE TABLE dead_letters (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    committed_at REAL NOT NULL,
    reason TEXT NOT NULL,
    dead_at REAL NOT NULL
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database up to `SCHEMA_VERSION`, refusing files it does not recognise as its own. */
export function migrate(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new OutboxError(
      `outbox ${path} has schema version ${version}, newer than this gateway understands (${SCHEMA_VERSION}): ` +
        'run the newer gateway version that wrote it, or point the data directory elsewhere',
      path,
    );
  }
  if (version === 0) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as {
      n: number;
    };
    if (tables.n > 0) {
      throw new OutboxError(
        `${path} is an SQLite database but not an rfid-gateway outbox (it has tables and no schema version): ` +
          'point the data directory elsewhere; the file was left untouched',
        path,
      );
    }
  }
  for (let step = version; step < SCHEMA_VERSION; step++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[step] as string);
      db.pragma(`user_version = ${step + 1}`);
    }).immediate();
  }
}
