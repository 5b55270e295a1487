import type { Statement } from 'better-sqlite3';
import type { Store } from '../../store/index.js';

/**
 * How reliably a targeted search finds each tag when it is inside: the trials that make a search
 * that missed count as evidence (settle.ts, SearchEvidence). Measured while the cabinet is idle, by
 * searching for tags that passive reads show to be inside, and kept in the store so that a restart
 * does not throw the measurements away.
 *
 * A tag's detection depends on its spot; when an item is moved its old record slowly stops
 * counting: past `MAX_TRIALS` every new trial scales the old ones down (an exponential window), so a
 * tag that used to be found but no longer is loses its standing within a few dozen trials.
 */

const MAX_TRIALS = 64;

const MIGRATIONS = [
  `CREATE TABLE search_calibration (
     cabinet TEXT NOT NULL,
     tag TEXT NOT NULL,
     trials REAL NOT NULL,
     hits REAL NOT NULL,
     updated_at REAL NOT NULL,
     PRIMARY KEY (cabinet, tag)
   )`,
];

export interface Calibration {
  trials: number;
  hits: number;
}

export interface CalibrationStore {
  get(tag: string): Calibration;
  record(tag: string, found: boolean, atMs: number): void;
  /** Of `inside`, up to `count` tags to calibrate next: the longest untried first. */
  pick(inside: readonly string[], count: number): string[];
}

/** In memory only: the scenario harness and tests. */
export class MemoryCalibration implements CalibrationStore {
  protected readonly byTag = new Map<string, Calibration>();
  /** When each tag was last tried: every tag inside comes round in turn, whatever its count. */
  protected readonly triedAt = new Map<string, number>();

  get(tag: string): Calibration {
    return this.byTag.get(tag) ?? { trials: 0, hits: 0 };
  }

  record(tag: string, found: boolean, atMs: number): void {
    this.byTag.set(tag, nextCalibration(this.get(tag), found));
    this.triedAt.set(tag, atMs);
  }

  pick(inside: readonly string[], count: number): string[] {
    const tried = (tag: string) => this.triedAt.get(tag) ?? Number.NEGATIVE_INFINITY;
    return [...inside].sort((a, b) => tried(a) - tried(b) || (a < b ? -1 : 1)).slice(0, Math.max(0, count));
  }
}

/** Persisted per cabinet; reads come from memory, every trial is written through. */
export class StoredCalibration extends MemoryCalibration {
  private readonly upsert: Statement<[string, string, number, number, number]>;

  constructor(
    store: Store,
    private readonly cabinet: string,
  ) {
    super();
    store.migrate('search_calibration', MIGRATIONS);
    const rows = store.db
      .prepare<[string], { tag: string; trials: number; hits: number; updated_at: number }>(
        'SELECT tag, trials, hits, updated_at FROM search_calibration WHERE cabinet = ?',
      )
      .all(cabinet);
    for (const row of rows) {
      this.byTag.set(row.tag, { trials: row.trials, hits: row.hits });
      this.triedAt.set(row.tag, row.updated_at);
    }
    this.upsert = store.db.prepare(
      `INSERT INTO search_calibration (cabinet, tag, trials, hits, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (cabinet, tag) DO UPDATE SET trials = excluded.trials, hits = excluded.hits,
         updated_at = excluded.updated_at`,
    );
  }

  override record(tag: string, found: boolean, atMs: number): void {
    super.record(tag, found, atMs);
    const { trials, hits } = this.get(tag);
    this.upsert.run(this.cabinet, tag, trials, hits, atMs);
  }
}

export function nextCalibration(current: Calibration, found: boolean): Calibration {
  const keep = current.trials >= MAX_TRIALS ? (MAX_TRIALS - 1) / current.trials : 1;
  return { trials: current.trials * keep + 1, hits: current.hits * keep + (found ? 1 : 0) };
}
