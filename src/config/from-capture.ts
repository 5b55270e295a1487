import { z } from 'zod';
import { namingReceivedValue } from '../shared/issue-messages.js';
import type { ExtraCheck } from './load.js';
import { configSchema, type GatewayConfig, readerSchema, sensorSchema } from './schema.js';

export interface CapturedPort {
  id: string;
  driver: string;
  baudRate?: number;
  /** A reader's settings when it was recorded. */
  settings?: Record<string, unknown> | undefined;
}

/**
 * What a capture header's ports must be for a config to hold them, checked on the header's own
 * terms: an unknown driver is reported as `ports[1].driver`, not as the `readers[0].driver` of a
 * config the user never wrote. Unknown fields are ignored, as in the capture header itself.
 */
const capturedPortsSchema = z.object({
  ports: z.array(
    z.object({
      id: readerSchema.shape.id,
      driver: z.enum([...readerSchema.shape.driver.options, ...sensorSchema.shape.driver.options]),
      baudRate: readerSchema.shape.baudRate,
    }),
  ),
});

/**
 * The config a replay uses when none is given (DESIGN.md): each captured port becomes a reader
 * (or a sensor, by driver) with its id, and every antenna of port X maps to zone X. Throws a
 * ZodError (messages name the values) when the header names a driver or id no config can hold.
 */
export function configFromCapture(
  ports: ReadonlyArray<CapturedPort>,
  gatewayId = 'replay',
  checks: readonly ExtraCheck[] = [],
): GatewayConfig {
  capturedPortsSchema.parse({ ports }, { error: namingReceivedValue });
  const readers = [];
  const sensors = [];
  for (const port of ports) {
    const device = {
      id: port.id,
      driver: port.driver,
      port: `capture:${port.id}`,
      ...(port.baudRate === undefined ? {} : { baudRate: port.baudRate }),
    };
    if ((sensorSchema.shape.driver.options as readonly string[]).includes(port.driver)) sensors.push(device);
    else readers.push(port.settings === undefined ? device : { ...device, settings: port.settings });
  }
  const config = configSchema.parse({ gatewayId, readers, sensors }, { error: namingReceivedValue });
  const problems = checks.flatMap((check) => check(config));
  if (problems.length === 0) return config;
  // Reported on the header's terms: `ports[2].settings.mode`, not a config's `readers[1]`.
  throw new z.ZodError(
    problems.map((problem) => ({
      code: 'custom' as const,
      path: headerPath(problem.path, config, ports),
      message: problem.message,
      input: undefined,
    })),
  );
}

function headerPath(path: string, config: GatewayConfig, ports: ReadonlyArray<CapturedPort>): PropertyKey[] {
  const keys = path
    .split(/[.[\]]/)
    .filter((key) => key !== '')
    .map((key) => (/^\d+$/.test(key) ? Number(key) : key));
  const [list, index, ...rest] = keys;
  const device = list === 'readers' || list === 'sensors' ? config[list][index as number] : undefined;
  const port = device ? ports.findIndex((candidate) => candidate.id === device.id) : -1;
  return port >= 0 ? ['ports', port, ...rest] : keys;
}
