import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from '../../src/app/controller.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/observability/logger.js';
import { encodeId12Frame } from '../../src/protocols/em4100-ascii/index.js';
import { encodeLine } from '../../src/protocols/lines/index.js';
import { systemClock } from '../../src/shared/clock.js';
import { FakePort } from '../helpers/fake-port.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';
import { fridgeCabinet } from '../kits/config/fridge.js';

/**
 * `customers/forget` while a backlog drains to a real Mosquitto: the publisher has read rows ahead
 * of what is in flight, and the forget rewrites those rows in the outbox. Nothing the broker passes
 * on after the forget's answer may carry the customer's reference or card.
 *
 * The backlog is made by pausing the broker (SIGSTOP): the gateway's window of 64 events goes out and
 * waits for PUBACKs, the rows behind it sit in the publisher's read-ahead (256 rows), and the forget,
 * published before those events were made, waits in the broker's socket. After the broker resumes,
 * the forget reaches the gateway before the acknowledgements of a second window can, so the
 * customer's events, placed past the first three windows, are still unsent when it is answered.
 */

const GATEWAY = 'gw-forget';
const BASE = `rfid/${GATEWAY}`;
const CARD = '0500207B32';
const REFERENCE = 'cust-17';
const NAME = 'Ana Lima';
/** Shelf tags committed before the card: the customer's events land past 3 windows of 64. */
const FILLER = 230;
const WINDOW = 64;

const em4100 = (hex: string) => encodeId12Frame(Uint8Array.from(Buffer.from(hex, 'hex')));
const shelfTag = (index: number) => `0A${index.toString(16).toUpperCase().padStart(8, '0')}`;

async function until(what: string, ready: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('customers/forget while the outbox drains a backlog (real Mosquitto)', () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('publishes nothing with the customer or their card after the answer, though their events were read ahead', async () => {
    const broker = await startMosquitto();
    const dataDir = mkdtempSync(join(tmpdir(), 'rfid-forget-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = configSchema.parse({
      gatewayId: GATEWAY,
      dataDir,
      readers: [
        { id: 'shelf', driver: 'em4100-ascii', port: 'fake:shelf', zone: 'shelf' },
        { id: 'fridge', driver: 'em4100-ascii', port: 'fake:fridge', zone: 'fridge' },
        { id: 'badge', driver: 'em4100-ascii', port: 'fake:badge', zone: 'entrance' },
      ],
      ...fridgeCabinet('fake:io'),
      // Nothing departs while the test runs: a departure would be a new event, not a row read ahead.
      zones: ['shelf', 'fridge', 'entrance'].map((id) => ({ id, departAfterMs: 600_000 })),
      mqtt: { url: broker.url, reconnect: { initialMs: 200, maxMs: 1000 } },
    });
    const ports = new Map<string, FakePort>();
    const controller = Controller.create(config, {
      mode: 'run',
      clock: systemClock,
      logger: silentLogger(),
      dataDir,
      mqtt: config.mqtt,
      drainMs: 2000,
      transportFor: (device) => {
        const port = new FakePort(`fake:${device.id}`);
        ports.set(device.id, port);
        return port;
      },
    });
    const observer = await MqttCollector.start(broker.url, `${BASE}/#`);
    cleanup.push(() => observer.close());
    const requester = await MqttCollector.start(broker.url, `${BASE}/response/#`);
    cleanup.push(() => requester.close());
    await controller.start();
    cleanup.push(() => controller.stop());
    const link = controller.mqtt;
    if (!link) throw new Error('no MQTT link');
    await until('connection of the gateway', () => link.client.connected);

    const send = (command: string, body: object) =>
      requester.client.publish(`${BASE}/request/${command}`, JSON.stringify(body), { qos: 1 });
    const answer = async (command: string, transaction: string) => {
      const topic = `${BASE}/response/${command}`;
      const found = () =>
        requester.messages.find(
          (m) =>
            m.topic === topic &&
            (JSON.parse(m.payload) as { transaction?: string }).transaction === transaction,
        );
      await requester.waitFor(() => found() !== undefined, `the answer to ${command} ${transaction}`);
      return JSON.parse(found()?.payload ?? '{}') as Record<string, unknown>;
    };
    send('customers/set', {
      transaction: 'set',
      customers: [{ card: CARD, reference: REFERENCE, name: NAME, consent: true }],
    });
    expect(await answer('customers/set', 'set')).toMatchObject({ status: 'ok' });
    await expect(link.drain(10_000)).resolves.toBe(true);

    broker.pause();
    cleanup.push(() => broker.resume());
    send('customers/forget', { transaction: 'forget', card: CARD });
    // One turn of the event loop: shelf stock, then the customer's card and a session that ends at
    // once (the door reports closed without having opened: uncertain, not charged).
    const port = (id: string) => ports.get(id) as FakePort;
    port('shelf').data(Buffer.concat(Array.from({ length: FILLER }, (_, index) => em4100(shelfTag(index)))));
    port('badge').data(em4100(CARD));
    port('io').data(encodeLine('door', 'closed'));
    await until('a full window in flight', () => link.publisher.stats().inFlight === WINDOW);
    const backlog = controller.store.outbox.stats().depth;
    expect(backlog).toBeGreaterThan(FILLER);

    broker.resume();
    expect(await answer('customers/forget', 'forget')).toMatchObject({
      status: 'ok',
      data: { cards: 1, sessions: 1 },
    });
    await expect(link.drain(20_000)).resolves.toBe(true);
    const lastSeq = controller.store.outbox.stats().lastSeq;
    const seqs = () => observer.events().map((event) => event.seq);
    await observer.waitFor(() => seqs().includes(lastSeq), `event ${lastSeq} at the observer`);

    const answeredAt = observer.messages.findIndex((m) => m.topic === `${BASE}/response/customers/forget`);
    expect(answeredAt).toBeGreaterThan(-1);
    const after = observer.messages.slice(answeredAt + 1);
    const events = after
      .filter((m) => m.topic.startsWith(`${BASE}/events/`))
      .map((m) => JSON.parse(m.payload) as Record<string, unknown>);
    // The customer's events were still waiting when the forget was answered: they come after it,
    // rewritten.
    expect(events.length).toBeGreaterThan(FILLER - 3 * WINDOW);
    expect(events.filter((event) => event.type === 'purchase.started')).toEqual([
      expect.objectContaining({ customer: expect.stringMatching(/^forgotten-/) }),
    ]);
    expect(events.filter((event) => event.type === 'purchase.cancelled')).toEqual([
      expect.objectContaining({ customer: expect.stringMatching(/^forgotten-/), confidence: 'uncertain' }),
    ]);
    expect(events.filter((event) => event.reader === 'badge')).toEqual([
      expect.objectContaining({ type: 'tag.arrived', tag: 'forgotten' }),
    ]);
    for (const message of after) {
      for (const trace of [REFERENCE, CARD, NAME]) {
        expect(message.payload.includes(trace), `${message.topic} carries "${trace}"`).toBe(false);
      }
    }
  }, 60_000);
});
