import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { engineChecks } from '../../src/app/config-checks.js';
import { Controller } from '../../src/app/controller.js';
import { deviceTransport } from '../../src/app/device-io.js';
import { loadConfigFile } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';

export const DEMO_CONFIG = fileURLToPath(new URL('../../config/demo.json', import.meta.url));
export const DEMO_START = Date.parse('2026-11-22T10:00:00.000Z');

export type EventLine = Record<string, unknown> & { type: string; ts: string };

/**
 * `npm start` on a virtual clock: config/demo.json as `run` loads it (replay ports looping at real
 * time, its catalog file, its customers), its transports built the way `run` builds them, the store
 * in `dataDir`. No broker and no console: they would take ports 1883 and 9464 of a shared machine.
 */
export class DemoRun {
  readonly events: EventLine[] = [];
  readonly clock: VirtualClock;
  private readonly controller: Controller;

  constructor(dataDir: string, startAt = DEMO_START) {
    const loaded = loadConfigFile(DEMO_CONFIG, engineChecks);
    const config: GatewayConfig = { ...loaded, dataDir, mqtt: undefined, http: undefined };
    const clock = new VirtualClock(startAt);
    this.clock = clock;
    const logger = silentLogger();
    const events = this.events;
    const stdout = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n'))
          if (line !== '') events.push(JSON.parse(line) as EventLine);
        done();
      },
    });
    this.controller = Controller.create(config, {
      mode: 'run',
      clock,
      logger,
      dataDir,
      mqtt: undefined,
      drainMs: 0,
      stdout,
      transportFor: (device) => deviceTransport(device, { clock, logger }),
    });
  }

  start(): Promise<void> {
    return this.controller.start();
  }

  /** Jumps from timer to timer up to `ms` after the start, letting promises settle between them. */
  async runFor(ms: number): Promise<void> {
    const until = this.clock.now() + ms;
    for (let next = this.clock.nextTimerAt(); next !== undefined && next <= until; ) {
      this.clock.advanceTo(next);
      await new Promise((resolve) => setImmediate(resolve));
      next = this.clock.nextTimerAt();
    }
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  /** Seconds since `from` of an event. */
  at(event: EventLine, from = DEMO_START): number {
    return (Date.parse(event.ts) - from) / 1000;
  }
}
