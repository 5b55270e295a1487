import type { GatewayConfig } from '../config/schema.js';
import { allZones } from '../config/zones.js';
import { redactUrl } from '../mqtt/errors.js';
import type { GatewayCommandHandlers } from '../mqtt/gateway-commands.js';
import type { Clock } from '../shared/clock.js';
import type { Services } from '../shared/feature.js';
import { REDACTED } from '../shared/redaction.js';
import type { Outbox } from '../store/types.js';
import type { DeviceControl, DeviceView, TagQuery } from './reading-services.js';

export interface HandlerContext {
  config: GatewayConfig;
  tags: TagQuery;
  devices: DeviceControl;
  /** Snapshots with counts per product; without it, the core's present tags. */
  inventory: Services['inventory'] | undefined;
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
      ...(username === undefined ? {} : { username: REDACTED }),
    },
  };
}

function readerView(device: DeviceView) {
  return { reader: device.id, state: device.state, counters: device.counters };
}

/** What the gateway answers on `<base>/request/<command>`. Errors become `status: "error"` replies. */
export function gatewayCommandHandlers(context: HandlerContext): GatewayCommandHandlers {
  const { config, tags, outbox, clock } = context;
  const devices = () => tags.devices();
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
        zones.map((id) => [id, inventory ? inventory.snapshot(id) : tags.present(id)]),
      );
    },
    readersGet: ({ reader }) =>
      reader === undefined ? devices().map(readerView) : readerView(device(reader)),
    readersRestart: async ({ reader }) => {
      device(reader);
      await context.devices.restart(reader);
      return readerView(device(reader));
    },
    configGet: () => redactedConfig(config),
    outboxStats: () => outbox.stats(),
  };
}
