import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayConfigInput } from '../../src/config/schema.js';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../src/mqtt/embedded-broker.js';
import { silentLogger } from '../../src/observability/logger.js';
import { HttpRig, settle, T0 } from './http-rig.js';

const READER_OFFLINE_MS = 60_000;
const OUTBOX_UNDRAINED_MS = 120_000;
const at = (ms: number) => new Date(T0 + ms).toISOString();

function config(extra: Partial<GatewayConfigInput> = {}): GatewayConfigInput {
  return {
    gatewayId: 'gw-health',
    readers: [{ id: 'fridge', driver: 'thingmagic', port: 'replay:none' }],
    sensors: [{ id: 'io', driver: 'lines', port: 'replay:none' }],
    http: { health: { readerOfflineMs: READER_OFFLINE_MS, outboxUndrainedMs: OUTBOX_UNDRAINED_MS } },
    ...extra,
  };
}

/** A loopback port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('GET /healthz (real HTTP, controller on the virtual clock)', () => {
  const rigs: HttpRig[] = [];
  const brokers: EmbeddedBroker[] = [];
  afterEach(async () => {
    for (const rig of rigs.splice(0)) await rig.dispose();
    for (const broker of brokers.splice(0)) await broker.close();
  });

  it('turns 503 once a reader is offline longer than readerOfflineMs, and 200 when it is back', async () => {
    const rig = await HttpRig.start(config());
    rigs.push(rig);
    const ok = await rig.health();
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      status: 'ok',
      gateway: 'gw-health',
      ts: at(0),
      reasons: [],
      readers: { fridge: { state: 'online', since: at(0) }, io: { state: 'online', since: at(0) } },
    });
    // No broker: no outbox and no broker in the report.
    expect(ok.body.outbox).toBeUndefined();
    expect(ok.body.broker).toBeUndefined();

    rig.advance(1000);
    rig.port('fridge').unplug('cable pulled');
    // Exactly the limit is not longer than it.
    rig.advance(READER_OFFLINE_MS);
    const atLimit = await rig.health();
    expect(atLimit.status).toBe(200);
    expect(atLimit.body.readers.fridge).toEqual({
      state: 'offline',
      since: at(1000),
      reason: 'cable pulled',
    });

    rig.advance(1);
    const down = await rig.health();
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('unhealthy');
    expect(down.body.reasons).toEqual([
      `reader fridge offline since ${at(1000)} (60.0 s, longer than readerOfflineMs 60000 ms): cable pulled`,
    ]);
    const metrics = await rig.metrics();
    expect(metrics.value('rfid_gateway_healthy')).toBe(0);
    expect(metrics.samples('rfid_gateway_reader_up', ['reader'])).toEqual({
      'reader=fridge': 0,
      'reader=io': 1,
    });
    expect(metrics.value('rfid_gateway_reader_state_change_timestamp_seconds', { reader: 'fridge' })).toBe(
      (T0 + 1000) / 1000,
    );
    // HEAD: the same status and headers, no body.
    const head = await rig.get('/healthz', { method: 'HEAD' });
    expect(head.status).toBe(503);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await head.text()).toBe('');

    rig.advance(30_000);
    rig.port('fridge').plugIn();
    const back = await rig.health();
    expect(back.status).toBe(200);
    expect(back.body.readers.fridge).toEqual({ state: 'online', since: at(91_001) });
    expect((await rig.metrics()).value('rfid_gateway_healthy')).toBe(1);
  });

  it('treats a stalled reader as an offline one: 503 after readerOfflineMs, counted in the stalls', async () => {
    const rig = await HttpRig.start(config());
    rigs.push(rig);
    rig.heartbeat('fridge');
    // Hung with its port open: stalled 2.5 heartbeats after its last one.
    rig.advance(2500);
    const stalled = await rig.health();
    expect(stalled.status).toBe(200);
    const reason = 'no traffic for 2500 ms (expected every 1000 ms)';
    expect(stalled.body.readers.fridge).toEqual({ state: 'stalled', since: at(2500), reason });
    rig.advance(READER_OFFLINE_MS + 1);
    const down = await rig.health();
    expect(down.status).toBe(503);
    expect(down.body.reasons).toEqual([
      `reader fridge stalled since ${at(2500)} (60.0 s, longer than readerOfflineMs 60000 ms): ${reason}`,
    ]);
    const metrics = await rig.metrics();
    expect(metrics.samples('rfid_gateway_reader_stalls_total', ['reader'])).toEqual({
      'reader=fridge': 1,
      'reader=io': 0,
    });
    expect(metrics.value('rfid_gateway_reader_up', { reader: 'fridge' })).toBe(0);
    rig.heartbeat('fridge');
    expect((await rig.health()).status).toBe(200);
  });

  it('counts a device that was never there from the start-up', async () => {
    const rig = await HttpRig.start(config(), { absent: ['io'] });
    rigs.push(rig);
    rig.advance(READER_OFFLINE_MS);
    expect((await rig.health()).status).toBe(200);
    rig.advance(1);
    const down = await rig.health();
    expect(down.status).toBe(503);
    expect(down.body.reasons).toEqual([
      `reader io offline since ${at(0)} (60.0 s, longer than readerOfflineMs 60000 ms): ENOENT: no such device`,
    ]);
  });

  it('turns 503 when the outbox is not drained (and the broker gone) for longer than outboxUndrainedMs, 200 once drained', async () => {
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    const reconnect = { initialMs: 100, maxMs: 100, jitter: 0 };
    const rig = await HttpRig.start(config({ mqtt: { url, reconnect } }));
    rigs.push(rig);
    // The ports' `online` statuses are committed to the outbox on the next turn of the loop.
    await settle();
    const waiting = rig.controller.store.outbox.stats().depth;
    expect(waiting).toBeGreaterThanOrEqual(2);
    const first = await rig.health();
    expect(first.status).toBe(200);
    expect(first.body.outbox).toEqual({ depth: waiting, oldestAgeMs: 0 });
    expect(first.body.broker).toEqual({ connected: false, since: at(0) });

    rig.advance(OUTBOX_UNDRAINED_MS + 1);
    const stuck = await rig.health();
    expect(stuck.status).toBe(503);
    expect(stuck.body.reasons).toEqual([
      `oldest unsent event (seq 1) committed at ${at(0)} (120.0 s ago, longer than outboxUndrainedMs 120000 ms); ${waiting} event(s) waiting`,
      `broker disconnected since ${at(0)} (120.0 s, longer than outboxUndrainedMs 120000 ms)`,
    ]);
    const metrics = await rig.metrics();
    expect(metrics.value('rfid_gateway_outbox_pending_events')).toBe(waiting);
    expect(metrics.value('rfid_gateway_outbox_oldest_age_seconds')).toBe(120.001);
    expect(metrics.value('rfid_gateway_broker_connected')).toBe(0);
    expect(metrics.value('rfid_gateway_broker_connects_total')).toBe(0);

    // The broker comes up; the client's next attempt (on the clock) connects and the outbox drains.
    brokers.push(await startEmbeddedBroker({ host: '127.0.0.1', port }, silentLogger()));
    const deadline = Date.now() + 10_000;
    while (rig.controller.store.outbox.stats().depth > 0 || !rig.controller.mqtt?.client.connected) {
      if (Date.now() > deadline) throw new Error('the outbox did not drain');
      rig.advance(100);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const drained = await rig.health();
    expect(drained.status).toBe(200);
    expect(drained.body.outbox).toEqual({ depth: 0, oldestAgeMs: null });
    expect(drained.body.broker).toEqual({ connected: true });
    const after = await rig.metrics();
    expect(after.value('rfid_gateway_outbox_pending_events')).toBe(0);
    expect(after.value('rfid_gateway_outbox_oldest_age_seconds')).toBe(0);
    expect(after.value('rfid_gateway_broker_connected')).toBe(1);
    expect(after.value('rfid_gateway_broker_connects_total')).toBe(1);
  });
});
