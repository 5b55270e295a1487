import type { Statement } from 'better-sqlite3';
import type { Bus } from '../../shared/extension.js';
import type { Store } from '../../store/index.js';

const COMPONENT = 'homeassistant';
const TABLE = 'homeassistant_discovery';

/** Component `homeassistant` of the store. A released step is never edited; a change is a new step. */
export const HOME_ASSISTANT_MIGRATIONS: readonly string[] = [
  `
  -- Every discovery config topic this gateway has published (full topic, prefix included), so that a
  -- reader, zone or cabinet that leaves the config, or a changed prefix, gets its entities removed
  -- with an empty retained payload at the next start. A row goes only once the broker has
  -- acknowledged that removal.
  CREATE TABLE ${TABLE} (
    topic TEXT PRIMARY KEY,
    announced_at REAL NOT NULL
  ) WITHOUT ROWID;
  `,
];

/** The discovery topics announced so far, in the gateway's store. */
export class AnnouncedTopics {
  private readonly insert: Statement<[string, number]>;
  private readonly remove: Statement<[string]>;
  private readonly all: Statement<[], { topic: string }>;

  constructor(
    store: Store,
    private readonly bus: Pick<Bus, 'transaction'>,
  ) {
    store.migrate(COMPONENT, HOME_ASSISTANT_MIGRATIONS);
    this.insert = store.db.prepare(`INSERT OR IGNORE INTO ${TABLE} (topic, announced_at) VALUES (?, ?)`);
    this.remove = store.db.prepare(`DELETE FROM ${TABLE} WHERE topic = ?`);
    this.all = store.db.prepare(`SELECT topic FROM ${TABLE} ORDER BY topic`);
  }

  /** Whether a store holds announced topics, without creating anything (for a gateway that turned discovery off). */
  static any(store: Store): boolean {
    const table = store.db
      .prepare("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?")
      .get(TABLE);
    if (table === undefined) return false;
    return store.db.prepare(`SELECT 1 AS found FROM ${TABLE} LIMIT 1`).get() !== undefined;
  }

  list(): string[] {
    return this.all.all().map((row) => row.topic);
  }

  /** Written before the configs are published: a crash in between leaves a row, never an orphan entity. */
  record(topics: readonly string[], atMs: number): void {
    this.bus.transaction(() => {
      for (const topic of topics) this.insert.run(topic, atMs);
    });
  }

  forget(topic: string): void {
    this.bus.transaction(() => this.remove.run(topic));
  }
}
