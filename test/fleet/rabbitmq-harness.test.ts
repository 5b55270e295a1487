import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { acceptsConnections } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';
import { alive, RABBITMQ_ADMIN, startRabbitMq } from '../helpers/rabbitmq.js';

/**
 * The RabbitMQ harness itself: three nodes really form one cluster (a message published on one node
 * reaches a subscriber on another), a SIGKILLed node leaves the others serving and comes back with
 * `restart`, and nothing of the cluster (beam, epmd, its directory) outlives `dispose`.
 */

const asAdmin = (clientId: string) => ({ ...RABBITMQ_ADMIN, clientId, protocolVersion: 4 as const });

describe('RabbitMQ test harness', () => {
  it('starts a 3-node cluster that routes across nodes, survives a killed node, and leaves nothing behind', async () => {
    const cluster = await startRabbitMq({ nodes: 3, scope: 'manual' });
    const cleanup: Array<() => Promise<unknown>> = [];
    try {
      expect(cluster.pids()).toHaveLength(4);
      // The measured start-up, for the README and for whoever tunes the timeouts.
      process.stderr.write(`rabbitmq: 3-node cluster serving MQTT after ${cluster.startupMs} ms\n`);
      const running = (await cluster.ctl(['eval', 'lists:sort(rabbit_nodes:all_running()).'])).trim();
      expect(running).toBe("['rabbit-1@localhost','rabbit-2@localhost','rabbit-3@localhost']");

      const [url1, url2, url3] = cluster.urls as [string, string, string];
      const onThird = await MqttCollector.start(url3, 'rfid/gw1/#', asAdmin('watch-3'));
      cleanup.push(() => onThird.close());
      const publisher = await MqttCollector.start(url1, 'unused/#', asAdmin('pub-1'));
      cleanup.push(() => publisher.close());
      await publisher.client.publishAsync('rfid/gw1/events/tag/arrived', 'across', { qos: 1 });
      await onThird.waitFor(
        (messages) =>
          messages.some((m) => m.topic === 'rfid/gw1/events/tag/arrived' && m.payload === 'across'),
        'the message published on node 1 at node 3',
      );

      // Node 2 dies without a word; nodes 1 and 3 go on routing.
      const port2 = cluster.nodes[1]?.mqttPort ?? 0;
      await cluster.kill(2);
      expect(await acceptsConnections(port2)).toBe(false);
      await publisher.client.publishAsync('rfid/gw1/status', 'after-kill', { qos: 1 });
      await onThird.waitFor(
        (messages) => messages.some((m) => m.payload === 'after-kill'),
        'a message while node 2 is down',
      );

      await cluster.restart(2);
      const onSecond = await MqttCollector.start(url2, 'rfid/gw1/#', asAdmin('watch-2'));
      cleanup.push(() => onSecond.close());
      await publisher.client.publishAsync('rfid/gw1/status', 'after-restart', { qos: 1 });
      await onSecond.waitFor(
        (messages) => messages.some((m) => m.payload === 'after-restart'),
        'node 2 back in the cluster',
      );
    } finally {
      for (const step of cleanup.reverse()) await step();
      const pids = cluster.pids();
      const ports = [...cluster.nodes.map((node) => node.mqttPort), Number(cluster.ctlEnv.ERL_EPMD_PORT)];
      await cluster.dispose();
      expect(pids.filter(alive)).toEqual([]);
      expect(existsSync(cluster.dir)).toBe(false);
      for (const port of ports) expect(await acceptsConnections(port)).toBe(false);
    }
  }, 240_000);

  it('refuses an MQTT client without credentials (allow_anonymous is off)', async () => {
    const broker = await startRabbitMq();
    const anonymous = MqttCollector.start(broker.urls[0] as string, '#', {
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    await expect(anonymous).rejects.toThrow();
  }, 120_000);
});
