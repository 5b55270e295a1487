import type { GatewayConfig } from '../config/schema.js';
import type { Inventory } from '../domain/inventory/index.js';
import { redactUrl } from '../mqtt/errors.js';
import type { GatewayCommandHandlers } from '../mqtt/gateway-commands.js';
import type { Clock } from '../shared/clock.js';
import type { Outbox } from '../store/types.js';
import type { DevicePipeline } from './device-pipeline.js';
import { allZones } from './engine-config.js';
import type { Readers } from './readers.js';

export interface HandlerContext {
  config: GatewayConfig;
  readers: Readers;
  /** Snapshots with counts per product; without it, the core's present tags. */
  inventory: Inventory | undefined;
  outbox: Outbox;
  clock: Clock;
  startedAt: number;
}

/** The config as an operator may see it: no credentials, wherever they were written. */
export function redactedConfig(config: GatewayConfig): unknown {
  if (!config.mqtt) return config;
  const { username, ...mqtt } = config.mqtt;
  return {
    ...config,
    mqtt: {
      ...mqtt,
      url: redactUrl(mqtt.url),
      ...(username === undefined ? {} : { username: '[redacted]' }),
    },
  };
}

function readerView(device: DevicePipeline) {
  return { reader: device.id, state: device.connectionState, counters: device.counters };
}

/** What the gateway answers on `<base>/request/<command>`. Errors become `status: "error"` replies. */
export function gatewayCommandHandlers(context: HandlerContext): GatewayCommandHandlers {
  const { config, readers, outbox, clock } = context;
  const engine = readers.engine;
  const devices = () => readers.devices;
  const zoneIds = () => allZones(config).map((zone) => zone.id);
  const device = (id: string) => {
    const found = devices().find((candidate) => candidate.id === id);
    if (!found)
      throw new Error(
        `unknown reader "${id}" (readers: ${devices()
          .map((d) => d.id)
          .join(', ')})`,
      );
    return found;
  };
  return {
    ping: () => ({
      gateway: config.gatewayId,
      ts: new Date(clock.now()).toISOString(),
      uptimeSec: Math.round((clock.now() - context.startedAt) / 1000),
    }),
    inventoryGet: ({ zone }) => {
      if (zone !== undefined && !zoneIds().includes(zone)) {
        throw new Error(`unknown zone "${zone}" (zones: ${zoneIds().join(', ')})`);
      }
      const zones = zone === undefined ? zoneIds() : [zone];
      const { inventory } = context;
      return Object.fromEntries(
        zones.map((id) => [id, inventory ? inventory.snapshot(id) : engine.present(id)]),
      );
    },
    readersGet: ({ reader }) =>
      reader === undefined ? devices().map(readerView) : readerView(device(reader)),
    readersRestart: async ({ reader }) => {
      await device(reader).restart();
      return readerView(device(reader));
    },
    configGet: () => redactedConfig(config),
    outboxStats: () => outbox.stats(),
  };
}
