import { ENGINE_LIMITS, type EngineConfig } from './config.js';

/** Antennas 0..ANTENNA_SLOTS-1 have an entry per reader in `antennaZones`. */
export const ANTENNA_SLOTS = ENGINE_LIMITS.antenna + 1;

/**
 * Readers, antennas and zones resolved to small integers once, with per-zone settings in typed
 * arrays: the hot path looks a read's zone up with one index and never touches a string.
 */
export class ZoneMap {
  readonly zoneIds: readonly string[];
  readonly readerIds: readonly string[];
  readonly arriveAfterReads: Int32Array;
  readonly arriveWindowMs: Float64Array;
  readonly departAfterMs: Float64Array;
  /** -Infinity where the zone has no floor, so the comparison needs no branch for "off". */
  readonly rssiFloor: Float64Array;
  /** +Infinity where re-reporting is off. */
  readonly reReportMs: Float64Array;
  readonly maxArriveAfterReads: number;
  /** Zone of `reader * ANTENNA_SLOTS + antenna`, the reader's default zone where none is configured. */
  readonly antennaZones: Int32Array;
  private readonly defaultZones: Int32Array;
  private readonly zoneIndexById: ReadonlyMap<string, number>;
  private readonly readerIndexById: ReadonlyMap<string, number>;

  constructor(config: EngineConfig) {
    const zones = config.zones;
    this.zoneIds = zones.map((zone) => zone.id);
    this.zoneIndexById = new Map(this.zoneIds.map((id, index) => [id, index]));
    this.arriveAfterReads = Int32Array.from(zones, (zone) => zone.arriveAfterReads);
    this.arriveWindowMs = Float64Array.from(zones, (zone) => zone.arriveWindowMs);
    this.departAfterMs = Float64Array.from(zones, (zone) => zone.departAfterMs);
    this.rssiFloor = Float64Array.from(zones, (zone) => zone.rssiFloor ?? Number.NEGATIVE_INFINITY);
    this.reReportMs = Float64Array.from(zones, (zone) => zone.reReportMs ?? Number.POSITIVE_INFINITY);
    this.maxArriveAfterReads = Math.max(1, ...this.arriveAfterReads);

    const readers = config.readers;
    this.readerIds = readers.map((reader) => reader.id);
    this.readerIndexById = new Map(this.readerIds.map((id, index) => [id, index]));
    this.defaultZones = Int32Array.from(readers, (reader) => this.zoneIndex(reader.defaultZone));
    this.antennaZones = new Int32Array(readers.length * ANTENNA_SLOTS);
    readers.forEach((reader, readerIndex) => {
      const base = readerIndex * ANTENNA_SLOTS;
      this.antennaZones.fill(this.defaultZones[readerIndex] as number, base, base + ANTENNA_SLOTS);
      for (const [antenna, zoneId] of Object.entries(reader.antennaZones)) {
        this.antennaZones[base + Number(antenna)] = this.zoneIndex(zoneId);
      }
    });
  }

  get readerCount(): number {
    return this.readerIds.length;
  }

  /** Zone index of a read; antennas that are not integers in 0..255 go to the reader's default zone. */
  zoneOf(reader: number, antenna: number): number {
    const slot = antenna >>> 0;
    if (slot === antenna && slot < ANTENNA_SLOTS) {
      return this.antennaZones[reader * ANTENNA_SLOTS + slot] as number;
    }
    return this.defaultZones[reader] as number;
  }

  /** -1 when unknown. */
  zoneIndex(id: string): number {
    return this.zoneIndexById.get(id) ?? -1;
  }

  /** -1 when unknown. */
  readerIndex(id: string): number {
    return this.readerIndexById.get(id) ?? -1;
  }
}
