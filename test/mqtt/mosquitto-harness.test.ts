import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startMosquitto } from '../helpers/mosquitto.js';

/** Connects, subscribes to `topic`, publishes `payload` on it and resolves with what came back. */
async function echo(
  url: string,
  options: mqtt.IClientOptions,
  topic: string,
  payload: string,
): Promise<string> {
  const client = await mqtt.connectAsync(url, { ...options, reconnectPeriod: 0, connectTimeout: 5_000 });
  try {
    const received = new Promise<string>((resolve) =>
      client.on('message', (_topic, message) => resolve(message.toString())),
    );
    await client.subscribeAsync(topic, { qos: 1 });
    await client.publishAsync(topic, payload, { qos: 1 });
    return await received;
  } finally {
    await client.endAsync(true);
  }
}

describe('startMosquitto', () => {
  it('accepts connections on a free loopback port and restarts on the same one', async () => {
    const broker = await startMosquitto({ persistence: true, maxQueuedMessages: 0 });
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    expect(await echo(broker.url, {}, 'a/b', 'one')).toBe('one');
    await broker.kill();
    await broker.restart();
    expect(await echo(broker.url, {}, 'a/b', 'two')).toBe('two');
    expect(broker.logs()).toContain(`port ${broker.port}`);
  });

  it('serves TLS with the generated certificates, users and an ACL', async () => {
    const broker = await startMosquitto({
      tls: true,
      users: { gw1: 'secret-1' },
      acl: ['pattern readwrite rfid/%u/#'],
    });
    expect(broker.tlsUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const tls = {
      ca: readFileSync(broker.ca as string),
      username: 'gw1',
      password: 'secret-1',
      rejectUnauthorized: true,
    };
    expect(await echo(broker.tlsUrl as string, tls, 'rfid/gw1/x', 'tls')).toBe('tls');
    await expect(
      mqtt.connectAsync(broker.url, { username: 'gw1', password: 'wrong', reconnectPeriod: 0 }),
    ).rejects.toThrow(/Not authorized|Bad user name or password/);
  });
});
