import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createMqttClient, type MqttOptions } from '../../src/mqtt/client.js';
import { PASSWORD_ENV } from '../../src/mqtt/errors.js';
import type { StatusPayload } from '../../src/mqtt/topics.js';
import { silentLogger } from '../../src/observability/logger.js';
import { makeCertificates, startMosquitto } from '../helpers/mosquitto.js';
import { type Received, subscriber, tempDir, textLogger, waitFor } from './fixture.js';

/** The gateway's MQTT connection against a real Mosquitto: status, last will, TLS, passwords. */

const STATUS = 'rfid/gw1/status';
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLIENT_MODULE = join(REPO_ROOT, 'src/mqtt/client.ts');
const LOGGER_MODULE = join(REPO_ROOT, 'src/observability/logger.ts');
const FAST_RECONNECT = { initialMs: 100, maxMs: 400, jitter: 0.5, stableAfterMs: 10_000 };

function client(options: Partial<MqttOptions> & { url: string }, logger = silentLogger(), env = {}) {
  const created = createMqttClient({ gatewayId: 'gw1', reconnect: FAST_RECONNECT, ...options }, logger, {
    env,
  });
  onTestFinished(() => created.close(500));
  return created;
}

const statuses = (messages: readonly Received[]): StatusPayload[] =>
  messages
    .filter((message) => message.topic === STATUS)
    .map((message) => JSON.parse(message.payload) as StatusPayload);

/** A gateway in a child process, so that it can die with SIGKILL. Resolves once it is connected. */
async function gatewayProcess(url: string): Promise<ChildProcess> {
  const program = `
    const { createMqttClient } = await import(${JSON.stringify(CLIENT_MODULE)});
    const { silentLogger } = await import(${JSON.stringify(LOGGER_MODULE)});
    const client = createMqttClient({ url: ${JSON.stringify(url)}, gatewayId: 'gw1' }, silentLogger());
    client.onConnect(() => process.stdout.write('connected\\n'));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await waitFor('the gateway process to connect', () => output.includes('connected'), 20_000);
  return child;
}

describe('createMqttClient with Mosquitto', () => {
  it('publishes a retained online status on connect and a retained offline one on close', async () => {
    const broker = await startMosquitto();
    const gateway = client({ url: broker.url, version: '1.2.3' });
    await waitFor('a connection', () => gateway.connected);
    const late = await subscriber(broker.url, STATUS);
    await waitFor('the retained status', () => late.messages.length === 1);
    expect(late.messages[0]?.retain).toBe(true);
    const online = statuses(late.messages)[0];
    expect(online).toMatchObject({ state: 'online', gateway: 'gw1', version: '1.2.3' });
    expect(Date.parse(online?.since ?? '')).toBeGreaterThan(Date.now() - 60_000);

    await gateway.close(2_000);
    await waitFor('the offline status', () => late.messages.length === 2);
    expect(statuses(late.messages)[1]).toMatchObject({
      state: 'offline',
      gateway: 'gw1',
      reason: 'shutdown',
    });
    const after = await subscriber(broker.url, STATUS);
    await waitFor('the retained status', () => after.messages.length === 1);
    expect(statuses(after.messages)[0]?.state).toBe('offline');
  });

  it('leaves a retained offline status as its last will when the gateway process is killed', async () => {
    const broker = await startMosquitto();
    const child = await gatewayProcess(broker.url);
    const watcher = await subscriber(broker.url, STATUS);
    await waitFor('the retained online status', () => watcher.messages.length === 1);
    expect(statuses(watcher.messages)[0]?.state).toBe('online');

    child.kill('SIGKILL');
    await waitFor('the last will', () => watcher.messages.length === 2);
    expect(statuses(watcher.messages)[1]).toEqual({
      state: 'offline',
      gateway: 'gw1',
      reason: 'connection lost',
    });
    const after = await subscriber(broker.url, STATUS);
    await waitFor('the retained status', () => after.messages.length === 1);
    expect(after.messages[0]?.retain).toBe(true);
    expect(statuses(after.messages)[0]?.state).toBe('offline');
  });

  it('publishes online again on every reconnect (a broker without persistence forgot it)', async () => {
    const broker = await startMosquitto();
    const gateway = client({ url: broker.url });
    await waitFor('a connection', () => gateway.connected);
    await broker.stop();
    await waitFor('the disconnect', () => !gateway.connected);
    await broker.restart();
    await waitFor('the reconnect', () => gateway.stats().connects === 2, 10_000);
    const watcher = await subscriber(broker.url, STATUS);
    await waitFor('the retained status', () => watcher.messages.length === 1);
    expect(watcher.messages[0]?.retain).toBe(true);
    expect(statuses(watcher.messages)[0]?.state).toBe('online');
  });

  it('says an outage once at info, its reconnect attempts at debug, and how many it took', async () => {
    const broker = await startMosquitto();
    const { logger, lines } = textLogger();
    const gateway = client({ url: broker.url }, logger);
    await waitFor('a connection', () => gateway.connected);
    await broker.stop();
    await waitFor('three attempts', () => gateway.stats().reconnectAttempts >= 3, 10_000);
    await broker.restart();
    await waitFor('the reconnect', () => gateway.stats().connects === 2, 10_000);
    const logged = lines.map(
      (line) => JSON.parse(line) as { level: number; msg: string; reconnectAttempts?: number },
    );
    const reconnecting = logged.filter((line) => line.msg === 'reconnecting to the broker');
    expect(reconnecting.filter((line) => line.level >= 30)).toHaveLength(1);
    expect(reconnecting.length).toBeGreaterThanOrEqual(3);
    const connected = logged.filter((line) => line.msg === 'connected to the broker');
    expect(connected[0]?.reconnectAttempts).toBeUndefined();
    expect(connected[1]?.reconnectAttempts).toBe(reconnecting.length);
  });

  it('renews subscriptions made on the raw client after a reconnect (the session is clean)', async () => {
    const broker = await startMosquitto();
    const gateway = client({ url: broker.url });
    const received: string[] = [];
    gateway.raw.on('message', (topic) => received.push(topic));
    gateway.raw.subscribe('rfid/gw1/request/#', { qos: 1 });
    await waitFor('a connection', () => gateway.connected);
    await broker.stop();
    await broker.restart();
    await waitFor('the reconnect', () => gateway.stats().connects === 2, 10_000);
    const requester = await subscriber(broker.url, 'unused');
    // Resubscription is asynchronous: keep asking until the renewed subscription delivers.
    await waitFor('a request through the renewed subscription', () => {
      requester.client.publish('rfid/gw1/request/ping', '{}', { qos: 1 });
      return received.includes('rfid/gw1/request/ping');
    });
    expect(gateway.stats().connects).toBe(2);
    expect(received).toContain('rfid/gw1/request/ping');
  });

  it('connects over TLS with the generated CA and refuses an untrusted server certificate', async () => {
    const broker = await startMosquitto({ tls: true });
    const trusted = client({ url: broker.tlsUrl as string, ca: broker.ca as string });
    await waitFor('a TLS connection', () => trusted.connected);

    const other = makeCertificates(tempDir('other-ca-'), 'other-');
    const untrusted = client({ url: broker.tlsUrl as string, ca: other.ca, gatewayId: 'gw2' });
    await waitFor('two refused attempts', () => untrusted.stats().reconnectAttempts >= 2, 10_000);
    expect(untrusted.connected).toBe(false);
    expect(untrusted.stats().lastError).toMatch(
      /^TLS: the broker's certificate is not trusted \(\w+\): set mqtt\.ca/,
    );
  });

  it('presents a client certificate when the broker requires one', async () => {
    const broker = await startMosquitto({ tls: { requireClientCertificate: true } });
    const url = broker.tlsUrl as string;
    const withCert = client({
      url,
      ca: broker.ca as string,
      cert: broker.clientCert as string,
      key: broker.clientKey as string,
    });
    await waitFor('a connection with the client certificate', () => withCert.connected);
    const without = client({ url, ca: broker.ca as string, gatewayId: 'gw2' });
    await waitFor('a refused attempt', () => without.stats().reconnectAttempts >= 1, 10_000);
    expect(without.stats().connects).toBe(0);
  });

  it('says which PEM file it cannot read', () => {
    expect(() =>
      createMqttClient(
        { url: 'mqtts://127.0.0.1:1', gatewayId: 'gw1', ca: '/nonexistent/ca.crt' },
        silentLogger(),
      ),
    ).toThrow(/cannot read the MQTT CA file \/nonexistent\/ca\.crt: ENOENT/);
  });

  it('authenticates with a password from a file or the environment, and never logs it', async () => {
    const broker = await startMosquitto({ users: { gw1: 'file-secret', gw2: 'env-secret' } });
    const passwordFile = join(tempDir('mqtt-password-'), 'password');
    writeFileSync(passwordFile, 'file-secret\n');
    const { logger, lines } = textLogger();
    const fromFile = client({ url: broker.url, username: 'gw1', passwordFile }, logger);
    const fromEnv = client({ url: broker.url, gatewayId: 'gw2', username: 'gw2' }, logger, {
      [PASSWORD_ENV]: 'env-secret',
    });
    await waitFor('both connections', () => fromFile.connected && fromEnv.connected);

    const inUrl = client(
      { url: `mqtt://gw1:file-secret@127.0.0.1:${broker.port}`, gatewayId: 'gw1b' },
      logger,
    );
    await waitFor('a connection with credentials in the URL', () => inUrl.connected);
    expect(inUrl.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    expect(lines.some((line) => line.includes('connected to the broker'))).toBe(true);
    expect(lines.filter((line) => /file-secret|env-secret/.test(line))).toEqual([]);
  });

  it('reports a wrong password clearly and keeps retrying', async () => {
    const broker = await startMosquitto({ users: { gw1: 'right' } });
    const { logger, lines } = textLogger();
    for (const protocolVersion of [4, 5] as const) {
      const refused = client(
        { url: broker.url, username: 'gw1', password: 'wrong', protocolVersion },
        logger,
      );
      await waitFor('three refused attempts', () => refused.stats().reconnectAttempts >= 3, 10_000);
      expect(refused.stats()).toMatchObject({ connected: false, connects: 0 });
      // Mosquitto 2.0 answers a wrong password with "not authorised" (5, or 135 in MQTT 5).
      const code = protocolVersion === 5 ? '135 / 0x87' : '5 / 0x05';
      expect(refused.stats().lastError).toBe(
        `Connection refused: Not authorized (reason code ${code}): check the username and the password ` +
          `(mqtt.password, mqtt.passwordFile or $${PASSWORD_ENV}), and that the broker accepts this client ` +
          '(password_file, allow_anonymous)',
      );
      await refused.close(100);
    }
    expect(lines.filter((line) => line.includes('wrong'))).toEqual([]);
  });
});
