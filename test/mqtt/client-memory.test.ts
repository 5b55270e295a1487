import { createRequire } from 'node:module';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createMqttClient, type PublishOutcome } from '../../src/mqtt/client.js';
import { silentLogger } from '../../src/observability/logger.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { waitFor } from './fixture.js';

/** What the gateway's MQTT connection keeps in memory for the life of the process. */

// The module MQTT.js writes packets with (one instance per process: CommonJS caches it).
const numbers = createRequire(import.meta.url)('mqtt-packet/numbers.js') as { cache: object };

describe('createMqttClient memory', () => {
  it("does not build mqtt-packet's 65,536-entry packet-id buffer cache (~7 MB of heap)", async () => {
    // No other MQTT client in this file: the first one to write a packet would build the cache.
    const broker = await startMosquitto();
    const client = createMqttClient({ url: broker.url, gatewayId: 'gw-memory' }, silentLogger());
    onTestFinished(() => client.close(500));
    await waitFor('a connection', () => client.connected);
    let outcome: PublishOutcome | undefined;
    client.publish('rfid/gw-memory/test', 'x', { qos: 1 }, (result) => {
      outcome = result;
    });
    await waitFor('the PUBACK', () => outcome !== undefined);
    expect(outcome).toEqual({ kind: 'acked' });
    expect(Object.keys(numbers.cache)).toHaveLength(0);
  });
});
