import type { TemperatureGuardConfig } from '../../config/temperature.js';
import type { Logger } from '../../observability/logger.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { EventBody } from '../../shared/events.js';
import type { Bus } from '../../shared/extension.js';

const COMMIT_RETRY_MS = 1000;
/** A device that keeps sending garbage is logged at its first value and then every this many. */
const LOG_IGNORED_EVERY = 100;
/** A plain decimal sent as a string (`{"temperature":"9.5"}`) is a number too. */
const DECIMAL = /^-?[0-9]+(?:\.[0-9]+)?$/;
const MAX_LOGGED_VALUE = 32;

/** What a guard keeps across a restart (see TemperatureGuard.restore). */
export interface TemperatureState {
  /** The last reading, °C, as of the last change of state. */
  value: number | undefined;
  /** Since when the readings have been above the limit without a break. */
  aboveSince: number | undefined;
  /** The excursion in progress: above since `since`, selling stopped at `at`, its alarm committed. */
  excursion: { since: number; at: number; alarmed: boolean } | undefined;
}

export interface TemperatureGuardDeps {
  cabinet: string;
  zone: string;
  settings: TemperatureGuardConfig;
  clock: Clock;
  logger: Logger;
  bus: Bus;
  /** Writes the state; called inside the bus transaction of the alarm it goes with. */
  save(state: TemperatureState): void;
  /** The cabinet's health: true stops selling (refusals with `temperature`), false resumes it. */
  block(exceeded: boolean): void;
}

/**
 * One cabinet's temperature as evidence for selling at all. Readings above `maxC` without a break
 * for `forMs` are an excursion: the cabinet stops selling and one `security.alarm` (`temperature`) is
 * raised, committed with the state. It sells again once the readings have stayed at or below `maxC`
 * for `resumeAfterMs`, or at once when staff say so (`resume`). A sensor that goes silent leaves its
 * last reading standing (silence is not evidence), so a fridge last heard warm stays counted as warm.
 * All time comes from the Clock: a replay gives the same decisions as the service.
 */
export class TemperatureGuard {
  private state: TemperatureState = { value: undefined, aboveSince: undefined, excursion: undefined };
  /** During an excursion: since when the readings heard since the last start have been back down. */
  private belowSince: number | undefined;
  private onsetTimer: TimerHandle | undefined;
  private resumeTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  /** An alarm the store has not taken yet: retried until it has (alarms are never dropped). */
  private pendingAlarm: EventBody | undefined;
  /** Values that were not numbers, ignored. */
  ignored = 0;

  constructor(private readonly deps: TemperatureGuardDeps) {}

  get exceeded(): boolean {
    return this.state.excursion !== undefined;
  }

  get lastValue(): number | undefined {
    return this.state.value;
  }

  /**
   * Picks up where the gateway stopped. The last reading stands across the restart like across any
   * silence: a cabinet that was above the limit goes on counting from when it went above, and one
   * that had stopped selling still does not sell. Time spent back down before the restart does not
   * count towards resuming: nobody listened while the gateway was down, the cabinet may have warmed.
   */
  restore(state: TemperatureState | undefined): void {
    if (state === undefined) return;
    this.state = { ...state, excursion: state.excursion && { ...state.excursion } };
    const { excursion, aboveSince } = this.state;
    if (excursion) {
      this.deps.logger.warn(
        { cabinet: this.deps.cabinet, since: iso(excursion.since), temperatureC: state.value },
        'cabinet still too warm from before the restart: not selling until it has cooled down',
      );
      this.deps.block(true);
      if (!excursion.alarmed) this.raiseAlarm(excursion.since);
    } else if (aboveSince !== undefined) {
      this.armOnset(aboveSince);
    }
  }

  /** A value of the guarded channel (`sensor.changed`). */
  reading(raw: string | number): void {
    const value = typeof raw === 'number' ? raw : DECIMAL.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isFinite(value)) {
      this.ignored += 1;
      if (this.ignored % LOG_IGNORED_EVERY === 1) {
        const { cabinet, settings } = this.deps;
        this.deps.logger.warn(
          {
            cabinet,
            sensor: settings.sensor,
            channel: settings.channel,
            value: String(raw).slice(0, MAX_LOGGED_VALUE),
            ignored: this.ignored,
          },
          'temperature reading is not a number: ignored, the last reading stands',
        );
      }
      return;
    }
    const now = this.deps.clock.now();
    this.state.value = value;
    if (value > this.deps.settings.maxC) {
      this.belowSince = undefined;
      this.clear('resumeTimer');
      if (this.state.aboveSince !== undefined) return;
      this.state.aboveSince = now;
      this.save();
      if (!this.state.excursion) this.armOnset(now);
      return;
    }
    if (this.state.aboveSince !== undefined) {
      this.state.aboveSince = undefined;
      this.clear('onsetTimer');
      this.save();
    }
    if (this.state.excursion && this.belowSince === undefined) {
      this.belowSince = now;
      this.resumeTimer = this.deps.clock.setTimeout(() => {
        this.resumeTimer = undefined;
        this.end('cooled down');
      }, this.deps.settings.resumeAfterMs);
    }
  }

  /**
   * Staff resume selling now (a signed `cabinets/resume`); returns whether it had stopped. Still
   * above the limit, the count starts again from now: another `forMs` stops it again, with a new alarm.
   */
  resume(): boolean {
    if (!this.state.excursion) return false;
    if (this.state.aboveSince !== undefined) this.state.aboveSince = this.deps.clock.now();
    this.end('resumed by request');
    if (this.state.aboveSince !== undefined) this.armOnset(this.state.aboveSince);
    return true;
  }

  stop(): void {
    this.clear('onsetTimer');
    this.clear('resumeTimer');
    this.clear('retryTimer');
  }

  private armOnset(aboveSince: number): void {
    this.clear('onsetTimer');
    const delay = Math.max(0, aboveSince + this.deps.settings.forMs - this.deps.clock.now());
    this.onsetTimer = this.deps.clock.setTimeout(() => {
      this.onsetTimer = undefined;
      this.begin();
    }, delay);
  }

  private begin(): void {
    const since = this.state.aboveSince;
    if (since === undefined || this.state.excursion) return;
    const now = this.deps.clock.now();
    this.state.excursion = { since, at: now, alarmed: false };
    const { cabinet, settings } = this.deps;
    this.deps.logger.warn(
      {
        cabinet,
        temperatureC: this.state.value,
        limitC: settings.maxC,
        since: iso(since),
        forMs: now - since,
      },
      'cabinet too warm: not selling until it has cooled down',
    );
    // Selling stops first, whatever the store says: the alarm follows as soon as it is committed.
    this.deps.block(true);
    this.raiseAlarm(since);
  }

  private raiseAlarm(since: number): void {
    const { cabinet, zone, settings } = this.deps;
    const minutes = Math.round((this.deps.clock.now() - since) / 60_000);
    this.pendingAlarm = {
      type: 'security.alarm',
      kind: 'temperature',
      cabinet,
      zone,
      sensor: settings.sensor,
      channel: settings.channel,
      ...(this.state.value === undefined ? {} : { temperatureC: this.state.value }),
      limitC: settings.maxC,
      since: iso(since),
      detail: `above ${settings.maxC} °C for ${minutes} min`,
    };
    this.commitAlarm();
  }

  private commitAlarm(): void {
    const alarm = this.pendingAlarm;
    if (!alarm) return;
    const excursion = this.state.excursion;
    try {
      this.deps.bus.transaction(() => {
        this.deps.save({ ...this.state, excursion: excursion && { ...excursion, alarmed: true } });
        this.deps.bus.emit(alarm);
      });
    } catch (error) {
      this.deps.logger.error(
        { err: error, cabinet: this.deps.cabinet },
        'temperature alarm not committed; retrying',
      );
      this.retryTimer = this.deps.clock.setTimeout(() => {
        this.retryTimer = undefined;
        this.commitAlarm();
      }, COMMIT_RETRY_MS);
      return;
    }
    this.pendingAlarm = undefined;
    if (excursion) excursion.alarmed = true;
  }

  private end(how: string): void {
    const excursion = this.state.excursion;
    if (!excursion) return;
    this.state.excursion = undefined;
    this.belowSince = undefined;
    this.clear('resumeTimer');
    this.save();
    this.deps.logger.info(
      {
        cabinet: this.deps.cabinet,
        temperatureC: this.state.value,
        stoppedForMs: this.deps.clock.now() - excursion.at,
      },
      `cabinet selling again: ${how}`,
    );
    this.deps.block(false);
  }

  /** A state change without an event: a failed write is logged, and the guard goes on from memory. */
  private save(): void {
    try {
      this.deps.bus.transaction(() => this.deps.save(this.state));
    } catch (error) {
      this.deps.logger.error({ err: error, cabinet: this.deps.cabinet }, 'temperature state not stored');
    }
  }

  private clear(timer: 'onsetTimer' | 'resumeTimer' | 'retryTimer'): void {
    const handle = this[timer];
    if (handle !== undefined) this.deps.clock.clearTimeout(handle);
    this[timer] = undefined;
  }
}

function iso(atMs: number): string {
  return new Date(atMs).toISOString();
}
