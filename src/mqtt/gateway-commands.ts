import type { RequestRegistry } from './request-registry.js';
import { gatewayCommandFields as fields } from './request-schemas.js';

/** What the gateway itself answers; the controller wires these to the core, the store and the config. */
export interface GatewayCommandHandlers {
  ping(): Promise<unknown> | unknown;
  inventoryGet(args: { zone?: string }): Promise<unknown> | unknown;
  readersGet(args: { reader?: string }): Promise<unknown> | unknown;
  readersRestart(args: { reader: string }): Promise<unknown>;
  /** Must already be redacted: the answer goes to whoever may publish on the request topic. */
  configGet(): Promise<unknown> | unknown;
  outboxStats(): Promise<unknown> | unknown;
}

/** Registers `ping`, `inventory/get`, `readers/get`, `readers/restart`, `config/get`, `outbox/stats`. */
export function registerGatewayCommands(
  registry: RequestRegistry,
  handlers: GatewayCommandHandlers,
  owner = 'gateway',
): () => void {
  const removers = [
    registry.register('ping', fields.ping, () => handlers.ping(), { owner }),
    registry.register(
      'inventory/get',
      fields['inventory/get'],
      ({ zone }) => handlers.inventoryGet(zone === undefined ? {} : { zone }),
      { owner },
    ),
    registry.register(
      'readers/get',
      fields['readers/get'],
      ({ reader }) => handlers.readersGet(reader === undefined ? {} : { reader }),
      { owner },
    ),
    registry.register(
      'readers/restart',
      fields['readers/restart'],
      ({ reader }) => handlers.readersRestart({ reader }),
      { owner, changesState: true },
    ),
    registry.register('config/get', fields['config/get'], () => handlers.configGet(), { owner }),
    registry.register('outbox/stats', fields['outbox/stats'], () => handlers.outboxStats(), { owner }),
  ];
  return () => {
    for (const remove of removers) remove();
  };
}
