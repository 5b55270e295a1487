import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from '../../src/app/controller.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/observability/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';

/**
 * A full disk is what an operator must see at 3 a.m. without reading logs: the retained status
 * says so while it lasts, and clears when space is back. SQLite's `max_page_count` gives the real
 * SQLITE_FULL on any machine.
 */
describe('a full disk in the retained status (real Mosquitto, real SQLite)', () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('reports diskFull on <base>/status while commits fail, and clears it when space comes back', async () => {
    const broker = await startMosquitto();
    const dataDir = mkdtempSync(join(tmpdir(), 'rfid-diskfull-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = configSchema.parse({
      gatewayId: 'gw-full',
      dataDir,
      mqtt: { url: broker.url },
      zones: [{ id: 'z' }],
      outbox: { reserveBytes: 16 * 1024 },
    });
    const controller = Controller.create(config, {
      mode: 'run',
      clock: systemClock,
      logger: silentLogger(),
      dataDir,
      mqtt: config.mqtt,
      drainMs: 1000,
    });
    await controller.start();
    cleanup.push(() => controller.stop());
    const status = await MqttCollector.start(broker.url, 'rfid/gw-full/status');
    cleanup.push(() => status.close());
    await status.waitFor((messages) => messages.some((m) => m.payload.includes('"online"')), 'online');

    const pages = controller.store.db.pragma('page_count', { simple: true }) as number;
    controller.store.db.pragma(`max_page_count = ${pages + 8}`);
    const payload = 'x'.repeat(200);
    for (let burst = 0; burst < 40; burst++) {
      for (let index = 0; index < 50; index++) {
        controller.bus.emit({
          type: 'sensor.changed',
          sensor: 'io',
          channel: 'note',
          value: payload,
          zone: 'z',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await status.waitFor(
      (messages) => messages.some((m) => m.payload.includes('"diskFull":true')),
      'diskFull in the status',
    );
    expect(JSON.parse(status.messages.at(-1)?.payload ?? '{}')).toMatchObject({
      state: 'online',
      detail: { storage: { diskFull: true } },
    });

    controller.store.db.pragma('max_page_count = 1073741823');
    for (let index = 0; index < 20; index++) {
      controller.bus.emit({ type: 'sensor.changed', sensor: 'io', channel: 'note', value: 'ok', zone: 'z' });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await status.waitFor((messages) => {
      const last = messages.at(-1);
      return last?.payload.includes('"online"') === true && !last.payload.includes('diskFull');
    }, 'the status without diskFull');
  });
});
