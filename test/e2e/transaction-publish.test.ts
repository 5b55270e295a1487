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
 * Events committed by a store transaction (a purchase, an alarm: state and event together) are
 * published at once, not when some later event happens to wake the publisher.
 */
describe('events committed in a transaction reach the broker (real Mosquitto)', () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('publishes an alarm committed with its state, with nothing else happening', async () => {
    const broker = await startMosquitto();
    const dataDir = mkdtempSync(join(tmpdir(), 'rfid-tx-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = configSchema.parse({
      gatewayId: 'gw-tx',
      dataDir,
      zones: [{ id: 'z' }],
      mqtt: { url: broker.url },
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
    const events = await MqttCollector.start(broker.url, 'rfid/gw-tx/events/#');
    cleanup.push(() => events.close());
    await events.waitFor(() => controller.mqtt?.client.connected === true, 'the gateway connected');

    controller.store.migrate('tx-test', ['CREATE TABLE alarms (id INTEGER PRIMARY KEY, kind TEXT)']);
    controller.bus.transaction(() => {
      controller.store.db.prepare("INSERT INTO alarms (kind) VALUES ('door_left_open')").run();
      controller.bus.emit({ type: 'security.alarm', kind: 'door_left_open', cabinet: 'fridge-1' });
    });
    await events.waitFor(
      (messages) => messages.some((m) => m.topic === 'rfid/gw-tx/events/security/alarm'),
      'the alarm',
      5000,
    );
    expect(events.events()).toEqual([expect.objectContaining({ type: 'security.alarm', seq: 1 })]);
  });
});
