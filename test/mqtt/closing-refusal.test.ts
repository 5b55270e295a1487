import { describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../../src/shared/events.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { makeEvent } from '../kits/store/store.js';
import { startGateway, subscriber, textLogger, waitFor } from './fixture.js';

/**
 * A broker that will not take one event and, MQTT 3.1.1 having no refusal, closes the connection
 * each time it is published: the event is dead-lettered after a few closes with it alone on the
 * wire, and every event behind it is delivered. Without that, the outbox would stall for ever.
 */

type SensorChanged = Extract<GatewayEvent, { type: 'sensor.changed' }>;

const FAST_RECONNECT = { initialMs: 100, maxMs: 500, jitter: 0.2, stableAfterMs: 10_000 };

describe('an event the broker closes the connection on', () => {
  it.each([4, 5] as const)(
    'Mosquitto, a packet over its max_packet_size (MQTT %i): dead-lettered, the rest delivered in order',
    async (version) => {
      const broker = await startMosquitto({ maxPacketSize: 4096 });
      const consumer = await subscriber(broker.url, 'rfid/gw1/events/#');
      const { logger, lines } = textLogger();
      const gateway = startGateway(
        { url: broker.url, protocolVersion: version, reconnect: FAST_RECONNECT },
        { logger },
      );
      await waitFor('a connection', () => gateway.client.connected);
      gateway.emit(['tag.arrived']);
      // A sensor's text value of 8 KB: twice what the broker takes.
      const sensor = makeEvent(gateway.outbox.nextSeq(), 'sensor.changed') as SensorChanged;
      gateway.outbox.append({ ...sensor, value: 'x'.repeat(8192) });
      gateway.outbox.commit();
      gateway.emit(['tag.departed', 'sensor.changed', 'tag.arrived']);

      await expect(gateway.publisher.drain(30_000)).resolves.toBe(true);
      await waitFor('the four others at the subscriber', () => consumer.messages.length >= 4);
      const seqs = consumer.messages.map((message) => (JSON.parse(message.payload) as { seq: number }).seq);
      expect([...new Set(seqs)]).toEqual([1, 3, 4, 5]);
      expect(gateway.outbox.stats()).toMatchObject({ depth: 0, deadLettered: 1 });
      const deadLettered = lines
        .map((line) => JSON.parse(line) as { msg: string; seq?: number; reason?: string })
        .filter((line) => line.msg === 'event dead-lettered');
      expect(deadLettered.map((line) => line.seq)).toEqual([2]);
    },
    60_000,
  );
});
