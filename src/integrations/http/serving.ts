import type { HttpConfig } from '../../config/integrations.js';
import type { BusEventCounts } from './bus-counters.js';
import type { HttpContext } from './context.js';
import type { GatewayFigures } from './figures.js';
import type { HealthMonitor } from './health.js';
import { GatewayMetrics } from './prometheus.js';
import { close, createRoutesServer, hostPort, listen } from './server.js';

/** How long stopping waits for the responses in flight before cutting their connections. */
const CLOSE_GRACE_MS = 2000;

export interface Serving {
  readonly address: { host: string; port: number; url: string };
  stop(): Promise<void>;
}

/**
 * The listener's heavy part, loaded when it starts (prom-client, node:http): `/metrics` renders the
 * gateway's figures and the bus counts, `/healthz` the health monitor's report.
 *
 * Listens, or fails with a message naming host:port (`cannot listen on 127.0.0.1:9464: the port is
 * already in use ...`): a port another process holds would have that process answer the scrapes and
 * health probes meant for this gateway.
 */
export async function serve(
  context: HttpContext,
  settings: HttpConfig,
  parts: { health: HealthMonitor; figures: GatewayFigures; counts: BusEventCounts },
): Promise<Serving> {
  const { logger } = context;
  const { health } = parts;
  const metrics = new GatewayMetrics(context, health, parts.figures, parts.counts);
  metrics.start();
  const server = createRoutesServer(
    {
      '/metrics': async () => ({
        status: 200,
        contentType: metrics.contentType,
        body: await metrics.scrape(),
      }),
      '/healthz': () => {
        const report = { gateway: context.config.gatewayId, ...health.report() };
        return {
          status: report.status === 'ok' ? 200 : 503,
          contentType: 'application/json; charset=utf-8',
          body: `${JSON.stringify(report)}\n`,
        };
      },
    },
    (error, path) => logger.warn({ err: error, path }, 'http: request failed'),
  );
  const bound = await listen(server, settings.host, settings.port).catch((error: unknown) => {
    metrics.stop();
    throw error;
  });
  // After listening, a server error (a socket failing) is logged; it never stops the gateway.
  server.on('error', (error) => logger.warn({ err: error }, 'http: server error'));
  const address = {
    host: bound.address,
    port: bound.port,
    url: `http://${hostPort(bound.address, bound.port)}`,
  };
  logger.info({ url: address.url }, 'http: serving /metrics and /healthz');
  return {
    address,
    async stop() {
      await close(server, CLOSE_GRACE_MS);
      metrics.stop();
    },
  };
}
