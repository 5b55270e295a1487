import type { Server } from 'node:http';
import type { HttpConfig } from '../../config/integrations.js';
import { defineFeature } from '../../shared/feature.js';
import type { HttpContext } from './context.js';
import { HealthMonitor } from './health.js';
import { GatewayMetrics } from './prometheus.js';
import { close, createRoutesServer, hostPort, listen } from './server.js';

export { assessHealth, type HealthInput, type HealthReport } from './health.js';

/** How long stopping waits for the responses in flight before cutting their connections. */
const CLOSE_GRACE_MS = 2000;

/**
 * The optional HTTP listener (`http` in the config): Prometheus `/metrics` and `/healthz`, on
 * loopback unless `http.host` says otherwise.
 */
declare module '../../shared/feature.js' {
  interface Services {
    /** The HTTP listener, to know where it listens (port 0 = the system chose). */
    http: Pick<HttpListener, 'address'>;
  }
}

export class HttpListener {
  private readonly health: HealthMonitor;
  private readonly metrics: GatewayMetrics;
  private server: Server | undefined;
  private bound: { host: string; port: number } | undefined;

  constructor(
    private readonly context: HttpContext,
    private readonly settings: HttpConfig,
  ) {
    this.health = new HealthMonitor(context, settings.health);
    this.metrics = new GatewayMetrics(context, this.health);
  }

  /** Where it listens once started (the port the system chose for `port: 0`). */
  get address(): { host: string; port: number; url: string } | undefined {
    if (!this.bound) return undefined;
    const { host, port } = this.bound;
    return { host, port, url: `http://${hostPort(host, port)}` };
  }

  /**
   * Listens, or fails the start-up with a message naming host:port (`http failed to start: cannot
   * listen on 127.0.0.1:9464: the port is already in use ...`): a port another process holds would
   * have that process answer the scrapes and health probes meant for this gateway.
   */
  async start(): Promise<void> {
    const { logger } = this.context;
    this.health.start();
    this.metrics.start();
    const server = createRoutesServer(
      {
        '/metrics': async () => ({
          status: 200,
          contentType: this.metrics.contentType,
          body: await this.metrics.scrape(),
        }),
        '/healthz': () => {
          const report = { gateway: this.context.config.gatewayId, ...this.health.report() };
          return {
            status: report.status === 'ok' ? 200 : 503,
            contentType: 'application/json; charset=utf-8',
            body: `${JSON.stringify(report)}\n`,
          };
        },
      },
      (error, path) => logger.warn({ err: error, path }, 'http: request failed'),
    );
    this.server = server;
    const { host, port } = this.settings;
    const address = await listen(server, host, port);
    // After listening, a server error (a socket failing) is logged; it never stops the gateway.
    server.on('error', (error) => logger.warn({ err: error }, 'http: server error'));
    this.bound = { host: address.address, port: address.port };
    logger.info({ url: this.address?.url }, 'http: serving /metrics and /healthz');
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.bound = undefined;
    if (server) await close(server, CLOSE_GRACE_MS);
    this.metrics.stop();
    this.health.stop();
  }
}

/** The listener, when the config has an `http` section (live only: a replay would take the live gateway's port). */
export const httpFeature = defineFeature({
  name: 'http',
  liveOnly: true,
  needs: ['tags'],
  uses: ['mqtt'],
  provides: ['http'],
  build: (input) => {
    if (!input.config.http) return undefined;
    const http = new HttpListener(
      { ...input, tags: input.needs.tags, mqtt: input.uses.mqtt },
      input.config.http,
    );
    return { start: () => http.start(), stop: () => http.stop(), provides: { http } };
  },
});
