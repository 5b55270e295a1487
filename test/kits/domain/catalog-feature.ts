import { configSchema } from '../../../src/config/schema.js';
import { CatalogExtension } from '../../../src/domain/catalog/index.js';
import { RequestRegistry } from '../../../src/mqtt/request-registry.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { VirtualClock } from '../../../src/shared/clock.js';
import type { FeatureContext } from '../../../src/shared/feature.js';
import { Store } from '../../../src/store/index.js';
import { requestRunner } from '../../helpers/run-request.js';

export const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

export interface CatalogFeatureOptions {
  /** Where the store is (the same one across a restart); in memory by default. */
  dataDir?: string;
  /** The config's catalog file (imported at `start()`). */
  catalogFile?: string;
}

/**
 * The catalog feature as the controller builds it, without the rest of a gateway: a store, a virtual
 * clock, and the registry its requests go to. `request` runs a command as the router does; a test
 * that needs the router's own checks (payload sizes) puts a `RequestRouter` on `requests`. Not
 * started (a test starts it when it imports a file). The test closes `store`.
 */
export function catalogFeature(options: CatalogFeatureOptions = {}) {
  const clock = new VirtualClock(T0);
  const logger = silentLogger();
  const store = Store.open({ dataDir: options.dataDir ?? ':memory:', clock, logger });
  const requests = new RequestRegistry();
  // Only what the catalog uses; the rest of the context is not touched by it.
  const context = {
    config: configSchema.parse(options.catalogFile === undefined ? {} : { catalogFile: options.catalogFile }),
    store,
    clock,
    logger,
    requests,
  } as unknown as FeatureContext;
  const extension = new CatalogExtension(context);
  return { clock, store, requests, context, extension, request: requestRunner(requests) };
}
