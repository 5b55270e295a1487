import { describe, expect, it } from 'vitest';
import { RABBITMQ_ADMIN, startRabbitMq } from '../helpers/rabbitmq.js';
import { startGateway, subscriber, textLogger, waitFor } from '../mqtt/fixture.js';

/**
 * RabbitMQ (3.10: MQTT 3.1.1 only) answers a publish its topic permissions deny by closing the
 * connection. A gateway whose permissions leave out one kind of event (a hand-written rule, a
 * prefix changed on one side only) dead-letters those events after a few closes and delivers the
 * others, in order, instead of publishing the first refused one again after every reconnect.
 */

const FAST_RECONNECT = { initialMs: 100, maxMs: 500, jitter: 0.2, stableAfterMs: 10_000 };

describe('RabbitMQ topic permissions that deny one kind of event', () => {
  it('dead-letters the refused events and delivers the rest, in order', async () => {
    const broker = await startRabbitMq();
    const url = broker.urls[0] as string;
    await broker.addUser('gw1', 'gw1-secret');
    await broker.setPermissions('gw1', { configure: '.*', write: '.*', read: '.*' });
    // Its status and tag and sensor events; not its purchases.
    await broker.setTopicPermissions('gw1', '^rfid\\.gw1\\.(status|events\\.(tag|sensor)\\..*)$', '.*');
    const consumer = await subscriber(url, 'rfid/gw1/events/#', { ...RABBITMQ_ADMIN, protocolVersion: 4 });
    const { logger, lines } = textLogger();
    const gateway = startGateway(
      { url, username: 'gw1', password: 'gw1-secret', protocolVersion: 4, reconnect: FAST_RECONNECT },
      { logger },
    );
    await waitFor('a connection', () => gateway.client.connected, 30_000);
    gateway.emit([
      'tag.arrived',
      'purchase.completed',
      'sensor.changed',
      'purchase.completed',
      'tag.departed',
    ]);

    await expect(gateway.publisher.drain(60_000)).resolves.toBe(true);
    await waitFor('the three allowed at the subscriber', () => consumer.messages.length >= 3);
    const seqs = consumer.messages.map((message) => (JSON.parse(message.payload) as { seq: number }).seq);
    expect([...new Set(seqs)]).toEqual([1, 3, 5]);
    expect(gateway.outbox.stats()).toMatchObject({ depth: 0, deadLettered: 2 });
    const deadLettered = lines
      .map((line) => JSON.parse(line) as { msg: string; seq?: number; reason?: string })
      .filter((line) => line.msg === 'event dead-lettered');
    expect(deadLettered.map((line) => line.seq)).toEqual([2, 4]);
    expect(deadLettered[0]?.reason).toMatch(/closed the connection at each of the last 3 publishes/);
    // RabbitMQ's own word for it.
    expect(broker.logs()).toMatch(/access_refused/);
  }, 180_000);
});
