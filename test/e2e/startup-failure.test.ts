import { mkdtempSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';

describe('run: a part that cannot start (real Mosquitto)', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('stops what started, publishes offline, closes the store and exits naming what failed', async () => {
    const broker = await startMosquitto();
    // Its HTTP port taken by another process: what only start-up can find out (check-config cannot
    // tell it from this gateway's own listener). The MQTT link has started by then.
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => squatter.close(resolve)));
    const port = (squatter.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'rfid-startup-'));
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: 'gw-fail',
        dataDir: join(dir, 'data'),
        readers: [{ id: 'fridge', driver: 'thingmagic', port: 'tcp://127.0.0.1:9' }],
        mqtt: { url: broker.url },
        http: { port },
      }),
    );
    const result = await runCli(['run', '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`http failed to start: cannot listen on 127.0.0.1:${port}`);
    expect(result.stderr).toMatch(/"part":"http"/);
    // Whether or not the broker was reached before the failure, no retained `online` is left behind.
    const sub = await MqttCollector.start(broker.url, 'rfid/gw-fail/status');
    cleanup.push(() => sub.close());
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sub.messages.filter((m) => m.payload.includes('"online"'))).toEqual([]);
    // The store was closed cleanly: a second gateway can open it at once.
    const again = await runCli(['run', '--config', config]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('http failed to start');
    expect(again.stderr).not.toContain('in use by another');
  });
});
