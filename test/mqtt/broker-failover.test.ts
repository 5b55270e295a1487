import { describe, expect, it, onTestFinished } from 'vitest';
import type { StatusPayload } from '../../src/mqtt/topics.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import { freePort, startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector, type Received } from '../helpers/mqtt-collector.js';
import { startGateway, stream, subscriber, textLogger, waitFor } from './fixture.js';

/**
 * `mqtt.url` as a list of broker nodes, against real Mosquitto brokers that die with SIGKILL: the
 * gateway moves to the next node and the outbox's guarantees hold across the move.
 */

const FAST_RECONNECT = { initialMs: 100, maxMs: 400, jitter: 0.5, stableAfterMs: 10_000 };
/** A move must not take longer than this (the first delay is 100 ms; the rest is the broker's start). */
const MOVE_WITHIN_MS = 10_000;
const STATUS = 'rfid/gw1/status';
const INVENTORY = 'rfid/gw1/inventory/shelf';

async function collector(url: string): Promise<MqttCollector> {
  const started = await MqttCollector.start(url, 'rfid/gw1/#');
  onTestFinished(() => started.close());
  return started;
}

interface Envelope {
  id: string;
  seq: number;
}

const envelopes = (messages: readonly Received[]): Envelope[] =>
  messages
    .filter((message) => message.topic.startsWith('rfid/gw1/events/'))
    .map((message) => JSON.parse(message.payload) as Envelope);

/** Seqs in arrival order, the first copy of each id only: what a deduplicating consumer keeps. */
function dedupedSeqs(received: readonly Envelope[]): number[] {
  const seen = new Set<string>();
  return received.filter(({ id }) => !seen.has(id) && seen.add(id)).map(({ seq }) => seq);
}

const isStrictlyIncreasing = (seqs: readonly number[]): boolean =>
  seqs.every((seq, index) => index === 0 || seq > (seqs[index - 1] as number));

/**
 * Resolves once `consumer` receives again on its broker after the broker's restart: what the gateway
 * publishes there from then on reaches it (its session is clean, so it resubscribes on reconnect).
 */
async function resubscribed(consumer: MqttCollector, url: string): Promise<void> {
  const probe = await subscriber(url, 'unused');
  await waitFor('the consumer to resubscribe', () => {
    probe.client.publish('rfid/gw1/probe', 'probe', { qos: 1 });
    return consumer.messages.some((message) => message.topic === 'rfid/gw1/probe');
  });
}

async function retainedStatus(url: string): Promise<StatusPayload> {
  const late = await subscriber(url, STATUS);
  await waitFor('the retained status', () => late.messages.length > 0);
  return JSON.parse(late.messages[0]?.payload ?? '{}') as StatusPayload;
}

describe('a list of broker nodes (real Mosquitto brokers, killed with SIGKILL)', () => {
  it('moves to B when A dies and back to A when B dies, losing nothing and keeping seq in order', async () => {
    const a = await startMosquitto();
    const b = await startMosquitto();
    const onA = await collector(a.url);
    const onB = await collector(b.url);
    const { logger, lines } = textLogger();
    const gateway = startGateway({ url: [a.url, b.url], reconnect: FAST_RECONNECT }, { logger });
    await waitFor('a connection to A', () => gateway.client.connected);
    expect(gateway.client.url).toBe(a.url);
    // Retained state published while on A must be there on B too: B does not share A's.
    gateway.publisher.publishRetained(INVENTORY, { zone: 'shelf', count: 3 });

    const emitted: GatewayEvent[] = [];
    const onTheMove: Promise<void>[] = [];
    const total = 600;
    const original = gateway.emit.bind(gateway);
    gateway.emit = (types) => {
      const events = original(types);
      emitted.push(...events);
      return events;
    };
    await stream(gateway, total, 10, 15, (count) => {
      // Mid-stream, without pausing it: A dies; later A is back and B dies.
      if (count === 200) onTheMove.push(a.kill());
      if (count === 400)
        onTheMove.push(
          (async () => {
            await waitFor('the move to B', () => gateway.client.url === b.url && gateway.client.connected);
            await a.restart();
            await resubscribed(onA, a.url);
            await b.kill();
          })(),
        );
    });
    await Promise.all(onTheMove);
    await waitFor(
      'the move back to A',
      () => gateway.client.url === a.url && gateway.client.connected,
      MOVE_WITHIN_MS,
    );
    expect(await gateway.publisher.drain(15_000)).toBe(true);

    // Every event reached A or B; each broker's copy, deduplicated, is in seq order.
    const ids = new Set(emitted.map((event) => event.id));
    expect(ids.size).toBe(total);
    await waitFor(
      'every event at a consumer',
      () =>
        new Set([...envelopes(onA.messages), ...envelopes(onB.messages)].map(({ id }) => id)).size === total,
    );
    const fromA = envelopes(onA.messages);
    const fromB = envelopes(onB.messages);
    expect(isStrictlyIncreasing(dedupedSeqs(fromA)), 'seq order on A').toBe(true);
    expect(isStrictlyIncreasing(dedupedSeqs(fromB)), 'seq order on B').toBe(true);
    const received = [...fromA, ...fromB];
    expect(received.every(({ id }) => ids.has(id))).toBe(true);
    // B got events between the two moves: the gateway did publish there.
    expect(dedupedSeqs(fromB).length).toBeGreaterThan(0);
    // Duplicates only for events left without PUBACK by a dying node (QoS 1's allowance).
    const duplicates = received.length - new Set(received.map(({ id }) => id)).size;
    expect(duplicates).toBeLessThanOrEqual(gateway.publisher.stats().unacknowledgedAtDisconnect);

    // The status of each node says which node the gateway is on; B's retained state came along.
    const statusesOnB = onB.messages
      .filter((message) => message.topic === STATUS)
      .map((message) => JSON.parse(message.payload) as StatusPayload);
    expect(statusesOnB[0]).toMatchObject({ state: 'online', broker: b.url });
    const inventoryOnB = onB.messages.find((message) => message.topic === INVENTORY);
    expect(inventoryOnB && JSON.parse(inventoryOnB.payload)).toEqual({ zone: 'shelf', count: 3 });
    // A restarted without persistence: only the gateway's publications after its move put them there.
    expect(await retainedStatus(a.url)).toMatchObject({ state: 'online', broker: a.url });
    const lateOnA = await subscriber(a.url, INVENTORY);
    await waitFor('the retained inventory on A', () => lateOnA.messages.length > 0);

    expect(gateway.client.stats()).toMatchObject({ connected: true, url: a.url, node: 0, moves: 2 });
    const logged = lines.map(
      (line) => JSON.parse(line) as { msg: string; url?: string; node?: number; from?: string; to?: string },
    );
    expect(
      logged.filter((line) => line.msg === 'connected to the broker').map((line) => [line.url, line.node]),
    ).toEqual([
      [a.url, 0],
      [b.url, 1],
      [a.url, 0],
    ]);
    expect(
      logged
        .filter((line) => line.msg === 'moving to the next broker node')
        .map((line) => [line.from, line.to]),
    ).toEqual([
      [a.url, b.url],
      [b.url, a.url],
    ]);
  });

  it('connects to the next node that answers when the first ones do not, without growing the backoff', async () => {
    const dead = [`mqtt://127.0.0.1:${await freePort()}`, `mqtt://127.0.0.1:${await freePort()}`];
    const c = await startMosquitto();
    const { logger, lines } = textLogger();
    // A steep backoff: had it grown before every node was tried, the second move would wait 30 s.
    const gateway = startGateway(
      { url: [...dead, c.url], reconnect: { initialMs: 100, maxMs: 60_000, factor: 300, jitter: 0 } },
      { logger },
    );
    await waitFor('a connection to the third node', () => gateway.client.connected, MOVE_WITHIN_MS);
    expect(gateway.client.stats()).toMatchObject({ url: c.url, node: 2, moves: 0 });
    expect(await retainedStatus(c.url)).toMatchObject({ state: 'online', broker: c.url });
    const moves = lines
      .map((line) => JSON.parse(line) as { msg: string; reason?: string; delayMs?: number; to?: string })
      .filter((line) => line.msg === 'moving to the next broker node');
    expect(moves.map((move) => [move.to, move.delayMs])).toEqual([
      [dead[1], 100],
      [c.url, 100],
    ]);
    expect(moves[0]?.reason).toMatch(/connection refused/);
  });

  it('keeps a single URL as before: no broker list in its logs, its status names the broker', async () => {
    const a = await startMosquitto();
    const { logger, lines } = textLogger();
    const gateway = startGateway({ url: a.url, reconnect: FAST_RECONNECT }, { logger });
    await waitFor('a connection', () => gateway.client.connected);
    await a.kill();
    await waitFor('the disconnect', () => !gateway.client.connected);
    await a.restart();
    await waitFor('the reconnect', () => gateway.client.stats().connects === 2, MOVE_WITHIN_MS);
    expect(gateway.client.stats()).toMatchObject({ url: a.url, node: 0, moves: 0 });
    expect(lines.some((line) => line.includes('moving to the next broker node'))).toBe(false);
    expect(await retainedStatus(a.url)).toMatchObject({ state: 'online', broker: a.url });
  });
});
