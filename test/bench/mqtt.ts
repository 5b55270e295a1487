/**
 * outbox.publish: events/s sustained from the core's side to the broker's PUBACK: 20k events
 * appended in batches of 100 (one SqliteOutbox commit each, default durability, then notify), while
 * the OutboxPublisher publishes them with QoS 1 (in-flight window 64) to a local Mosquitto started
 * here, until the outbox has drained (every event acknowledged and deleted). Median of 3 rounds,
 * each with a fresh outbox; the broker stays up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMqttClient } from '../../src/mqtt/client.js';
import { OutboxPublisher } from '../../src/mqtt/publisher.js';
import { silentLogger } from '../../src/observability/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { SqliteOutbox } from '../../src/store/sqlite-outbox.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { makeEvent } from '../kits/store/store.js';
import { median } from './median.js';

const EVENTS = 20_000;
const BATCH = 100;
const ROUNDS = 3;
const DRAIN_TIMEOUT_MS = 120_000;
const TYPES = ['tag.arrived', 'tag.departed', 'sensor.changed', 'purchase.completed'];

async function round(url: string, index: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-mqtt-'));
  const logger = silentLogger();
  const outbox = SqliteOutbox.open({ path: join(dir, 'outbox.sqlite'), clock: systemClock, logger });
  const client = createMqttClient({ url, gatewayId: `bench-${index}` }, logger);
  const publisher = new OutboxPublisher({ outbox, client, logger });
  try {
    await new Promise<void>((resolve) => client.onConnect(resolve));
    publisher.start();
    // Built before the clock starts: the figure is the outbox and the broker, not the event factory.
    const events = Array.from({ length: EVENTS }, (_, n) =>
      makeEvent(n + 1, TYPES[n % TYPES.length] as string),
    );
    const started = performance.now();
    for (let offset = 0; offset < EVENTS; offset += BATCH) {
      for (const event of events.slice(offset, offset + BATCH)) {
        event.seq = outbox.nextSeq();
        outbox.append(event);
      }
      outbox.commit();
      publisher.notify();
      // The core commits once per tick; PUBACKs are handled in between.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!(await publisher.drain(DRAIN_TIMEOUT_MS)))
      throw new Error(`not drained after ${DRAIN_TIMEOUT_MS} ms`);
    const seconds = (performance.now() - started) / 1000;
    return EVENTS / seconds;
  } finally {
    publisher.stop();
    await client.close(1_000);
    outbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(report: (bench: string, value: number, unit: string) => void): Promise<void> {
  const broker = await startMosquitto({ scope: 'manual' });
  try {
    const rates: number[] = [];
    for (let index = 0; index < ROUNDS; index++) {
      const rate = await round(broker.url, index);
      console.log(`outbox.publish round ${index + 1}: ${Math.round(rate)} events/s`);
      rates.push(rate);
    }
    report('outbox.publish', median(rates), 'events/s');
  } finally {
    await broker.dispose();
  }
}
