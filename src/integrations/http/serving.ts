import type { HttpConfig } from '../../config/integrations.js';
import type { BusEventCounts } from './bus-counters.js';
import { ConsoleAccess } from './console/access.js';
import { loadAssets } from './console/assets.js';
import type { ConsoleLive } from './console/live.js';
import { answerConsole, type ConsoleParts } from './console/routes.js';
import { consoleSigner } from './console/signer.js';
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
  parts: {
    health: HealthMonitor;
    figures: GatewayFigures;
    counts: BusEventCounts;
    live: ConsoleLive | undefined;
  },
): Promise<Serving> {
  const { logger } = context;
  const { health } = parts;
  const consolePage = parts.live && consoleParts(context, settings, health, parts.live);
  if (consolePage && consolePage.assets.size === 0)
    logger.warn('http: the console is not built (dist/console is missing): run npm run build');
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
    consolePage && ((request, response) => answerConsole(consolePage, request, response)),
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
  logger.info(
    { url: address.url, console: consolePage !== undefined },
    consolePage
      ? `http: serving the console at ${address.url}/ (and /metrics, /healthz)`
      : `http: serving /metrics and /healthz at ${address.url}`,
  );
  return {
    address,
    async stop() {
      await close(server, CLOSE_GRACE_MS);
      metrics.stop();
    },
  };
}

/** The console's parts: who may use it, its files, its live state, and what /api/now adds. */
function consoleParts(
  context: HttpContext,
  settings: HttpConfig,
  health: HealthMonitor,
  live: ConsoleLive,
): ConsoleParts {
  const sign = consoleSigner(context.config, context.clock);
  if (!sign && context.config.security.signedCommands.required) {
    context.logger.warn(
      { component: 'http' },
      'signed commands are required and http.console.client names no signing client: the console can look but change nothing',
    );
  }
  return {
    access: new ConsoleAccess(settings.host, settings.console, context.clock),
    sign,
    assets: loadAssets(),
    live,
    ...(context.router ? { requests: context.router } : {}),
    now: () => {
      const report = health.report();
      return {
        gateway: context.config.gatewayId,
        ts: new Date(context.clock.now()).toISOString(),
        // The store's zone where the config names one (its engagement day), else the browser's.
        timeZone: context.config.engagement?.timeZone,
        health: report,
        devices: context.tags
          .devices()
          .map((device) => ({ id: device.id, kind: device.kind, state: device.state })),
        broker: context.mqtt ? { connected: context.mqtt.connected } : undefined,
        // What the Devices page may pulse: each output, its resting value and the values it takes.
        actuators: context.config.actuators.map((actuator) => ({
          id: actuator.id,
          safeState: actuator.safeState,
          values: 'values' in actuator ? actuator.values : undefined,
          maxPulseMs: actuator.maxPulseMs,
        })),
        // What each display shows now, for the Devices page's previews.
        displays: context.screens?.previews() ?? [],
      };
    },
  };
}
