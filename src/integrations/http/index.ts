import type { HttpConfig } from '../../config/integrations.js';
import { defineFeature } from '../../shared/feature.js';
import { BusEventCounts } from './bus-counters.js';
import { ConsoleLive } from './console/live.js';
import type { HttpContext } from './context.js';
import type { GatewayFigures } from './figures.js';
import { HealthMonitor } from './health.js';
import type { Serving } from './serving.js';

export { assessHealth, type HealthInput, type HealthReport } from './health.js';

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

/**
 * The listener as the gateway holds it: what must run from the build on (the health monitor follows
 * the devices' states, the bus counts follow the events, both from the first event of the start-up),
 * while prom-client and the HTTP server are loaded when it starts (`serving.ts`): a gateway without an
 * `http` section loads none of it.
 */
export class HttpListener {
  private readonly health: HealthMonitor;
  private readonly counts: BusEventCounts;
  /** The console's live state, kept from the first event on (undefined when the console is off). */
  private readonly live: ConsoleLive | undefined;
  private serving: Serving | undefined;

  constructor(
    private readonly context: HttpContext,
    private readonly settings: HttpConfig,
    private readonly figures: GatewayFigures,
  ) {
    this.health = new HealthMonitor(context, settings.health);
    this.counts = new BusEventCounts(context);
    const purchases = context.purchases;
    this.live = settings.console.enabled
      ? new ConsoleLive(
          context.config,
          context.bus,
          context.alarms,
          purchases && ((customer) => purchases.displayName(customer)),
          purchases &&
            ((cabinet) => {
              try {
                return purchases.lastEnded(cabinet);
              } catch (error) {
                // Now still answers, without the stored last sale; the next sale brings one.
                context.logger.warn({ err: error, cabinet }, 'console: the last sale could not be read');
                return undefined;
              }
            }),
        )
      : undefined;
  }

  /** Where it listens once started (the port the system chose for `port: 0`). */
  get address(): { host: string; port: number; url: string } | undefined {
    return this.serving?.address;
  }

  /**
   * Listens, or fails the start-up with a message naming host:port (`http failed to start: cannot
   * listen on 127.0.0.1:9464: the port is already in use ...`).
   */
  async start(): Promise<void> {
    this.health.start();
    const { serve } = await import('./serving.js');
    this.serving = await serve(this.context, this.settings, {
      health: this.health,
      figures: this.figures,
      counts: this.counts,
      live: this.live,
    });
  }

  async stop(): Promise<void> {
    const serving = this.serving;
    this.serving = undefined;
    this.live?.close();
    await serving?.stop();
    this.counts.close();
    this.health.stop();
  }
}

/** The listener, when the config has an `http` section (live only: a replay would take the live gateway's port). */
export const httpFeature = defineFeature({
  name: 'http',
  liveOnly: true,
  needs: ['tags', 'figures'],
  uses: ['mqtt', 'requestRouter', 'screens', 'alarms', 'purchases'],
  provides: ['http'],
  build: (input) => {
    if (!input.config.http) return undefined;
    const http = new HttpListener(
      {
        ...input,
        tags: input.needs.tags,
        mqtt: input.uses.mqtt,
        router: input.uses.requestRouter,
        screens: input.uses.screens,
        alarms: input.uses.alarms,
        purchases: input.uses.purchases,
      },
      input.config.http,
      input.needs.figures,
    );
    return { start: () => http.start(), stop: () => http.stop(), provides: { http } };
  },
});
