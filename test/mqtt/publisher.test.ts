import { describe, expect, it } from 'vitest';
import type { GatewayMqttClient, PublishOutcome } from '../../src/mqtt/client.js';
import { createTopics } from '../../src/mqtt/topics.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { dedupedSeqs, startGateway, stream, subscriber, textLogger, waitFor } from './fixture.js';

/** The outbox publisher against a real Mosquitto: round trip, broker restart, broker SIGKILL. */

const topics = createTopics('rfid', 'gw1');
const FAST_RECONNECT = { initialMs: 200, maxMs: 2_000, jitter: 0.5, stableAfterMs: 10_000 };

describe('OutboxPublisher with Mosquitto', () => {
  it.each([4, 5] as const)(
    'publishes each stored event on its topic, payload unchanged (MQTT %i)',
    async (version) => {
      const broker = await startMosquitto();
      const consumer = await subscriber(broker.url, `${topics.base}/events/#`);
      const gateway = startGateway({ url: broker.url, protocolVersion: version });
      const types = [
        'tag.arrived',
        'tag.departed',
        'tag.moved',
        'sensor.changed',
        'reader.status',
        'purchase.completed',
      ];
      const events = gateway.emit(types);
      const stored = gateway.outbox.pending(0, 100).map((record) => record.payload);

      await expect(gateway.publisher.drain(10_000)).resolves.toBe(true);
      await waitFor('every event at the subscriber', () => consumer.messages.length === events.length);
      expect(consumer.messages.map((message) => message.topic)).toEqual([
        'rfid/gw1/events/tag/arrived',
        'rfid/gw1/events/tag/departed',
        'rfid/gw1/events/tag/moved',
        'rfid/gw1/events/sensor/changed',
        'rfid/gw1/events/reader/status',
        'rfid/gw1/events/purchase/completed',
      ]);
      expect(consumer.messages.map((message) => message.payload)).toEqual(stored);
      expect(consumer.messages.map((message) => (JSON.parse(message.payload) as GatewayEvent).id)).toEqual(
        events.map((event) => event.id),
      );
      expect(gateway.outbox.stats()).toMatchObject({ depth: 0, ackedThroughSeq: events.length });
    },
  );

  it('loses nothing when the broker stops mid-stream and comes back 5 s later on the same port', async () => {
    const broker = await startMosquitto({ persistence: true, maxQueuedMessages: 0 });
    // A persistent QoS 1 consumer: the broker keeps its session and queue across the restart.
    const consumer = await subscriber(broker.url, `${topics.base}/events/#`, {
      clientId: 'ops-consumer',
      clean: false,
      reconnectPeriod: 250,
    });
    const { logger, lines } = textLogger();
    const gateway = startGateway({ url: broker.url, reconnect: FAST_RECONNECT }, { logger });
    const total = 3_000;
    let outage: Promise<void> | undefined;

    await stream(gateway, total, 50, 20, (emitted) => {
      if (emitted === 1_000)
        outage = (async () => {
          await broker.stop();
          await new Promise((resolve) => setTimeout(resolve, 5_000));
          await broker.restart();
        })();
    });
    await outage;
    await expect(gateway.publisher.drain(20_000)).resolves.toBe(true);
    await waitFor(
      'every seq at the persistent consumer',
      () => dedupedSeqs(consumer.messages).length === total,
      20_000,
      () => `got ${dedupedSeqs(consumer.messages).length} of ${total}`,
    );

    const seqs = dedupedSeqs(consumer.messages);
    expect(seqs).toEqual(Array.from({ length: total }, (_, index) => index + 1));
    expect(gateway.client.stats()).toMatchObject({ connected: true, connects: 2, disconnects: 1 });
    // It kept trying through the 5 s outage with growing, jittered delays.
    const delays = lines
      .map((line) => JSON.parse(line) as { msg: string; delayMs?: number })
      .filter((line) => line.msg === 'reconnecting to the broker')
      .map((line) => line.delayMs as number);
    expect(delays.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...delays)).toBeGreaterThan(FAST_RECONNECT.initialMs);
    expect(delays.every((delay) => delay <= FAST_RECONNECT.maxMs)).toBe(true);
  }, 60_000);

  it('marks nothing sent that the broker did not acknowledge when it is SIGKILLed mid-stream', async () => {
    const broker = await startMosquitto({ persistence: true, maxQueuedMessages: 0 });
    const consumer = await subscriber(broker.url, `${topics.base}/events/#`, {
      clientId: 'ops-consumer',
      clean: false,
      reconnectPeriod: 250,
    });
    // An autosave must record the consumer's session, or the restarted broker would not queue for it.
    await waitFor(
      'an autosave of the broker',
      () => broker.logs().includes('Saving in-memory database'),
      10_000,
    );
    const gateway = startGateway({ url: broker.url, reconnect: FAST_RECONNECT });
    const acked = new Set<number>();
    const markedSent: number[] = [];
    const notAcked: number[] = [];
    spyOnAcknowledgements(gateway.client, acked);
    const markSent = gateway.outbox.markSent.bind(gateway.outbox);
    gateway.outbox.markSent = (seqs) => {
      for (const seq of seqs) if (!acked.has(seq)) notAcked.push(seq);
      markedSent.push(...seqs);
      markSent(seqs);
    };
    /** The state at the moment the gateway saw the connection die. */
    let atDisconnect:
      | { acked: number[]; markedSent: number[]; pending: number[]; committed: number }
      | undefined;
    // Registered after the publisher's own listener, which records the PUBACKs received until then.
    gateway.client.onDisconnect(() => {
      atDisconnect ??= {
        acked: sorted(acked),
        markedSent: sorted(markedSent),
        pending: gateway.outbox.pending(0, 1_000_000).map((record) => record.seq),
        committed: gateway.outbox.stats().lastSeq,
      };
    });
    const total = 2_000;
    let restarted: Promise<void> | undefined;

    await stream(gateway, total, 50, 10, async (emitted) => {
      if (emitted !== 600) return;
      await broker.kill();
      restarted = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await broker.restart();
      })();
    });
    await restarted;
    await expect(gateway.publisher.drain(20_000)).resolves.toBe(true);

    expect(notAcked).toEqual([]);
    // Every event was marked sent exactly once: no loss, and no second PUBACK for one already sent.
    expect(sorted(markedSent)).toEqual(range(1, total));
    // At the disconnect, what the dead broker had acknowledged was exactly what was marked sent,
    // and everything else committed so far was still pending in the outbox.
    if (atDisconnect === undefined) throw new Error('the gateway never saw the connection drop');
    expect(atDisconnect.acked.length).toBeGreaterThan(0);
    expect(atDisconnect.markedSent).toEqual(atDisconnect.acked);
    const ackedBeforeKill = new Set(atDisconnect.acked);
    expect(atDisconnect.pending).toEqual(
      range(1, atDisconnect.committed).filter((seq) => !ackedBeforeKill.has(seq)),
    );
    const pendingAtKill = range(1, total).filter((seq) => !ackedBeforeKill.has(seq));
    // Each of them was acknowledged by the restarted broker, and reached the consumer through it.
    expect(pendingAtKill.every((seq) => acked.has(seq))).toBe(true);
    await waitFor(
      'every event not acknowledged before the kill at the consumer',
      () => {
        const received = new Set(dedupedSeqs(consumer.messages));
        return pendingAtKill.every((seq) => received.has(seq));
      },
      20_000,
      () =>
        `consumer connected: ${consumer.client.connected}, received ${dedupedSeqs(consumer.messages).length} distinct; broker log:\n${broker.logs().slice(-3_000)}`,
    );
    expect(gateway.client.stats().disconnects).toBe(1);
  }, 60_000);
});

/** Records the seq of every event whose PUBACK the client reports, by wrapping its publish(). */
function spyOnAcknowledgements(client: GatewayMqttClient, acked: Set<number>): void {
  const publish = client.publish.bind(client);
  client.publish = (topic, payload, options, done) =>
    publish(topic, payload, options, (outcome: PublishOutcome) => {
      if (outcome.kind === 'acked' && !options.retain)
        acked.add((JSON.parse(payload.toString()) as GatewayEvent).seq);
      done?.(outcome);
    });
}

const sorted = (seqs: Iterable<number>): number[] => [...seqs].sort((a, b) => a - b);
const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, index) => from + index);
