import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IClientOptions } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { Store } from '../../src/store/index.js';
import { CliProcess } from '../helpers/cli.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';
import { RABBITMQ_ADMIN, startRabbitMq } from '../helpers/rabbitmq.js';

/**
 * Issue 17's fleet under a broker node's death: whole gateways (`rfid-gateway run`, each a child
 * process replaying a looping capture) publish through a 3-node RabbitMQ cluster, or a Mosquitto
 * primary/standby pair, with `mqtt.url` listing the nodes in different orders; the node most of them
 * are on is SIGKILLed mid-run. Every event each gateway's outbox took must reach a consumer on a
 * surviving node once after dedup by `id`, in `seq` order per gateway, and each gateway on the
 * killed node must say it moved to its next node. Status is not asserted on: RabbitMQ 3.10 keeps
 * retained messages per node, so the killed node's are gone; the gateways' own logs say where they are.
 */

const DEMO_CAPTURE = fileURLToPath(new URL('../../hardware/captures/fridge-demo.jsonl', import.meta.url));
// Events each gateway must have delivered before the kill, and again after it.
const EVENTS_BEFORE = 10;
const EVENTS_AFTER = 10;
/** `rabbitmqctl` arguments of the policy the README's "Failover across nodes" gives for RabbitMQ. */
const MIRROR_MQTT_SUBSCRIPTIONS = [
  'set_policy',
  '--apply-to',
  'queues',
  'mqtt-subscriptions',
  '^mqtt-subscription-',
  '{"ha-mode":"all","ha-sync-mode":"automatic"}',
];

interface Envelope {
  id: string;
  seq: number;
}

interface Fleet {
  /** Each gateway's `mqtt.url`, in its order. */
  gateways: ReadonlyArray<{ id: string; urls: readonly string[] }>;
  /** Brokers the consumers watch `rfid/+/events/#` on; the first is never killed (it is polled). */
  consumerUrls: readonly string[];
  killedUrl: string;
  kill(): Promise<void>;
  /** Gateway-side MQTT settings beyond the URL (protocol, credentials). */
  mqtt: (dir: string) => Record<string, unknown>;
  consumerOptions: IClientOptions;
  /** What the brokers said about `gw`, for a failure's message. */
  brokerLog?: (gw: string) => string;
}

interface Logged {
  msg: string;
  url?: string;
  from?: string;
  to?: string;
  unacknowledged?: number;
}

function logged(gateway: CliProcess): Logged[] {
  return gateway.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Logged);
}

describe('a fleet of gateways when a broker node is SIGKILLed mid-run', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function runFleet(fleet: Fleet): Promise<void> {
    const consumers: MqttCollector[] = [];
    for (const [index, url] of fleet.consumerUrls.entries()) {
      const consumer = await MqttCollector.start(url, 'rfid/+/events/#', {
        ...fleet.consumerOptions,
        clientId: `fleet-consumer-${index}`,
      });
      cleanup.push(() => consumer.close());
      consumers.push(consumer);
    }
    // Every envelope any consumer got, by gateway (from the topic), in arrival order per consumer.
    const received = (gw: string): Envelope[] =>
      consumers.flatMap((consumer) =>
        consumer.messages
          .filter((m) => m.topic.startsWith(`rfid/${gw}/events/`))
          .map((m) => JSON.parse(m.payload) as Envelope),
      );
    const distinct = (gw: string): number => new Set(received(gw).map((e) => e.id)).size;

    const running = fleet.gateways.map(({ id, urls }) => {
      const dir = mkdtempSync(join(tmpdir(), `rfid-fleet-fo-${id}-`));
      cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
      const config = join(dir, 'gateway.json');
      const replay = (portId: string) => ({ speed: 20, loop: true, portId });
      writeFileSync(
        config,
        JSON.stringify({
          gatewayId: id,
          dataDir: join(dir, 'data'),
          logLevel: 'info',
          output: { stdout: false },
          mqtt: {
            url: urls,
            metricsIntervalMs: 1000,
            reconnect: { initialMs: 100, maxMs: 500, stableAfterMs: 1000 },
            ...fleet.mqtt(dir),
          },
          readers: [
            { id: 'fridge', driver: 'thingmagic', port: `replay:${DEMO_CAPTURE}`, replay: replay('fridge') },
          ],
          sensors: [{ id: 'io', driver: 'lines', port: `replay:${DEMO_CAPTURE}`, replay: replay('io') }],
        }),
      );
      const gateway = new CliProcess(['run', '--config', config]);
      cleanup.push(() => gateway.stop('SIGKILL'));
      return { id, urls, dir, gateway };
    });

    const failing = (gw: string) => (error: unknown) => {
      const process = running.find((r) => r.id === gw)?.gateway;
      throw new Error(
        `${(error as Error).message}\n${gw} stderr:\n${process?.stderr.slice(-3000) ?? ''}\nbrokers:\n${fleet.brokerLog?.(gw) ?? ''}`,
      );
    };
    // Generous bounds: a 2-core machine running a cluster and several gateways is slow, not broken.
    for (const { id } of running)
      await consumers[0]
        ?.waitFor(() => distinct(id) >= EVENTS_BEFORE, `${EVENTS_BEFORE} events of ${id}`, 60_000)
        .catch(failing(id));

    const before = new Map(running.map(({ id }) => [id, distinct(id)]));
    await fleet.kill();
    for (const { id } of running)
      await consumers[0]
        ?.waitFor(
          () => distinct(id) >= (before.get(id) ?? 0) + EVENTS_AFTER,
          `${EVENTS_AFTER} more events of ${id} after the kill`,
          60_000,
        )
        .catch(failing(id));

    for (const { gateway } of running) expect(await gateway.stop('SIGTERM')).toBe(0);

    for (const { id, urls, dir, gateway } of running) {
      // What the gateway's outbox took, and that it handed all of it to a broker before exiting.
      const store = Store.open({ dataDir: join(dir, 'data'), clock: systemClock, logger: silentLogger() });
      const stats = store.outbox.stats();
      store.close();
      expect(stats.depth, `${id}'s outbox drained`).toBe(0);
      await consumers[0]
        ?.waitFor(() => distinct(id) >= stats.lastSeq, `all ${stats.lastSeq} events of ${id}`, 30_000)
        .catch(failing(id));

      // Once after dedup by id: one id per seq, every seq from 1 to the outbox's last.
      const idsBySeq = new Map<number, Set<string>>();
      for (const { seq, id: eventId } of received(id))
        idsBySeq.set(seq, (idsBySeq.get(seq) ?? new Set()).add(eventId));
      expect(
        [...idsBySeq.keys()].sort((x, y) => x - y),
        `${id}'s seqs`,
      ).toEqual(Array.from({ length: stats.lastSeq }, (_, i) => i + 1));
      expect(
        [...idsBySeq.entries()].filter(([, ids]) => ids.size !== 1),
        `${id}: a seq with more than one id`,
      ).toEqual([]);
      // In seq order per gateway: first sightings at each consumer strictly increase. Copies are
      // QoS 1's allowance (a resend of what the dead node took but never acknowledged), so they only
      // ever repeat an id already seen.
      for (const consumer of consumers) {
        const seqs = consumer.messages
          .filter((m) => m.topic.startsWith(`rfid/${id}/events/`))
          .map((m) => JSON.parse(m.payload) as Envelope);
        const firstSeen = [...new Map(seqs.map((e) => [e.id, e.seq])).values()];
        expect(
          firstSeen.every((seq, i) => i === 0 || seq > (firstSeen[i - 1] ?? 0)),
          `${id}: seq in order`,
        ).toBe(true);
      }

      // QoS 1's allowance: only what was in flight when a connection was lost is sent twice.
      const lines = logged(gateway);
      const inFlight = lines
        .filter((l) => l.msg.startsWith('connection lost with events in flight'))
        .reduce((sum, l) => sum + (l.unacknowledged ?? 0), 0);
      expect(received(id).length - distinct(id), `${id}'s duplicates`).toBeLessThanOrEqual(inFlight);

      // Where it went: a gateway on the killed node moved to its next one; the others stayed put.
      const connected = lines.filter((l) => l.msg === 'connected to the broker').map((l) => l.url);
      const moves = lines
        .filter((l) => l.msg === 'moving to the next broker node')
        .map((l) => [l.from, l.to]);
      if (urls[0] === fleet.killedUrl) {
        expect(connected, `${id} connected`).toEqual([urls[0], urls[1]]);
        expect(moves, `${id} moved`).toEqual([[urls[0], urls[1]]]);
      } else {
        expect(connected, `${id} connected`).toEqual([urls[0]]);
        expect(moves, `${id} moved`).toEqual([]);
      }
    }
  }

  it('RabbitMQ: 3-node cluster, node 2 (two of three gateways) killed; every event once, in order', async () => {
    const cluster = await startRabbitMq({ nodes: 3 });
    const [n1, n2, n3] = cluster.urls as [string, string, string];
    // The deployment step the README asks for. The plugin keeps a QoS 1 subscription (the gateway's
    // requests) in a durable queue on the node the gateway first met, even for a clean session; when
    // that node dies unmirrored, its record stays and every other node refuses to declare it again
    // ("home node ... is down"): the gateway would connect, fail to subscribe, be closed, forever.
    await cluster.ctl(MIRROR_MQTT_SUBSCRIPTIONS);
    await runFleet({
      // Two gateways start on node 2 and fall back to different nodes; one stays on node 3 throughout.
      gateways: [
        { id: 'gw-r1', urls: [n2, n1, n3] },
        { id: 'gw-r2', urls: [n2, n3, n1] },
        { id: 'gw-r3', urls: [n3, n2, n1] },
      ],
      // The consumer's queue lives on the node it subscribed on (3.10 classic queues are not
      // replicated): node 1, which is never killed, so it misses nothing while node 2's share moves.
      consumerUrls: [n1],
      killedUrl: n2,
      kill: () => cluster.kill(2),
      mqtt: (dir) => {
        const passwordFile = join(dir, 'mqtt-password');
        writeFileSync(passwordFile, `${RABBITMQ_ADMIN.password}\n`, { mode: 0o600 });
        // RabbitMQ 3.10's MQTT plugin speaks 3.1.1 only.
        return { protocolVersion: 4, username: RABBITMQ_ADMIN.username, passwordFile };
      },
      consumerOptions: { ...RABBITMQ_ADMIN, protocolVersion: 4 },
      brokerLog: (gw) =>
        [1, 3]
          .flatMap((node) =>
            cluster
              .logs(node)
              .split('\n')
              .filter((line) => line.includes(gw) || /mqtt_node|duplicate|error/i.test(line))
              .slice(-15)
              .map((line) => `node ${node}: ${line}`),
          )
          .join('\n'),
    });
  }, 240_000);

  it('Mosquitto: primary and standby, the primary killed; every event once, in order', async () => {
    const a = await startMosquitto();
    const b = await startMosquitto();
    await runFleet({
      gateways: [
        { id: 'gw-m1', urls: [a.url, b.url] },
        { id: 'gw-m2', urls: [a.url, b.url] },
        { id: 'gw-m3', urls: [b.url, a.url] },
      ],
      // Independent brokers: a consumer on each, deduplicated across them. The one on A keeps what
      // it got before the kill; `consumers[0]` (on B) is only used as the poller.
      consumerUrls: [b.url, a.url],
      killedUrl: a.url,
      kill: () => a.kill(),
      mqtt: () => ({}),
      consumerOptions: {},
    });
  }, 120_000);
});
