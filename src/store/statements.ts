import type Database from 'better-sqlite3';

/** Committed, unacknowledged events after a seq: a range scan of the rowid (seq), in order. */
export const PENDING_SQL =
  'SELECT seq, id, type, payload, committed_at AS committedAt FROM events WHERE seq > ? ORDER BY seq LIMIT ?';

export interface EventRow {
  seq: number;
  id: string;
  type: string;
  priority: number;
  payload: string;
  bytes: number;
  committed_at: number;
}

export interface PendingRow {
  seq: number;
  id: string;
  type: string;
  payload: string;
  committedAt: number;
}

/** Every statement the outbox runs, prepared once per connection. */
export function prepareStatements(db: Database.Database) {
  return {
    lastSeq: db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'last_seq'"),
    /** Compare-and-set: fails (0 changes) if another connection committed since we last looked. */
    advanceSeq: db.prepare<[number, number]>(
      "UPDATE meta SET value = ? WHERE key = 'last_seq' AND value = ?",
    ),
    insert: db.prepare<[number, string, string, number, string, number, number]>(
      'INSERT INTO events (seq, id, type, priority, payload, bytes, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    pending: db.prepare<[number, number], PendingRow>(PENDING_SQL),
    totals: db.prepare<[], { rows: number; bytes: number }>(
      'SELECT count(*) AS rows, coalesce(sum(bytes), 0) AS bytes FROM events',
    ),
    oldest: db.prepare<[], { seq: number; committedAt: number }>(
      'SELECT seq, committed_at AS committedAt FROM events ORDER BY seq LIMIT 1',
    ),
    oldestOfPriority: db.prepare<[number, number, number], { seq: number; type: string; bytes: number }>(
      'SELECT seq, type, bytes FROM events WHERE priority = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    remove: db.prepare<[number], { bytes: number }>('DELETE FROM events WHERE seq = ? RETURNING bytes'),
    removeRow: db.prepare<[number], EventRow>('DELETE FROM events WHERE seq = ? RETURNING *'),
    countDrop: db.prepare<[string, number]>(
      'INSERT INTO dropped (type, count) VALUES (?, ?) ON CONFLICT (type) DO UPDATE SET count = count + excluded.count',
    ),
    drops: db.prepare<[], { type: string; count: number }>('SELECT type, count FROM dropped'),
    deadLetter: db.prepare<[number, string, string, string, number, string, number]>(
      'INSERT INTO dead_letters (seq, id, type, payload, committed_at, reason, dead_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    deadLetters: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM dead_letters'),
    /**
     * The smallest real write (one WAL frame): committed with synchronous=FULL it fsyncs the WAL and
     * so every frame before it. A no-op UPDATE would not do: SQLite writes nothing for it.
     */
    syncBarrier: db.prepare<[]>(
      "INSERT INTO meta (key, value) VALUES ('sync_barrier', 1) ON CONFLICT (key) DO UPDATE SET value = value + 1",
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
