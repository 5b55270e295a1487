import { configSchema, type GatewayConfig } from './schema.js';

export interface CapturedPort {
  id: string;
  driver: string;
  baudRate?: number;
}

/**
 * The config a replay uses when none is given (DESIGN.md): each captured port becomes a reader
 * (or a sensor, by driver) with its id, and every antenna of port X maps to zone X.
 */
export function configFromCapture(ports: ReadonlyArray<CapturedPort>, gatewayId = 'replay'): GatewayConfig {
  const readers = [];
  const sensors = [];
  for (const port of ports) {
    const device = {
      id: port.id,
      driver: port.driver,
      port: `capture:${port.id}`,
      ...(port.baudRate === undefined ? {} : { baudRate: port.baudRate }),
    };
    if (port.driver === 'lines') sensors.push(device);
    else readers.push(device);
  }
  return configSchema.parse({ gatewayId, readers, sensors });
}
