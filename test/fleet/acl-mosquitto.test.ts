import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { makeCertificates, startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';
import { bootGateway, exercise } from './gateway-rig.js';

/**
 * The fleet example for Mosquitto 2.0 (config/fleet/mosquitto.conf and mosquitto.acl, as shipped:
 * only its paths and port are this test's): gateway gw1, logged in as user gw1 with a password file
 * made by mosquitto_passwd, runs fully (events, status, retained state, a request answered, Home
 * Assistant's discovery and lock command) without one denied operation in the broker's log; and a
 * client holding gw1's credentials can neither publish into gw2's topics nor read gw2's requests.
 */

const FLEET = fileURLToPath(new URL('../../config/fleet/', import.meta.url));
const PASSWORDS = { gw1: 'gw1-secret', gw2: 'gw2-secret', ops: 'ops-secret' };

/** The example config with this machine's paths, port and certificates, and every log line. */
function exampleConfig(dir: string, port: number): string {
  const certificates = makeCertificates(dir);
  const ours: Record<string, string> = {
    password_file: join(dir, 'passwd'),
    acl_file: join(FLEET, 'mosquitto.acl'),
    cafile: certificates.ca,
    certfile: certificates.serverCert,
    keyfile: certificates.serverKey,
    listener: `${port} 127.0.0.1`,
  };
  const text = readFileSync(join(FLEET, 'mosquitto.conf'), 'utf8')
    .split('\n')
    .map((line) => {
      const key = line.split(' ')[0] ?? '';
      return key in ours ? `${key} ${ours[key]}` : line;
    })
    .join('\n');
  // Every setting naming a file or port was replaced.
  expect(text.split('\n').filter((line) => !line.startsWith('#') && /\/etc\/|8883/.test(line))).toEqual([]);
  // As root, Mosquitto would drop to the mosquitto user, which cannot read a 0700 temporary directory.
  const root = process.getuid?.() === 0 ? 'user root\n' : '';
  return `${root}${text}\nlog_dest stderr\nlog_type all\n`;
}

describe('the fleet example for Mosquitto: one user and ACL per gateway', () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('lets gateway gw1 do all it does, and keeps gw1 out of gw2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rfid-fleet-mosquitto-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    // The password file as an operator makes it.
    const passwd = join(dir, 'passwd');
    for (const [index, [user, password]] of Object.entries(PASSWORDS).entries())
      execFileSync('mosquitto_passwd', [...(index === 0 ? ['-c'] : []), '-b', passwd, user, password]);
    const broker = await startMosquitto({ dir, config: ({ port }) => exampleConfig(dir, port) });
    const url = `mqtts://127.0.0.1:${broker.port}`;
    const ca = join(dir, 'ca.crt');
    const tls: IClientOptions = { ca: readFileSync(ca), protocolVersion: 5 };
    const ops: IClientOptions = { ...tls, username: 'ops', password: PASSWORDS.ops };

    // The gateway itself, MQTT 5, so that a refused publish would be refused out loud (PUBACK 135).
    const { watcher, gateway } = await exercise(url, 'gw1', ops, () =>
      bootGateway({
        url,
        gatewayId: 'gw1',
        password: PASSWORDS.gw1,
        protocolVersion: 5,
        ca,
      }),
    );
    cleanup.push(() => gateway.stop());
    cleanup.push(() => watcher.close());
    await gateway.stop();
    // "The gateway never needs more": the broker denied it nothing, and it logged no trouble.
    expect(broker.logs()).not.toMatch(/Denied/);
    expect(gateway.logs.filter((line) => (line.level as number) >= 40)).toEqual([]);

    const gw2 = await MqttCollector.start(url, 'rfid/gw2/#', { ...ops, clientId: 'ops-gw2' });
    cleanup.push(() => gw2.close());
    for (const protocolVersion of [5, 4] as const) {
      const intruder: MqttClient = await connectAsync(url, {
        ...tls,
        protocolVersion,
        clientId: `gw1-probe-${protocolVersion}`,
        username: 'gw1',
        password: PASSWORDS.gw1,
        reconnectPeriod: 0,
      });
      cleanup.push(() => intruder.endAsync(true));
      // Into gw2's base: MQTT 5 is told "not authorized" (0x87); MQTT 3.1.1 gets a PUBACK and the
      // message is dropped. The marker behind it on the same connection proves the drop.
      const intrusion = intruder.publishAsync('rfid/gw2/events/tag/arrived', 'forged', { qos: 1 });
      if (protocolVersion === 5) await expect(intrusion).rejects.toMatchObject({ code: 0x87 });
      else await intrusion;
      const marker = `marker-${protocolVersion}`;
      await intruder.publishAsync('rfid/gw1/events/marker', marker, { qos: 1 });
      await watcher.waitFor((messages) => messages.some((m) => m.payload === marker), marker);

      // gw2's requests: Mosquitto 2.0.11 grants the subscription (its ACL file is checked when a
      // message is delivered), or a later version refuses it; either way gw2's request does not
      // arrive, while gw1's, published after it on the same connection, does.
      const refused = await intruder.subscribeAsync('rfid/gw2/request/#', { qos: 1 }).then(
        () => undefined,
        (error: { code?: number }) => error.code,
      );
      expect([undefined, 0x80, 0x87]).toContain(refused);
      const received: string[] = [];
      intruder.on('message', (topic) => received.push(topic));
      await intruder.subscribeAsync('rfid/gw1/request/#', { qos: 1 });
      await gw2.client.publishAsync('rfid/gw2/request/ping', '{"transaction":"x"}', { qos: 1 });
      await gw2.client.publishAsync('rfid/gw1/request/ping', '{"transaction":"y"}', { qos: 1 });
      for (let attempt = 0; !received.includes('rfid/gw1/request/ping') && attempt < 100; attempt++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(received).toEqual(['rfid/gw1/request/ping']);
      await intruder.endAsync(true);
    }
    expect(gw2.messages.filter((m) => m.payload === 'forged')).toEqual([]);
    // The log check above is not vacuous: Mosquitto logs what it denies.
    expect(broker.logs()).toMatch(/Denied PUBLISH from gw1-probe-5/);
  }, 120_000);
});
