import type { GatewayConfig } from '../config/schema.js';
import { zoneSchema } from '../config/schema.js';
import type { EngineConfig } from '../core/index.js';
import { resolveEngineConfig } from '../core/index.js';

/** Every zone a config mentions, listed ones first, each with its settings (defaults if unlisted). */
export function allZones(config: GatewayConfig): GatewayConfig['zones'] {
  const zones = new Map(config.zones.map((zone) => [zone.id, zone]));
  const mention = (id: string) => {
    if (!zones.has(id)) zones.set(id, zoneSchema.parse({ id }));
  };
  for (const reader of config.readers) {
    mention(reader.zone ?? reader.id);
    for (const zone of Object.values(reader.antennaZones)) mention(zone);
  }
  for (const sensor of config.sensors) mention(sensor.zone ?? sensor.id);
  for (const door of config.doors) for (const zone of door.path) mention(zone);
  return [...zones.values()];
}

export function engineConfigFrom(config: GatewayConfig): EngineConfig {
  return resolveEngineConfig({
    capacity: config.core.capacity,
    ringSize: config.core.ringSize,
    maxTagBytes: config.core.maxTagBytes,
    zones: allZones(config),
    readers: config.readers.map((reader) => ({
      id: reader.id,
      defaultZone: reader.zone ?? reader.id,
      antennaZones: Object.fromEntries(
        Object.entries(reader.antennaZones).map(([antenna, zone]) => [Number(antenna), zone]),
      ),
    })),
    include: config.filters.include,
    exclude: config.filters.exclude,
    crossRead: config.crossRead,
    doors: config.doors,
  });
}
