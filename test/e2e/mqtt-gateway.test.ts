import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { Store } from '../../src/store/index.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';
import { writeSyntheticCapture } from '../helpers/synthetic-capture.js';

const GOLDEN = fileURLToPath(new URL('../golden/real-frames.jsonl', import.meta.url));
const DEMO_CAPTURE = fileURLToPath(new URL('../../hardware/captures/fridge-demo.jsonl', import.meta.url));

describe('the gateway over MQTT (real Mosquitto)', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function collector(url: string, filter: string, options = {}): Promise<MqttCollector> {
    const started = await MqttCollector.start(url, filter, options);
    cleanup.push(() => started.close());
    return started;
  }

  it('replay --mqtt publishes every event on its topic and exits once they are acknowledged', async () => {
    const broker = await startMosquitto();
    const sub = await collector(broker.url, 'rfid/test-7/#');
    const result = await runCli(['replay', GOLDEN, '--mqtt', broker.url, '--gateway-id', 'test-7']);
    expect(result.code, result.stderr).toBe(0);
    const printed = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(printed).toHaveLength(27);
    await sub.waitFor(
      (messages) => messages.filter((m) => m.topic.includes('/events/')).length >= 27,
      'events',
    );
    const events = sub.messages.filter((m) => m.topic.includes('/events/'));
    // Each event on <base>/events/<type with dots as slashes>, byte for byte what was printed.
    expect(events.map((m) => m.topic)).toEqual(
      printed.map((event) => `rfid/test-7/events/${String(event.type).replaceAll('.', '/')}`),
    );
    expect(events.map((m) => JSON.parse(m.payload))).toEqual(printed);
    expect(printed.map((event) => event.seq)).toEqual(printed.map((_, index) => index + 1));
    // A graceful end says so on the retained status.
    await sub.waitFor(
      (messages) => messages.some((m) => m.topic === 'rfid/test-7/status' && m.payload.includes('"offline"')),
      'offline status',
    );
  });

  it('replay --mqtt into the same data dir twice continues the seq and publishes both runs', async () => {
    const broker = await startMosquitto();
    const dataDir = mkdtempSync(join(tmpdir(), 'rfid-twice-'));
    const sub = await collector(broker.url, 'rfid/twice/events/#');
    const args = ['replay', GOLDEN, '--mqtt', broker.url, '--gateway-id', 'twice', '--data-dir', dataDir];
    const first = await runCli(args);
    const second = await runCli(args);
    expect([first.code, second.code]).toEqual([0, 0]);
    const seqsOf = (stdout: string) =>
      stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).seq as number);
    expect(seqsOf(first.stdout)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
    // The shelf's two tags held at the end of the first run (its reader stalled) are restored by the
    // second and read again: no arrival and no inventory change for them, four events fewer.
    expect(seqsOf(second.stdout)).toEqual(Array.from({ length: 23 }, (_, i) => 28 + i));
    await sub.waitFor((messages) => messages.length >= 50, 'both runs');
    expect(sub.events().map((event) => event.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('keeps every event of a real-time replay while the broker is down for 5 s', async () => {
    const broker = await startMosquitto({ persistence: true, maxQueuedMessages: 0 });
    const capture = join(mkdtempSync(join(tmpdir(), 'rfid-outage-')), 'ten-seconds.jsonl');
    await writeSyntheticCapture({
      file: capture,
      driver: 'thingmagic',
      portId: 'shelf',
      seconds: 10,
      readsPerSecond: 50,
      tags: 400,
      seed: 3,
    });
    const sub = await collector(broker.url, 'rfid/outage/events/#', { clientId: 'ops', clean: false });
    const replay = new CliProcess([
      'replay',
      capture,
      '--mqtt',
      broker.url,
      '--gateway-id',
      'outage',
      '--speed',
      '1',
    ]);
    cleanup.push(() => replay.stop('SIGKILL'));
    await sub.waitFor((messages) => messages.length >= 20, 'first events');
    await broker.stop();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    await broker.restart();
    expect(await replay.exit(60_000)).toBe(0);
    const printed = replay.events();
    expect(printed.length).toBeGreaterThan(100);
    await sub.waitFor(
      () => new Set(sub.events().map((event) => event.id)).size >= printed.length,
      'every event after the outage',
      20_000,
    );
    const firstSeen = [...new Map(sub.events().map((event) => [event.id, event.seq as number])).values()];
    expect(firstSeen).toEqual(printed.map((event) => event.seq));
    // The gateway logged the outage and reconnected; nothing was dropped from the outbox.
    expect(replay.stderr).toMatch(/ECONNREFUSED|connection lost|disconnected|offline/i);
  });

  it('survives a SIGKILL: last will offline, no seq gap, unacknowledged events published after the restart', async () => {
    const broker = await startMosquitto();
    const dir = mkdtempSync(join(tmpdir(), 'rfid-kill-'));
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: 'gw-kill',
        dataDir: join(dir, 'data'),
        logLevel: 'warn',
        output: { stdout: false },
        mqtt: { url: broker.url, keepaliveSec: 5, reconnect: { initialMs: 100, maxMs: 500 } },
        readers: [
          {
            id: 'fridge',
            driver: 'thingmagic',
            port: `replay:${DEMO_CAPTURE}`,
            replay: { speed: 20, loop: true, portId: 'fridge' },
          },
        ],
        sensors: [
          {
            id: 'io',
            driver: 'lines',
            port: `replay:${DEMO_CAPTURE}`,
            replay: { speed: 20, loop: true, portId: 'io' },
          },
        ],
      }),
    );
    // A persistent subscriber, as a back office would have.
    const sub = await collector(broker.url, 'rfid/gw-kill/#', { clientId: 'backoffice', clean: false });

    const first = new CliProcess(['run', '--config', config]);
    cleanup.push(() => first.stop('SIGKILL'));
    await sub.waitFor(
      (messages) => messages.filter((m) => m.topic.includes('/events/')).length >= 20,
      'events',
    );
    await first.stop('SIGKILL');
    // The broker publishes the last will once it notices (keepalive 5 s → at most ~7.5 s).
    await sub.waitFor(
      (messages) =>
        messages.some((m) => m.topic === 'rfid/gw-kill/status' && m.payload.includes('"offline"')),
      'last will',
      15_000,
    );

    const second = new CliProcess(['run', '--config', config]);
    cleanup.push(() => second.stop('SIGKILL'));
    const before = sub.events().length;
    await sub.waitFor(
      (messages) => messages.filter((m) => m.topic.includes('/events/')).length >= before + 20,
      'more',
    );
    expect(await second.stop('SIGTERM')).toBe(0);

    const store = Store.open({ dataDir: join(dir, 'data'), clock: systemClock, logger: silentLogger() });
    const stats = store.outbox.stats();
    store.close();
    expect(stats.depth).toBe(0);
    // Every committed event reached the subscriber: seq 1..lastSeq, each id once (after dedup), in order.
    await sub.waitFor((messages) => {
      const seqs = new Set(
        messages.filter((m) => m.topic.includes('/events/')).map((m) => JSON.parse(m.payload).seq),
      );
      return seqs.size >= stats.lastSeq;
    }, 'every seq');
    const bySeq = new Map<number, Set<string>>();
    for (const event of sub.events()) {
      const ids = bySeq.get(event.seq as number) ?? new Set<string>();
      ids.add(event.id as string);
      bySeq.set(event.seq as number, ids);
    }
    expect([...bySeq.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: stats.lastSeq }, (_, i) => i + 1),
    );
    expect([...bySeq.values()].every((ids) => ids.size === 1)).toBe(true);
    const firstSeen = [...new Map(sub.events().map((event) => [event.id, event.seq as number])).values()];
    expect(firstSeen).toEqual([...firstSeen].sort((a, b) => a - b));
  });

  it('answers requests, with credentials redacted from config/get', async () => {
    const broker = await startMosquitto();
    const dir = mkdtempSync(join(tmpdir(), 'rfid-req-'));
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: 'gw-req',
        dataDir: join(dir, 'data'),
        output: { stdout: false },
        mqtt: { url: broker.url.replace('mqtt://', 'mqtt://ops:s3cret@'), username: 'ops' },
        readers: [
          {
            id: 'shelf',
            driver: 'thingmagic',
            port: `replay:${GOLDEN}`,
            replay: { speed: 1, portId: 'shelf' },
          },
        ],
      }),
    );
    const gateway = new CliProcess(['run', '--config', config]);
    cleanup.push(() => gateway.stop('SIGKILL'));
    const sub = await collector(broker.url, 'rfid/gw-req/response/#');
    // The retained online status is published after the gateway subscribed to its requests.
    const status = await collector(broker.url, 'rfid/gw-req/status');
    await status.waitFor((messages) => messages.some((m) => m.payload.includes('"online"')), 'online status');
    await sub.client.publishAsync('rfid/gw-req/request/config/get', JSON.stringify({ transaction: 'c1' }));
    await sub.client.publishAsync(
      'rfid/gw-req/request/readers/get',
      JSON.stringify({ transaction: 7, reader: 'nope' }),
    );
    await sub.client.publishAsync('rfid/gw-req/request/inventory/get', 'not json');
    await sub.waitFor((messages) => messages.length >= 3, 'three responses');
    expect(sub.messages).toHaveLength(3);
    const byTopic = Object.fromEntries(sub.messages.map((m) => [m.topic, JSON.parse(m.payload)]));
    const configAnswer = byTopic['rfid/gw-req/response/config/get'];
    expect(configAnswer).toMatchObject({ transaction: 'c1', status: 'ok' });
    expect(JSON.stringify(configAnswer)).not.toContain('s3cret');
    expect(configAnswer.data.mqtt.username).toBe('[redacted]');
    expect(byTopic['rfid/gw-req/response/readers/get']).toMatchObject({ transaction: 7, status: 'error' });
    expect(byTopic['rfid/gw-req/response/readers/get'].error).toMatch(/unknown reader "nope"/);
    expect(byTopic['rfid/gw-req/response/inventory/get']).toMatchObject({ status: 'error' });
    expect(readFileSync(join(dir, 'gateway.json'), 'utf8')).toContain('s3cret');
    expect(gateway.stderr).not.toContain('s3cret');
  });
});
