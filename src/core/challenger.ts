import type { CrossReadSettings } from './config.js';
import * as currentRead from './current-read.js';
import * as tagState from './tag-state.js';

// Local copies: V8 folds a module's own constants but checks an imported binding at every use.
const { AT_MS, RSSI } = currentRead;
const { F_CHALLENGER_SEEN, F_CHALLENGER_SMOOTHED, F_LAST_SEEN, F_SMOOTHED, FLOAT_FIELDS } = tagState;
const { I_CHALLENGER, I_READER, I_ZONE, INT_FIELDS } = tagState;

/**
 * Cross-read resolution for one record: the current zone against one best challenger, RSSI smoothed by
 * EWMA, with hysteresis and the stale rule (`PresenceEngine` documents them). Its own module so the
 * zone state machine stays readable; it only reads and writes the record's fields.
 */
export class Challenger {
  private readonly ints: Int32Array;
  private readonly floats: Float64Array;
  /** The read being processed: see `current-read.ts`. */
  private readonly current: Float64Array;
  private readonly hysteresisDb: number;
  private readonly smoothing: number;
  private readonly staleAfterMs: number;
  /** `ReaderHold.releasedAt`: a zone whose reader was just released is not stale before it could read. */
  private readonly releasedAt: Float64Array;

  constructor(
    tags: tagState.TagState,
    current: Float64Array,
    settings: CrossReadSettings,
    releasedAt: Float64Array,
  ) {
    this.releasedAt = releasedAt;
    this.ints = tags.ints;
    this.floats = tags.floats;
    this.current = current;
    this.hysteresisDb = settings.hysteresisDb;
    this.smoothing = settings.smoothing;
    this.staleAfterMs = settings.staleAfterMs;
  }

  /** Feeds a read from a zone other than the current one; true when that zone should take the tag. */
  challenge(record: number, zone: number): boolean {
    const ints = this.ints;
    const floats = this.floats;
    const i = record * INT_FIELDS;
    const f = record * FLOAT_FIELDS;
    const now = this.current[AT_MS] as number;
    const rssi = this.current[RSSI] as number;
    const challenger = ints[i + I_CHALLENGER] as number;
    if (challenger === zone) {
      this.smoothInto(f + F_CHALLENGER_SMOOTHED);
      floats[f + F_CHALLENGER_SEEN] = now;
    } else if (
      challenger < 0 ||
      now - (floats[f + F_CHALLENGER_SEEN] as number) >= this.staleAfterMs ||
      !(rssi <= (floats[f + F_CHALLENGER_SMOOTHED] as number))
    ) {
      // A new challenger starts from the current zone's level, so one strong read cannot take the tag.
      ints[i + I_CHALLENGER] = zone;
      floats[f + F_CHALLENGER_SMOOTHED] = floats[f + F_SMOOTHED] as number;
      if (Number.isNaN(floats[f + F_CHALLENGER_SMOOTHED])) floats[f + F_CHALLENGER_SMOOTHED] = rssi;
      else this.smoothInto(f + F_CHALLENGER_SMOOTHED);
      floats[f + F_CHALLENGER_SEEN] = now;
    } else {
      return false;
    }
    const lastSeen = floats[f + F_LAST_SEEN] as number;
    const released = this.releasedAt[ints[i + I_READER] as number] as number;
    return (
      now - (lastSeen > released ? lastSeen : released) >= this.staleAfterMs ||
      (floats[f + F_CHALLENGER_SMOOTHED] as number) > (floats[f + F_SMOOTHED] as number) + this.hysteresisDb
    );
  }

  /** The challenger becomes the current zone and the current zone the challenger (hysteresis both ways). */
  takeOver(record: number): void {
    const ints = this.ints;
    const floats = this.floats;
    const i = record * INT_FIELDS;
    const f = record * FLOAT_FIELDS;
    const zone = ints[i + I_ZONE] as number;
    const smoothed = floats[f + F_SMOOTHED] as number;
    const seen = floats[f + F_LAST_SEEN] as number;
    ints[i + I_ZONE] = ints[i + I_CHALLENGER] as number;
    floats[f + F_SMOOTHED] = floats[f + F_CHALLENGER_SMOOTHED] as number;
    floats[f + F_LAST_SEEN] = this.current[AT_MS] as number;
    ints[i + I_CHALLENGER] = zone;
    floats[f + F_CHALLENGER_SMOOTHED] = smoothed;
    floats[f + F_CHALLENGER_SEEN] = seen;
  }

  /** EWMA of `floats[at]` with the current read's RSSI; NaN samples are ignored, a NaN level is replaced. */
  smoothInto(at: number): void {
    const sample = this.current[RSSI] as number;
    if (Number.isNaN(sample)) return;
    const floats = this.floats;
    const level = floats[at] as number;
    floats[at] = Number.isNaN(level) ? sample : level + this.smoothing * (sample - level);
  }
}
