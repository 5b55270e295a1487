import type { Statement } from 'better-sqlite3';
import { z } from 'zod';
import type { CabinetConfig } from '../../config/cabinets.js';
import type { Logger } from '../../observability/logger.js';
import type { Clock } from '../../shared/clock.js';
import type { Bus, CommandRegistry } from '../../shared/extension.js';
import type { Store } from '../../store/index.js';
import { TemperatureGuard, type TemperatureState } from './temperature-guard.js';

const MIGRATIONS = [
  `CREATE TABLE cabinet_temperature (
     cabinet TEXT PRIMARY KEY,
     value REAL,
     above_since REAL,
     excursion_since REAL,
     excursion_at REAL,
     alarmed INTEGER NOT NULL DEFAULT 0,
     updated_at REAL NOT NULL
   )`,
];

interface Row {
  cabinet: string;
  value: number | null;
  above_since: number | null;
  excursion_since: number | null;
  excursion_at: number | null;
  alarmed: number;
}

export interface TemperatureGuardsDeps {
  cabinets: readonly CabinetConfig[];
  store: Store;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  requests: CommandRegistry;
  /** The cabinet a guard stops and resumes. */
  cabinet(id: string): { onTemperature(exceeded: boolean): void } | undefined;
}

/**
 * The temperature guards of the cabinets that have one (`cabinets[].temperature`): their state in
 * the store, the readings of their channels from the bus, and the signed `cabinets/resume`. Nothing
 * at all (no table, no command) when no cabinet is guarded.
 */
export class TemperatureGuards {
  private readonly guards = new Map<string, TemperatureGuard>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly saveRow: Statement<[Row & { updated_at: number }]> | undefined;
  private readonly loadRow: Statement<[string], Row> | undefined;

  constructor(private readonly deps: TemperatureGuardsDeps) {
    const guarded = deps.cabinets.filter((cabinet) => cabinet.temperature !== undefined);
    if (guarded.length === 0) return;
    deps.store.migrate('temperature-guard', MIGRATIONS);
    this.saveRow = deps.store.db.prepare(
      `INSERT INTO cabinet_temperature (cabinet, value, above_since, excursion_since, excursion_at, alarmed, updated_at)
       VALUES (@cabinet, @value, @above_since, @excursion_since, @excursion_at, @alarmed, @updated_at)
       ON CONFLICT (cabinet) DO UPDATE SET value = excluded.value, above_since = excluded.above_since,
         excursion_since = excluded.excursion_since, excursion_at = excluded.excursion_at,
         alarmed = excluded.alarmed, updated_at = excluded.updated_at`,
    );
    this.loadRow = deps.store.db.prepare(
      'SELECT cabinet, value, above_since, excursion_since, excursion_at, alarmed FROM cabinet_temperature WHERE cabinet = ?',
    );
    for (const cabinet of guarded) {
      const settings = cabinet.temperature;
      if (!settings) continue;
      this.guards.set(
        cabinet.id,
        new TemperatureGuard({
          cabinet: cabinet.id,
          zone: cabinet.zone,
          settings,
          clock: deps.clock,
          logger: deps.logger.child({ component: 'purchases', cabinet: cabinet.id }),
          bus: deps.bus,
          save: (state) => this.save(cabinet.id, state),
          block: (exceeded) => deps.cabinet(cabinet.id)?.onTemperature(exceeded),
        }),
      );
    }
    this.unsubscribe.push(
      deps.requests.register(
        'cabinets/resume',
        { cabinet: z.string().min(1).max(64) },
        ({ cabinet }) => {
          const guard = this.guards.get(cabinet);
          if (!guard)
            throw new Error(
              `cabinet "${cabinet}" has no temperature guard (guarded: ${[...this.guards.keys()].join(', ')})`,
            );
          const resumed = guard.resume();
          return {
            cabinet,
            resumed,
            ...(guard.lastValue === undefined ? {} : { temperatureC: guard.lastValue }),
          };
        },
        { owner: 'purchases', changesState: true },
      ),
    );
  }

  /** After the cabinets have recovered their sessions: a session in progress keeps its screen. */
  start(): void {
    if (this.guards.size === 0) return;
    for (const [cabinet, guard] of this.guards) guard.restore(this.load(cabinet));
    this.unsubscribe.push(
      this.deps.bus.on('purchases', 'sensor.changed', (event) => {
        for (const settings of this.deps.cabinets) {
          const watched = settings.temperature;
          if (watched?.sensor === event.sensor && watched.channel === event.channel)
            this.guards.get(settings.id)?.reading(event.value);
        }
      }),
    );
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    for (const guard of this.guards.values()) guard.stop();
  }

  /** Values of the guarded channels that were not numbers, per cabinet. */
  get ignored(): Record<string, number> {
    return Object.fromEntries([...this.guards].map(([cabinet, guard]) => [cabinet, guard.ignored]));
  }

  private save(cabinet: string, state: TemperatureState): void {
    this.saveRow?.run({
      cabinet,
      value: state.value ?? null,
      above_since: state.aboveSince ?? null,
      excursion_since: state.excursion?.since ?? null,
      excursion_at: state.excursion?.at ?? null,
      alarmed: state.excursion?.alarmed ? 1 : 0,
      updated_at: this.deps.clock.now(),
    });
  }

  private load(cabinet: string): TemperatureState | undefined {
    const row = this.loadRow?.get(cabinet);
    if (!row) return undefined;
    return {
      value: row.value ?? undefined,
      aboveSince: row.above_since ?? undefined,
      excursion:
        row.excursion_since === null
          ? undefined
          : {
              since: row.excursion_since,
              at: row.excursion_at ?? row.excursion_since,
              alarmed: row.alarmed === 1,
            },
    };
  }
}
