import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttCollector } from '../helpers/mqtt-collector.js';
import { RABBITMQ_ADMIN, type RabbitMq, startRabbitMq } from '../helpers/rabbitmq.js';
import { bootGateway, exercise } from './gateway-rig.js';

/**
 * The fleet example for a RabbitMQ cluster (Debian's 3.10, MQTT 3.1.1 plugin): users made by
 * config/fleet/rabbitmq-gateway-user.sh on a 3-node cluster. Gateway gw1 runs fully on node 2 under
 * its user (events, status, retained state, a request answered, Home Assistant's discovery and lock
 * command) with no access refused on any node, as an administrator on node 1 sees; and a client with
 * gw1's credentials, on node 3, can neither publish into gw2's topics nor read gw2's requests:
 * RabbitMQ closes its connection each time, and nothing reaches gw2's subscriber.
 */

const SCRIPT = fileURLToPath(new URL('../../config/fleet/rabbitmq-gateway-user.sh', import.meta.url));
const PASSWORDS = { gw1: 'gw1-secret', gw2: 'gw2-secret' };
const admin = { ...RABBITMQ_ADMIN, protocolVersion: 4 as const };

function gatewayUser(cluster: RabbitMq, gw: string, password: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'sh',
      [SCRIPT, gw],
      { env: { ...cluster.ctlEnv, RABBITMQCTL: '/usr/lib/rabbitmq/bin/rabbitmqctl' }, timeout: 120_000 },
      (error, _stdout, stderr) => (error ? reject(new Error(`${SCRIPT} ${gw}: ${stderr}`)) : resolve()),
    );
    // A refused gateway id exits before reading the password: its closed stdin is not our failure.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(`${password}\n`);
  });
}

/** Resolves when the connection closes (RabbitMQ's answer to a refused operation). */
const closed = (client: MqttClient) => new Promise<void>((resolve) => client.once('close', () => resolve()));

const asGw1 = (url: string) =>
  connectAsync(url, {
    protocolVersion: 4,
    // The vhost permissions allow gw1 the subscription queues of client id gw1 only.
    clientId: 'gw1',
    username: 'gw1',
    password: PASSWORDS.gw1,
    reconnectPeriod: 0,
  });

const refusals = (cluster: RabbitMq) =>
  cluster.nodes
    .flatMap((node) => cluster.logs(node.index).split('\n'))
    .filter((line) => line.includes('access_refused'));

describe('the fleet example for RabbitMQ: one user and topic permissions per gateway', () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('lets gateway gw1 do all it does on a 3-node cluster, and keeps gw1 out of gw2', async () => {
    const cluster = await startRabbitMq({ nodes: 3 });
    const [url1, url2, url3] = cluster.urls as [string, string, string];
    await gatewayUser(cluster, 'gw1', PASSWORDS.gw1);
    await gatewayUser(cluster, 'gw2', PASSWORDS.gw2);
    // Run again, it changes the password and sets the same permissions: safe to repeat.
    await gatewayUser(cluster, 'gw1', PASSWORDS.gw1);
    await expect(gatewayUser(cluster, 'gw.1', 'x')).rejects.toThrow(/letters, digits, _ and - only/);

    const { watcher, gateway } = await exercise(url1, 'gw1', admin, () =>
      bootGateway({
        url: url2,
        gatewayId: 'gw1',
        password: PASSWORDS.gw1,
        protocolVersion: 4,
      }),
    );
    cleanup.push(() => gateway.stop());
    cleanup.push(() => watcher.close());
    await gateway.stop();
    // "The gateway never needs more": it logged no trouble (and no node refused it: see the end).
    expect(gateway.logs.filter((line) => (line.level as number) >= 40)).toEqual([]);

    const gw2 = await MqttCollector.start(url1, 'rfid/gw2/#', { ...admin, clientId: 'admin-gw2' });
    cleanup.push(() => gw2.close());

    // Into gw2's base: the connection is closed (3.1.1 has no refusal code); the marker published
    // afterwards as gw1 arrives, the forged message never does.
    const forger = await asGw1(url3);
    const forgerClosed = closed(forger);
    forger.publish('rfid/gw2/events/tag/arrived', 'forged', { qos: 1 });
    await forgerClosed;
    forger.end(true);
    const own = await asGw1(url3);
    cleanup.push(() => own.endAsync(true));
    await own.publishAsync('rfid/gw1/events/marker', 'marker', { qos: 1 });
    await watcher.waitFor((messages) => messages.some((m) => m.payload === 'marker'), 'the marker');

    // gw2's requests: the subscription closes the connection too.
    await own.endAsync(true);
    const reader = await asGw1(url3);
    const readerClosed = closed(reader);
    reader.subscribe('rfid/gw2/request/#', { qos: 1 });
    await readerClosed;
    reader.end(true);
    // And gw1's own requests still reach it, gw2's do not.
    const listener = await asGw1(url3);
    cleanup.push(() => listener.endAsync(true));
    const received: string[] = [];
    listener.on('message', (topic) => received.push(topic));
    await listener.subscribeAsync('rfid/gw1/request/#', { qos: 1 });
    await gw2.client.publishAsync('rfid/gw2/request/ping', '{"transaction":"x"}', { qos: 1 });
    await gw2.client.publishAsync('rfid/gw1/request/ping', '{"transaction":"y"}', { qos: 1 });
    for (let attempt = 0; !received.includes('rfid/gw1/request/ping') && attempt < 200; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual(['rfid/gw1/request/ping']);
    expect(gw2.messages.filter((m) => m.payload === 'forged')).toEqual([]);

    // Both refusals are in the nodes' logs (written a little later), and they are the only ones:
    // nothing gw1's gateway did was ever refused, on any node.
    const denied = () => refusals(cluster).filter((line) => line.includes('access to '));
    for (let attempt = 0; denied().length < 2 && attempt < 100; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(denied().join('\n')).toMatch(/access to topic 'rfid\.gw2\.events\.tag\.arrived'/);
    expect(denied().join('\n')).toMatch(/access to topic 'rfid\.gw2\.request\.#'/);
    expect(denied().filter((line) => !line.includes("access to topic 'rfid.gw2."))).toEqual([]);
  }, 300_000);
});
