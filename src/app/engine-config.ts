import type { GatewayConfig } from '../config/schema.js';
import { allZones, deviceZones } from '../config/zones.js';
import type { EngineConfig } from '../core/index.js';
import { resolveEngineConfig } from '../core/index.js';

export function engineConfigFrom(config: GatewayConfig): EngineConfig {
  return resolveEngineConfig({
    capacity: config.core.capacity,
    ringSize: config.core.ringSize,
    maxTagBytes: config.core.maxTagBytes,
    zones: allZones(config),
    readers: config.readers.map((reader) => {
      const zones = deviceZones(reader);
      return {
        id: reader.id,
        defaultZone: zones.fallback,
        antennaZones: Object.fromEntries(zones.byAntenna),
      };
    }),
    include: config.filters.include,
    exclude: config.filters.exclude,
    crossRead: config.crossRead,
    doors: config.doors,
  });
}
