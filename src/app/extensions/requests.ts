import { inventoryOf } from '../../domain/inventory/index.js';
import { registerGatewayCommands } from '../../mqtt/gateway-commands.js';
import { RequestRouter } from '../../mqtt/requests.js';
import type { ExtensionFactory } from '../context.js';
import { gatewayCommandHandlers } from '../request-handlers.js';

/**
 * Answers `<base>/request/<command>` for every command in the registry: the gateway's own, and
 * whatever other extensions registered when they were built.
 */
export const requests: ExtensionFactory = (context) => {
  const { mqtt, mode, requests: registry, clock, logger } = context;
  if (!mqtt || mode === 'replay') return undefined;
  const unregister = registerGatewayCommands(
    registry,
    gatewayCommandHandlers({
      config: context.config,
      readers: context.readers,
      inventory: inventoryOf(context),
      outbox: context.store.outbox,
      clock,
      startedAt: clock.now(),
    }),
  );
  const router = new RequestRouter({ registry, clock, logger: logger.child({ component: 'requests' }) });
  let detach: (() => void) | undefined;
  return {
    name: 'requests',
    start() {
      const { client, topics } = mqtt;
      detach = router.attach(client.raw, {
        requestWildcard: topics.requestFilter,
        requestPrefix: `${topics.base}/request/`,
        responseTopic: (command) => topics.response(command),
      });
    },
    stop() {
      detach?.();
      unregister();
    },
  };
};
