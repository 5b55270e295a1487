import type Database from 'better-sqlite3';
import { OutboxError } from './errors.js';

/**
 * The outbox's schema history, migration component `outbox`. A step is never edited once released;
 * a change is a new step, so a gateway upgraded in the field migrates its own file.
 */
export const OUTBOX_MIGRATIONS: readonly string[] = [
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

/**
 * `PRAGMA user_version` of the file as a whole. 1 was the outbox-only file (`outbox.sqlite`, the
 * outbox's tables and nothing to say which component owns them); 2 is the store: a
 * `schema_versions` row per component, each migrated on its own.
 */
export const LEGACY_OUTBOX_LAYOUT = 1;
export const STORE_LAYOUT = 2;
/** The layout this gateway writes (the name older tests know it by). */
export const SCHEMA_VERSION = STORE_LAYOUT;

const CORE_SQL = `
  -- One row per component (the outbox, each extension's state): the number of its steps applied.
  CREATE TABLE schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
`;

/**
 * Reads the file's layout version without writing anything, refusing a file from a newer gateway
 * or one that is not ours; run before anything (even switching to WAL) changes the file.
 */
export function checkLayout(db: Database.Database, path: string): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > STORE_LAYOUT) {
    throw new OutboxError(
      `store ${path} has schema version ${version}, newer than this gateway understands (${STORE_LAYOUT}): ` +
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
        `${path} is an SQLite database but not an rfid-gateway outbox or store (it has tables and no schema ` +
          'version): point the data directory elsewhere; the file was left untouched',
        path,
      );
    }
  }
  return version;
}

/**
 * Brings the file to the store layout, refusing files it does not recognise as its own. A legacy
 * outbox file is adopted in place: its tables are exactly outbox version 1, so recording that is
 * the whole migration, and its events are never copied (nothing to lose halfway).
 */
export function prepareLayout(db: Database.Database, path: string): 'created' | 'adopted' | 'current' {
  const version = checkLayout(db, path);
  if (version === STORE_LAYOUT) return 'current';
  db.transaction(() => {
    db.exec(CORE_SQL);
    if (version === LEGACY_OUTBOX_LAYOUT) {
      db.prepare("INSERT INTO schema_versions (component, version) VALUES ('outbox', 1)").run();
    }
    db.pragma(`user_version = ${STORE_LAYOUT}`);
  }).immediate();
  return version === LEGACY_OUTBOX_LAYOUT ? 'adopted' : 'created';
}

/**
 * Applies `steps[version..]` of one component in order, each in its own transaction with the
 * version row, so a crash between steps leaves a file that resumes at the next step.
 */
export function migrateComponent(
  db: Database.Database,
  path: string,
  component: string,
  steps: readonly string[],
): number {
  if (component.length === 0) {
    throw new OutboxError(`store ${path}: a migration needs a component name`, path);
  }
  const read = db.prepare<[string], { version: number }>(
    'SELECT version FROM schema_versions WHERE component = ?',
  );
  const current = read.get(component)?.version ?? 0;
  if (current > steps.length) {
    throw new OutboxError(
      `store ${path}: component "${component}" has schema version ${current}, newer than this gateway ` +
        `understands (${steps.length}): run the newer gateway version that wrote it, or point the data ` +
        'directory elsewhere',
      path,
    );
  }
  const record = db.prepare<[string, number]>(
    'INSERT INTO schema_versions (component, version) VALUES (?, ?) ' +
      'ON CONFLICT (component) DO UPDATE SET version = excluded.version',
  );
  for (let step = current; step < steps.length; step++) {
    try {
      db.transaction(() => {
        db.exec(steps[step] as string);
        record.run(component, step + 1);
      }).immediate();
    } catch (error) {
      if (error instanceof OutboxError) throw error;
      throw new OutboxError(
        `store ${path}: migration step ${step + 1} of "${component}" failed (${(error as Error).message}); ` +
          'nothing of that step was applied; fix the step or run the gateway version that matches the file',
        path,
        { cause: error },
      );
    }
  }
  return steps.length;
}
