import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { Store } from '../../src/store/index.js';
import { CliProcess } from '../helpers/cli.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector, type Received } from '../helpers/mqtt-collector.js';

const DEMO_CAPTURE = fileURLToPath(new URL('../../hardware/captures/fridge-demo.jsonl', import.meta.url));
const BASE = 'rfid/gw-fo';

interface Envelope {
  id: string;
  seq: number;
}

const envelopes = (messages: readonly Received[]): Envelope[] =>
  messages.filter((m) => m.topic.startsWith(`${BASE}/events/`)).map((m) => JSON.parse(m.payload) as Envelope);

const latest = (messages: readonly Received[], topic: string): Record<string, unknown> | undefined => {
  const found = messages.filter((m) => m.topic === topic).at(-1);
  return found ? (JSON.parse(found.payload) as Record<string, unknown>) : undefined;
};

/**
 * `rfid-gateway run` with `mqtt.url` listing two real Mosquitto brokers, each SIGKILLed in turn
 * while a looping capture keeps the events coming: the gateway moves, says where it is, loses nothing.
 */
describe('the gateway on a list of broker nodes (real brokers killed with SIGKILL)', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function collector(url: string): Promise<MqttCollector> {
    const started = await MqttCollector.start(url, `${BASE}/#`);
    cleanup.push(() => started.close());
    return started;
  }

  it('moves to B when A dies and back when B dies; every seq reaches a consumer, in order', async () => {
    const a = await startMosquitto();
    const b = await startMosquitto();
    const onA = await collector(a.url);
    const onB = await collector(b.url);
    const dir = mkdtempSync(join(tmpdir(), 'rfid-failover-'));
    const config = join(dir, 'gateway.json');
    const replay = (portId: string) => ({ speed: 20, loop: true, portId });
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: 'gw-fo',
        dataDir: join(dir, 'data'),
        logLevel: 'info',
        output: { stdout: false },
        mqtt: {
          url: [a.url, b.url],
          metricsIntervalMs: 1000,
          reconnect: { initialMs: 100, maxMs: 500, stableAfterMs: 1000 },
        },
        readers: [
          { id: 'fridge', driver: 'thingmagic', port: `replay:${DEMO_CAPTURE}`, replay: replay('fridge') },
        ],
        sensors: [{ id: 'io', driver: 'lines', port: `replay:${DEMO_CAPTURE}`, replay: replay('io') }],
      }),
    );
    const gateway = new CliProcess(['run', '--config', config]);
    cleanup.push(() => gateway.stop('SIGKILL'));
    const eventsOn = (consumer: MqttCollector) => envelopes(consumer.messages).length;
    await onA.waitFor(() => eventsOn(onA) >= 20, 'events on A');

    await a.kill();
    await onB.waitFor(
      () => latest(onB.messages, `${BASE}/status`)?.broker === b.url,
      'the status on B',
      10_000,
    );
    expect(latest(onB.messages, `${BASE}/status`)).toMatchObject({ state: 'online', gateway: 'gw-fo' });
    await onB.waitFor(() => eventsOn(onB) >= 20, 'events on B');
    await onB.waitFor(() => {
      const broker = latest(onB.messages, `${BASE}/metrics`)?.broker as { url?: string } | undefined;
      return broker?.url === b.url;
    }, 'metrics naming B');
    expect(latest(onB.messages, `${BASE}/metrics`)?.broker).toMatchObject({ url: b.url, moves: 1 });

    await a.restart();
    // A consumer on A that receives again (it resubscribes on reconnect), before the gateway returns.
    await onA.waitFor(() => {
      void onA.client.publish(`${BASE}/probe`, 'probe', { qos: 1 });
      return onA.messages.some((m) => m.topic === `${BASE}/probe`);
    }, 'the consumer on A back');
    const beforeReturn = eventsOn(onA);
    await b.kill();
    await onA.waitFor(
      (messages) =>
        messages.some((m) => m.topic === `${BASE}/status` && m.payload.includes(`"broker":"${a.url}"`)),
      'the status on A again',
      10_000,
    );
    await onA.waitFor(() => eventsOn(onA) >= beforeReturn + 20, 'events on A again');
    expect(await gateway.stop('SIGTERM')).toBe(0);

    const store = Store.open({ dataDir: join(dir, 'data'), clock: systemClock, logger: silentLogger() });
    const stats = store.outbox.stats();
    store.close();
    expect(stats.depth).toBe(0);
    const received = () => [...envelopes(onA.messages), ...envelopes(onB.messages)];
    await onA.waitFor(() => new Set(received().map((e) => e.seq)).size >= stats.lastSeq, 'every seq');
    const idsBySeq = new Map<number, Set<string>>();
    for (const { seq, id } of received()) idsBySeq.set(seq, (idsBySeq.get(seq) ?? new Set()).add(id));
    expect([...idsBySeq.keys()].sort((x, y) => x - y)).toEqual(
      Array.from({ length: stats.lastSeq }, (_, i) => i + 1),
    );
    expect([...idsBySeq.values()].every((ids) => ids.size === 1)).toBe(true);
    for (const consumer of [onA, onB]) {
      const firstSeen = [...new Map(envelopes(consumer.messages).map((e) => [e.id, e.seq])).values()];
      expect(firstSeen).toEqual([...firstSeen].sort((x, y) => x - y));
    }
    const logged = gateway.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map(
        (line) =>
          JSON.parse(line) as { msg: string; url?: string; node?: number; from?: string; to?: string },
      );
    expect(logged.filter((l) => l.msg === 'connected to the broker').map((l) => [l.url, l.node])).toEqual([
      [a.url, 0],
      [b.url, 1],
      [a.url, 0],
    ]);
    expect(
      logged.filter((l) => l.msg === 'moving to the next broker node').map((l) => [l.from, l.to]),
    ).toEqual([
      [a.url, b.url],
      [b.url, a.url],
    ]);
  });
});
