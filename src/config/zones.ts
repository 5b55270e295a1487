import type { GatewayConfig, ReaderConfig, SensorConfig } from './schema.js';
import { zoneSchema } from './schema.js';

type ZoneConfig = GatewayConfig['zones'][number];

/**
 * Where a device's reads or channels land: every antenna listed in `antennaZones` in its zone, every
 * other antenna (and a sensor's channels) in `zone`, else in a zone named like the device. The one
 * place this rule is written; the core, the features and the config checks all ask here.
 */
export interface DeviceZones {
  /** Zone of the antennas `antennaZones` does not list (and of a sensor's channels). */
  readonly fallback: string;
  readonly byAntenna: ReadonlyMap<number, string>;
  /** Every zone a read of this device may land in, fallback first. */
  readonly all: readonly string[];
  /**
   * The zones worth showing (Home Assistant, retained inventory): the fallback only when the config
   * names it, maps no antenna, or reads an antenna it does not map (`settings.antennas`). A reader
   * whose antennas are all mapped would otherwise announce an always-empty zone named after itself.
   */
  readonly shown: readonly string[];
}

export function deviceZones(device: ReaderConfig | SensorConfig): DeviceZones {
  const fallback = device.zone ?? device.id;
  const mapped = 'antennaZones' in device ? Object.entries(device.antennaZones) : [];
  const byAntenna = new Map(mapped.map(([antenna, zone]) => [Number(antenna), zone]));
  const all = [...new Set([fallback, ...byAntenna.values()])];
  const fallbackShown =
    device.zone !== undefined || byAntenna.size === 0 || readAntennas(device).some((a) => !byAntenna.has(a));
  const shown = fallbackShown ? all : [...new Set(byAntenna.values())];
  return { fallback, byAntenna, all, shown };
}

/** The antennas a reader's settings say it reads (`settings.antennas`), if they say. */
function readAntennas(device: ReaderConfig | SensorConfig): number[] {
  const listed = 'settings' in device ? (device.settings as { antennas?: unknown }).antennas : undefined;
  return Array.isArray(listed) ? listed.filter((a): a is number => typeof a === 'number') : [];
}

/** The zone a read of `antenna` lands in. */
export function zoneOfAntenna(zones: DeviceZones, antenna: number): string {
  return zones.byAntenna.get(antenna) ?? zones.fallback;
}

/** Every zone a config mentions, listed ones first, each with its settings (defaults if unlisted). */
export function allZones(config: GatewayConfig): ZoneConfig[] {
  const zones = new Map(config.zones.map((zone) => [zone.id, zone]));
  const mention = (id: string) => {
    if (!zones.has(id)) zones.set(id, zoneSchema.parse({ id }));
  };
  for (const device of [...config.readers, ...config.sensors])
    for (const zone of deviceZones(device).all) mention(zone);
  for (const door of config.doors) for (const zone of door.path) mention(zone);
  return [...zones.values()];
}

/**
 * The zones of stock worth showing: those readers' reads land in, without the fallback zones no read
 * can reach in practice (see DeviceZones.shown). Card readers read cards, not stock: their zones are
 * left out when `cardReaders` names them.
 */
export function stockZoneIds(config: GatewayConfig, cardReaders: ReadonlySet<string> = new Set()): string[] {
  const ids = new Set<string>();
  for (const reader of config.readers) {
    if (cardReaders.has(reader.id)) continue;
    for (const zone of deviceZones(reader).shown) ids.add(zone);
  }
  return [...ids];
}

/** The readers a cabinet's card reader is: their reads are cards, not stock. */
export function cardReaderIds(config: Pick<GatewayConfig, 'cabinets'>): Set<string> {
  return new Set(config.cabinets.flatMap((cabinet) => cabinet.cardReader ?? []));
}
