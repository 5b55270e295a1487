import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type GatewayCommandHandlers, registerGatewayCommands } from '../../src/mqtt/gateway-commands.js';
import { RequestRegistry } from '../../src/mqtt/request-registry.js';
import { GATEWAY_COMMANDS } from '../../src/mqtt/request-schemas.js';
import { RequestRouter } from '../../src/mqtt/requests.js';
import { createLogger } from '../../src/observability/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { startMosquitto } from '../helpers/mosquitto.js';

/** Requests and responses through a real Mosquitto, in MQTT 3.1.1 and MQTT 5. */

const BASE = 'rfid/gw1';
const TOPICS = {
  requestWildcard: `${BASE}/request/#`,
  requestPrefix: `${BASE}/request/`,
  responseTopic: (command: string) => `${BASE}/response/${command}`,
};
const ANSWER_TIMEOUT_MS = 10_000;
/** Readers the gateway's `readers/restart` handler was run for. */
const restarts: string[] = [];

const handlers: GatewayCommandHandlers = {
  ping: () => ({ pong: true }),
  inventoryGet: ({ zone }) => ({ zone: zone ?? null, tags: ['3074257BF7194E4000001A85'] }),
  readersGet: () => [{ id: 'door', state: 'online' }],
  readersRestart: async ({ reader }) => {
    restarts.push(reader);
    return { restarted: reader };
  },
  configGet: () => ({ gatewayId: 'gw1' }),
  outboxStats: () => ({ depth: 0 }),
};

interface Received {
  topic: string;
  body: Record<string, unknown>;
  packet: IPublishPacket;
}

async function connect(url: string, protocolVersion: 4 | 5, clientId: string): Promise<MqttClient> {
  const client = await connectAsync(url, { protocolVersion, clientId, reconnectPeriod: 0 });
  onTestFinished(() => client.endAsync(true));
  return client;
}

/** A gateway-side client with the router attached, resolved once its request subscription is granted. */
async function startGateway(url: string, protocolVersion: 4 | 5) {
  const client = await connect(url, protocolVersion, `gw1-${protocolVersion}`);
  const logLines: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => logLines.push(line) },
  });
  const registry = new RequestRegistry();
  registerGatewayCommands(registry, handlers);
  const router = new RequestRouter({ registry, clock: systemClock, logger });
  const subscribed = new Promise<void>((resolve) => {
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'suback') resolve();
    });
  });
  const detach = router.attach(client, TOPICS);
  onTestFinished(detach);
  await subscribed;
  return { client, logLines };
}

/** Resolves with the first `count` messages `client` receives, or fails after a bounded wait. */
function collect(client: MqttClient, count: number): Promise<Received[]> {
  return new Promise((resolve, reject) => {
    const received: Received[] = [];
    const timer = setTimeout(() => {
      client.removeListener('message', onMessage);
      reject(new Error(`${received.length} of ${count} answers after ${ANSWER_TIMEOUT_MS} ms`));
    }, ANSWER_TIMEOUT_MS);
    const onMessage = (topic: string, payload: Buffer, packet: IPublishPacket): void => {
      received.push({ topic, body: JSON.parse(payload.toString('utf8')) as Record<string, unknown>, packet });
      if (received.length === count) {
        clearTimeout(timer);
        client.removeListener('message', onMessage);
        resolve(received);
      }
    };
    client.on('message', onMessage);
  });
}

describe('MQTT requests through Mosquitto', () => {
  it('answers on response/<command> over MQTT 3.1.1, errors included', async () => {
    const broker = await startMosquitto();
    await startGateway(broker.url, 4);
    const requester = await connect(broker.url, 4, 'ops-4');
    await requester.subscribeAsync(`${BASE}/response/#`, { qos: 1 });

    const answers = collect(requester, 3);
    await requester.publishAsync(`${BASE}/request/ping`, '{"transaction":"p-1"}', { qos: 1 });
    await requester.publishAsync(`${BASE}/request/inventory/get`, '{"transaction":7,"zone":"fridge"}', {
      qos: 1,
    });
    await requester.publishAsync(`${BASE}/request/readers/restart`, '{"transaction":"r-1"}', { qos: 1 });

    const byTransaction = new Map((await answers).map((answer) => [answer.body.transaction, answer]));
    expect(byTransaction.get('p-1')?.topic).toBe(`${BASE}/response/ping`);
    expect(byTransaction.get('p-1')?.body).toEqual({
      transaction: 'p-1',
      status: 'ok',
      data: { pong: true },
    });
    expect(byTransaction.get(7)?.topic).toBe(`${BASE}/response/inventory/get`);
    expect(byTransaction.get(7)?.body).toEqual({
      transaction: 7,
      status: 'ok',
      data: { zone: 'fridge', tags: ['3074257BF7194E4000001A85'] },
    });
    expect(byTransaction.get('r-1')?.topic).toBe(`${BASE}/response/readers/restart`);
    expect(byTransaction.get('r-1')?.body).toEqual({
      transaction: 'r-1',
      status: 'error',
      error: 'reader: Required',
    });
    for (const answer of byTransaction.values()) expect(answer.packet.qos).toBe(1);
  });

  it('honours the MQTT 5 response topic and correlation data', async () => {
    const broker = await startMosquitto();
    await startGateway(broker.url, 5);
    const requester = await connect(broker.url, 5, 'ops-5');
    // Retain-as-published, so that a response published retained would show here as retained.
    await requester.subscribeAsync([`${BASE}/replies/#`, `${BASE}/response/#`], { qos: 1, rap: true });

    const answers = collect(requester, 2);
    const correlationData = Buffer.from([0x00, 0xff, 0x10, 0x42]);
    await requester.publishAsync(`${BASE}/request/readers/restart`, '{"reader":"door"}', {
      qos: 1,
      properties: { responseTopic: `${BASE}/replies/console-1`, correlationData },
    });
    await requester.publishAsync(`${BASE}/request/outbox/stats`, '{"transaction":"no-props"}', { qos: 1 });

    const [restart, stats] = [...(await answers)].sort((a, b) => a.topic.localeCompare(b.topic));
    expect(restart?.topic).toBe(`${BASE}/replies/console-1`);
    expect(restart?.body).toEqual({ transaction: null, status: 'ok', data: { restarted: 'door' } });
    expect(restart?.packet.properties?.correlationData).toEqual(correlationData);
    expect(stats?.topic).toBe(`${BASE}/response/outbox/stats`);
    expect(stats?.body).toEqual({ transaction: 'no-props', status: 'ok', data: { depth: 0 } });
    expect(stats?.packet.properties?.correlationData).toBeUndefined();
    for (const answer of [restart, stats]) {
      expect(answer?.packet.qos).toBe(1);
      expect(answer?.packet.retain).toBe(false);
    }
  });

  it('refuses an MQTT 5 response topic outside the base: nothing published there, the error on response/<command>', async () => {
    const broker = await startMosquitto();
    const gateway = await startGateway(broker.url, 5);
    restarts.length = 0;
    const requester = await connect(broker.url, 5, 'ops-outside');
    // Everything the broker carries, so that a publish outside the base would show.
    await requester.subscribeAsync('#', { qos: 1 });

    const answers = collect(requester, 4);
    const correlationData = Buffer.from('req-9');
    await requester.publishAsync(`${BASE}/request/readers/restart`, '{"transaction":"t-9","reader":"door"}', {
      qos: 1,
      properties: { responseTopic: 'rfid/gw2/request/readers/restart', correlationData },
    });
    // A look-alike of the base (no level separator) is outside it too.
    await requester.publishAsync(`${BASE}/request/ping`, '{"transaction":"t-10"}', {
      qos: 1,
      properties: { responseTopic: `${BASE}x/replies` },
    });
    const received = await answers;
    const answered = received
      .filter((message) => !message.topic.startsWith(`${BASE}/request/`))
      .sort((a, b) => b.topic.localeCompare(a.topic));
    expect(answered.map((message) => [message.topic, message.body])).toEqual([
      [
        `${BASE}/response/readers/restart`,
        {
          transaction: 't-9',
          status: 'error',
          error: `response topic "rfid/gw2/request/readers/restart" refused: responses are published only under ${BASE}/`,
        },
      ],
      [
        `${BASE}/response/ping`,
        {
          transaction: 't-10',
          status: 'error',
          error: `response topic "${BASE}x/replies" refused: responses are published only under ${BASE}/`,
        },
      ],
    ]);
    // The correlation data still comes back, so the caller can match the refusal.
    expect(answered[0]?.packet.properties?.correlationData).toEqual(correlationData);
    // The refused request did not run.
    expect(restarts).toEqual([]);
    expect(
      gateway.logLines.filter((line) => line.includes('response topic outside the base refused')),
    ).toHaveLength(2);
  });

  it.each([4, 5] as const)(
    'answers every request of a malformed burst and the good one after it (protocol %i)',
    async (protocolVersion) => {
      const broker = await startMosquitto();
      const gateway = await startGateway(broker.url, protocolVersion);
      const requester = await connect(broker.url, protocolVersion, `ops-burst-${protocolVersion}`);
      await requester.subscribeAsync(`${BASE}/response/#`, { qos: 1 });

      const huge = `{"transaction":"${'x'.repeat(1024 * 1024)}"}`;
      const malformed: Array<[string, string | Buffer]> = [
        ['ping', 'not json at all'],
        ['ping', Buffer.from([0xff, 0xfe, 0x00, 0x7b])],
        ['ping', '[1,2,3]'],
        ['readers/restart', '{"reader":42}'],
        ['readers/get', '{"reader":"door","verbose":true}'],
        ['inventory/get', '{"transaction":{"nested":1}}'],
        ['readers/explode', '{}'],
        ['no/such/command', 'garbage'],
        ['ping', '{"expiresAt":"2001-01-01T00:00:00Z"}'],
        ['ping', huge],
      ];
      const rounds = 10;
      const total = malformed.length * rounds + 1;
      const answers = collect(requester, total);
      for (let round = 0; round < rounds; round++) {
        for (const [command, payload] of malformed) {
          requester.publish(`${BASE}/request/${command}`, payload, { qos: 1 });
        }
      }
      await requester.publishAsync(`${BASE}/request/ping`, '{"transaction":"after-burst"}', { qos: 1 });

      const received = await answers;
      expect(received.filter((answer) => answer.body.status === 'error')).toHaveLength(total - 1);
      expect(received.filter((answer) => answer.body.status === 'ok').map((answer) => answer.body)).toEqual([
        { transaction: 'after-burst', status: 'ok', data: { pong: true } },
      ]);
      const known = GATEWAY_COMMANDS.join(', ');
      const errors = new Set(
        received.flatMap((answer) => (answer.body.status === 'error' ? [answer.body.error] : [])),
      );
      expect([...errors].sort()).toEqual(
        [
          'payload is not valid JSON',
          'payload: expected object, received array',
          'reader: expected string, received number',
          'verbose: unknown field',
          'transaction: expected a string or a number',
          `unknown command "readers/explode"; known: ${known}`,
          `unknown command "no/such/command"; known: ${known}`,
          'expired: expiresAt 2001-01-01T00:00:00Z is in the past',
          `payload too large: ${Buffer.byteLength(huge)} bytes, limit 65536`,
        ].sort(),
      );
      expect(gateway.client.connected).toBe(true);
      // One line per refused request; the answered ping is logged at debug, below this logger's level.
      expect(gateway.logLines.filter((line) => line.includes('"msg":"MQTT request"'))).toHaveLength(
        total - 1,
      );
    },
  );
});
