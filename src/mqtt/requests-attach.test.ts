import { EventEmitter } from 'node:events';
import type { IClientPublishOptions, MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';

import { setup, WARN } from '../../test/kits/mqtt/requests.js';
import { createTopics } from './topics.js';

describe('RequestRouter.attach', () => {
  interface Published {
    topic: string;
    payload: string;
    options: IClientPublishOptions;
  }

  /** Just enough of an MqttClient to drive `attach` without a broker; the integration test uses Mosquitto. */
  class FakeClient extends EventEmitter {
    connected = true;
    subscriptions: string[] = [];
    published: Published[] = [];
    subscribe(
      topic: string | string[],
      _options: unknown,
      callback: (error: Error | null, granted: unknown[]) => void,
    ) {
      const filters = [topic].flat();
      this.subscriptions.push(...filters);
      callback(
        null,
        filters.map((filter) => ({ topic: filter, qos: 1 })),
      );
      return this;
    }
    unsubscribe(topic: string | string[]) {
      const filters = [topic].flat();
      this.subscriptions = this.subscriptions.filter((subscribed) => !filters.includes(subscribed));
      return this;
    }
    publish(topic: string, payload: string, options: IClientPublishOptions, callback: () => void) {
      this.published.push({ topic, payload, options });
      callback();
      return this;
    }
  }

  const topics = {
    requestWildcard: 'rfid/gw1/request/#',
    requestPrefix: 'rfid/gw1/request/',
    responseTopic: (command: string) => `rfid/gw1/response/${command}`,
  };

  async function deliver(client: FakeClient, topic: string, payload: string, packet: object = {}) {
    client.emit('message', topic, Buffer.from(payload), { cmd: 'publish', retain: false, ...packet });
    await new Promise((resolve) => setImmediate(resolve));
  }

  it('subscribes, answers on the response topic at QoS 1 not retained, and detaches', async () => {
    const { router } = setup();
    const client = new FakeClient();
    const detach = router.attach(client as unknown as MqttClient, topics);
    expect(client.subscriptions).toEqual(['rfid/gw1/request/#']);
    await deliver(client, 'rfid/gw1/request/inventory/get', '{"transaction":"i","zone":"fridge"}');
    await deliver(client, 'rfid/gw1/status', '{"state":"online"}');
    expect(client.published).toEqual([
      {
        topic: 'rfid/gw1/response/inventory/get',
        payload: JSON.stringify({
          transaction: 'i',
          status: 'ok',
          data: { zones: { fridge: ['3074257BF7194E4000001A85'] } },
        }),
        options: { qos: 1, retain: false },
      },
    ]);
    detach();
    expect(client.subscriptions).toEqual([]);
    expect(client.listenerCount('message')).toBe(0);
  });

  it("answers its groups' requests on each group's topic, naming the gateway and the group", async () => {
    const { router, calls } = setup({}, { gateway: 'gw1' });
    const client = new FakeClient();
    const detach = router.attach(client as unknown as MqttClient, {
      ...topics,
      groups: createTopics('rfid', 'gw1', ['north', 'store-12']).groups,
    });
    expect(client.subscriptions).toEqual([
      'rfid/gw1/request/#',
      'rfid/groups/north/request/#',
      'rfid/groups/store-12/request/#',
    ]);
    await deliver(client, 'rfid/groups/north/request/ping', '{"transaction":"n"}');
    await deliver(client, 'rfid/groups/south/request/ping', '{"transaction":"s"}');
    await deliver(
      client,
      'rfid/groups/store-12/request/readers/restart',
      '{"transaction":"r","reader":"door"}',
      {
        retain: true,
      },
    );
    expect(calls).toEqual([['ping', undefined]]);
    expect(client.published).toEqual([
      {
        topic: 'rfid/groups/north/response/gw1/ping',
        payload: JSON.stringify({
          transaction: 'n',
          gateway: 'gw1',
          group: 'north',
          status: 'ok',
          data: { pong: true },
        }),
        options: { qos: 1, retain: false },
      },
    ]);
    detach();
    expect(client.subscriptions).toEqual([]);
  });

  it('honours the MQTT 5 response topic and correlation data', async () => {
    const { router } = setup();
    const client = new FakeClient();
    router.attach(client as unknown as MqttClient, topics);
    await deliver(client, 'rfid/gw1/request/ping', '', {
      properties: { responseTopic: 'rfid/gw1/replies/ops', correlationData: Buffer.from('req-7') },
    });
    expect(client.published).toHaveLength(1);
    expect(client.published[0]?.topic).toBe('rfid/gw1/replies/ops');
    expect(client.published[0]?.options.properties?.correlationData).toEqual(Buffer.from('req-7'));
  });

  it('never runs a retained request', async () => {
    const { router, calls, logs } = setup();
    const client = new FakeClient();
    router.attach(client as unknown as MqttClient, topics);
    await deliver(client, 'rfid/gw1/request/readers/restart', '{"reader":"door"}', { retain: true });
    expect(calls).toEqual([]);
    expect(client.published).toEqual([]);
    expect(logs()).toEqual([expect.objectContaining({ level: WARN, msg: 'retained MQTT request ignored' })]);
  });

  it('drops the answer while disconnected instead of queueing it in memory', async () => {
    const { router, calls } = setup();
    const client = new FakeClient();
    router.attach(client as unknown as MqttClient, topics);
    client.connected = false;
    await deliver(client, 'rfid/gw1/request/ping', '{}');
    expect(calls).toHaveLength(1);
    expect(client.published).toEqual([]);
  });

  it('survives a response topic function that throws', async () => {
    const { router, logs } = setup();
    const client = new FakeClient();
    router.attach(client as unknown as MqttClient, {
      ...topics,
      responseTopic: () => {
        throw new Error('bad topic');
      },
    });
    await deliver(client, 'rfid/gw1/request/ping', '{}');
    expect(logs().at(-1)).toMatchObject({ level: WARN, msg: 'MQTT response not published' });
  });
});
