/**
 * Gateway-side and consumer-side pieces for the MQTT integration tests: a real SqliteOutbox, the
 * client and publisher under test, a subscriber that records what it receives, and bounded waits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { onTestFinished } from 'vitest';
import { createMqttClient, type GatewayMqttClient, type MqttOptions } from '../../src/mqtt/client.js';
import { OutboxPublisher } from '../../src/mqtt/publisher.js';
import { createLogger, type Logger, silentLogger } from '../../src/observability/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import { SqliteOutbox } from '../../src/store/sqlite-outbox.js';
import { makeEvent } from '../kits/store/store.js';

/** Polls `condition` every 20 ms; fails with `what` (and `detail()`) after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean,
  timeoutMs = 15_000,
  detail: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}. ${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A consumer: subscribes to `filter` with QoS 1 and keeps every message it receives. */
export async function subscriber(
  url: string,
  filter: string | string[],
  options: IClientOptions = {},
): Promise<{ client: MqttClient; messages: Received[] }> {
  const client = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
  onTestFinished(() => client.endAsync(true));
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) =>
    messages.push({ topic, payload: payload.toString(), retain: packet.retain }),
  );
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, messages };
}

/** Received events by seq, first occurrence of each `id` only (what a deduplicating consumer keeps). */
export function dedupedSeqs(messages: readonly Received[]): number[] {
  const seen = new Set<string>();
  const seqs: number[] = [];
  for (const message of messages) {
    const event = JSON.parse(message.payload) as GatewayEvent;
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    seqs.push(event.seq);
  }
  return seqs;
}

export interface Gateway {
  client: GatewayMqttClient;
  outbox: SqliteOutbox;
  publisher: OutboxPublisher;
  /** Appends and commits events of these types (one transaction), then wakes the publisher. */
  emit(types: readonly string[]): GatewayEvent[];
}

/** The publishing side of a gateway: a SqliteOutbox in a fresh directory, the client and the publisher. */
export function startGateway(
  options: Partial<MqttOptions> & Pick<MqttOptions, 'url'>,
  extra: { logger?: Logger; outboxPath?: string } = {},
): Gateway {
  const logger = extra.logger ?? silentLogger();
  const outbox = SqliteOutbox.open({
    path: extra.outboxPath ?? join(tempDir('mqtt-outbox-'), 'outbox.sqlite'),
    clock: systemClock,
    logger,
  });
  const client = createMqttClient({ gatewayId: 'gw1', ...options }, logger);
  const publisher = new OutboxPublisher({ outbox, client, logger });
  publisher.start();
  onTestFinished(async () => {
    publisher.stop();
    await client.close(1_000);
    outbox.close();
  });
  return {
    client,
    outbox,
    publisher,
    emit(types) {
      const events = types.map((type) => {
        const event = makeEvent(outbox.nextSeq(), type);
        outbox.append(event);
        return event;
      });
      outbox.commit();
      publisher.notify();
      return events;
    },
  };
}

/**
 * Emits `total` events in batches of `batch` every `intervalMs` (as the core would, in real time),
 * calling `onBatch` after each with the number emitted so far.
 */
export async function stream(
  gateway: Gateway,
  total: number,
  batch: number,
  intervalMs: number,
  onBatch: (emitted: number) => Promise<void> | void = () => {},
): Promise<void> {
  const types = ['tag.arrived', 'tag.departed', 'sensor.changed', 'reader.status'];
  for (let emitted = 0; emitted < total; ) {
    const count = Math.min(batch, total - emitted);
    gateway.emit(
      Array.from({ length: count }, (_, index) => types[(emitted + index) % types.length] as string),
    );
    emitted += count;
    await onBatch(emitted);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A logger whose lines are kept as text, for asserting on what was (and was not) logged. */
export function textLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { logger, lines };
}
