/** How a zone turns reads into presence. Every field has a documented default (see `ZONE_DEFAULTS`). */
export interface ZoneSettings {
  /** Reads needed before a tag arrives; they must fall within `arriveWindowMs`. Default 1. */
  arriveAfterReads: number;
  /** The `arriveAfterReads` reads must span less than this. Default 2000 ms. */
  arriveWindowMs: number;
  /** Hold-off after the last read in the zone before the tag departs. Default 3000 ms. */
  departAfterMs: number;
  /** Reads with an RSSI below this (dBm) are ignored and counted; NaN RSSI always passes. Default null (off). */
  rssiFloor: number | null;
  /** `tag.present` every this many ms while the tag stays in the zone. Default null (off). */
  reReportMs: number | null;
}

export interface ZoneConfig extends ZoneSettings {
  id: string;
}

export interface ReaderConfig {
  id: string;
  /** Antenna number (1-based; 0 = the reader does not say) → zone id. */
  antennaZones: Record<number, string>;
  /** Zone of every antenna not listed in `antennaZones`. Default: a zone named like the reader. */
  defaultZone: string;
}

export interface CrossReadSettings {
  /** A challenger zone must beat the current zone's smoothed RSSI by more than this. Default 3 dB. */
  hysteresisDb: number;
  /** EWMA weight of a new RSSI sample, in (0, 1]. Default 0.3. */
  smoothing: number;
  /** A zone that has not read the tag for this long loses it to any zone that does. Default 1000 ms. */
  staleAfterMs: number;
}

export interface DoorConfig {
  id: string;
  /** Zone ids from inside to outside; at least two, all distinct. */
  path: string[];
  /** The moves along the path must complete within this. Default 5000 ms. */
  windowMs: number;
}

export interface EngineConfig {
  /** Tags tracked at once (candidates, present tags and the cache of filtered tags). Default 16384. */
  capacity: number;
  /** Longest identifier accepted; longer reads are counted (`tooLong`) and skipped. Default 62. */
  maxTagBytes: number;
  /** Recent-reads ring buffer size, a power of two. Default 4096. */
  ringSize: number;
  zones: ZoneConfig[];
  readers: ReaderConfig[];
  /** GS1 pattern URIs or hex prefixes ('3074257B*' or '3074257B'); empty = every tag. Default []. */
  include: string[];
  /** Same syntax as `include`; a tag matching any is ignored. Default []. */
  exclude: string[];
  crossRead: CrossReadSettings;
  doors: DoorConfig[];
  /** While the tag table is full, at most one `core.overflow` event per this interval. Default 10000 ms. */
  overflowReportMs: number;
}

/** What callers may leave out: every field of `EngineConfig` except ids is optional. */
export interface EngineConfigInput {
  capacity?: number;
  maxTagBytes?: number;
  ringSize?: number;
  /** Applied to every zone before its own settings. */
  zoneDefaults?: Partial<ZoneSettings>;
  zones?: Array<{ id: string } & Partial<ZoneSettings>>;
  readers?: Array<{ id: string; antennaZones?: Record<number, string>; defaultZone?: string }>;
  include?: string[];
  exclude?: string[];
  crossRead?: Partial<CrossReadSettings>;
  doors?: Array<{ id: string; path: string[]; windowMs?: number }>;
  overflowReportMs?: number;
}

export const ZONE_DEFAULTS: Readonly<ZoneSettings> = Object.freeze({
  arriveAfterReads: 1,
  arriveWindowMs: 2000,
  departAfterMs: 3000,
  rssiFloor: null,
  reReportMs: null,
});

export const ENGINE_DEFAULTS = Object.freeze({
  capacity: 16384,
  maxTagBytes: 62,
  ringSize: 4096,
  crossRead: Object.freeze({ hysteresisDb: 3, smoothing: 0.3, staleAfterMs: 1000 }),
  doorWindowMs: 5000,
  overflowReportMs: 10_000,
});

/** Upper bounds that keep the preallocated arrays sane; far above any real deployment. */
export const ENGINE_LIMITS = Object.freeze({
  capacity: 1 << 22,
  maxTagBytes: 255,
  ringSize: 1 << 20,
  arriveAfterReads: 64,
  antenna: 255,
  zones: 30_000,
  /** The read ring keeps a reader index in 12 bits. */
  readers: 4095,
  doorPath: 16,
});

/**
 * Fills documented defaults. A zone referenced by a reader but not declared is added with the
 * defaults, so a config derived from a capture header (zone per port) needs no zone list.
 */
export function resolveEngineConfig(input: EngineConfigInput = {}): EngineConfig {
  const zoneDefaults: ZoneSettings = { ...ZONE_DEFAULTS, ...stripUndefined(input.zoneDefaults ?? {}) };
  const zones: ZoneConfig[] = (input.zones ?? []).map((zone) => ({
    ...zoneDefaults,
    ...stripUndefined(zone),
    id: zone.id,
  }));
  const readers: ReaderConfig[] = (input.readers ?? []).map((reader) => ({
    id: reader.id,
    antennaZones: { ...(reader.antennaZones ?? {}) },
    defaultZone: reader.defaultZone ?? reader.id,
  }));
  const declared = new Set(zones.map((zone) => zone.id));
  for (const reader of readers) {
    for (const zoneId of [reader.defaultZone, ...Object.values(reader.antennaZones)]) {
      if (declared.has(zoneId)) continue;
      declared.add(zoneId);
      zones.push({ id: zoneId, ...zoneDefaults });
    }
  }
  return {
    capacity: input.capacity ?? ENGINE_DEFAULTS.capacity,
    maxTagBytes: input.maxTagBytes ?? ENGINE_DEFAULTS.maxTagBytes,
    ringSize: input.ringSize ?? ENGINE_DEFAULTS.ringSize,
    zones,
    readers,
    include: [...(input.include ?? [])],
    exclude: [...(input.exclude ?? [])],
    crossRead: { ...ENGINE_DEFAULTS.crossRead, ...stripUndefined(input.crossRead ?? {}) },
    doors: (input.doors ?? []).map((door) => ({
      id: door.id,
      path: [...door.path],
      windowMs: door.windowMs ?? ENGINE_DEFAULTS.doorWindowMs,
    })),
    overflowReportMs: input.overflowReportMs ?? ENGINE_DEFAULTS.overflowReportMs,
  };
}

/** Throws an Error naming the first offending field (`zones[2].departAfterMs: ...`). */
export function validateEngineConfig(config: EngineConfig): void {
  checkInteger('capacity', config.capacity, 1, ENGINE_LIMITS.capacity);
  checkInteger('maxTagBytes', config.maxTagBytes, 1, ENGINE_LIMITS.maxTagBytes);
  checkInteger('ringSize', config.ringSize, 1, ENGINE_LIMITS.ringSize);
  if ((config.ringSize & (config.ringSize - 1)) !== 0) {
    throw new Error(`ringSize: must be a power of two, got ${config.ringSize}`);
  }
  checkPositive('overflowReportMs', config.overflowReportMs);
  if (config.zones.length === 0) throw new Error('zones: at least one zone is needed');
  if (config.zones.length > ENGINE_LIMITS.zones) throw new Error(`zones: more than ${ENGINE_LIMITS.zones}`);
  const zoneIds = new Set<string>();
  config.zones.forEach((zone, index) => {
    const at = `zones[${index}]`;
    if (zoneIds.has(zone.id)) throw new Error(`${at}.id: duplicate zone id "${zone.id}"`);
    zoneIds.add(zone.id);
    checkInteger(`${at}.arriveAfterReads`, zone.arriveAfterReads, 1, ENGINE_LIMITS.arriveAfterReads);
    checkPositive(`${at}.arriveWindowMs`, zone.arriveWindowMs);
    checkPositive(`${at}.departAfterMs`, zone.departAfterMs);
    if (zone.rssiFloor !== null && !Number.isFinite(zone.rssiFloor)) {
      throw new Error(`${at}.rssiFloor: must be a finite number (dBm) or null, got ${zone.rssiFloor}`);
    }
    if (zone.reReportMs !== null) checkPositive(`${at}.reReportMs`, zone.reReportMs);
  });
  if (config.readers.length > ENGINE_LIMITS.readers) {
    throw new Error(`readers: more than ${ENGINE_LIMITS.readers}`);
  }
  const readerIds = new Set<string>();
  config.readers.forEach((reader, index) => {
    const at = `readers[${index}]`;
    if (readerIds.has(reader.id)) throw new Error(`${at}.id: duplicate reader id "${reader.id}"`);
    readerIds.add(reader.id);
    checkZoneRef(`${at}.defaultZone`, reader.defaultZone, zoneIds);
    for (const [antenna, zoneId] of Object.entries(reader.antennaZones)) {
      checkInteger(`${at}.antennaZones`, Number(antenna), 0, ENGINE_LIMITS.antenna);
      checkZoneRef(`${at}.antennaZones[${antenna}]`, zoneId, zoneIds);
    }
  });
  const { hysteresisDb, smoothing, staleAfterMs } = config.crossRead;
  if (!(Number.isFinite(hysteresisDb) && hysteresisDb >= 0)) {
    throw new Error(`crossRead.hysteresisDb: must be a finite number >= 0, got ${hysteresisDb}`);
  }
  if (!(smoothing > 0 && smoothing <= 1)) {
    throw new Error(`crossRead.smoothing: must be in (0, 1], got ${smoothing}`);
  }
  checkPositive('crossRead.staleAfterMs', staleAfterMs);
  const doorIds = new Set<string>();
  config.doors.forEach((door, index) => {
    const at = `doors[${index}]`;
    if (doorIds.has(door.id)) throw new Error(`${at}.id: duplicate door id "${door.id}"`);
    doorIds.add(door.id);
    if (door.path.length < 2 || door.path.length > ENGINE_LIMITS.doorPath) {
      throw new Error(`${at}.path: needs 2 to ${ENGINE_LIMITS.doorPath} zones, got ${door.path.length}`);
    }
    if (new Set(door.path).size !== door.path.length) throw new Error(`${at}.path: zones must be distinct`);
    door.path.forEach((zoneId, step) => {
      checkZoneRef(`${at}.path[${step}]`, zoneId, zoneIds);
    });
    checkPositive(`${at}.windowMs`, door.windowMs);
  });
}

function checkInteger(path: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${path}: must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function checkPositive(path: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new Error(`${path}: must be a finite number > 0, got ${value}`);
  }
}

function checkZoneRef(path: string, zoneId: string, zoneIds: ReadonlySet<string>): void {
  if (!zoneIds.has(zoneId)) throw new Error(`${path}: unknown zone "${zoneId}"`);
}

/** `{ ...defaults, ...input }` must not let an explicit `undefined` erase a default. */
function stripUndefined<T extends object>(value: T): Partial<T> {
  const result: Partial<T> = {};
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] !== undefined) result[key] = value[key];
  }
  return result;
}
