import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { MqttClientDeps, MqttOptions } from './client.js';
import { PASSWORD_ENV } from './errors.js';
import type { StatusPayload, Topics } from './topics.js';

function readPem(kind: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read the MQTT ${kind} file ${path}: ${(error as Error).message}`);
  }
}

function resolvePassword(options: MqttOptions, env: MqttClientDeps['env']): string | undefined {
  if (options.password !== undefined) return options.password;
  if (options.passwordFile !== undefined) {
    try {
      // Editors and `echo` leave a final newline that is not part of the password.
      return readFileSync(options.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new Error(`cannot read mqtt.passwordFile ${options.passwordFile}: ${(error as Error).message}`);
    }
  }
  return env?.[PASSWORD_ENV];
}

/** The gateway's connection; `publishOnce` reuses it for the same credentials and TLS, minus the will. */
export function connectOptions(
  options: MqttOptions,
  topics: Topics,
  env: MqttClientDeps['env'],
): IClientOptions {
  const will: StatusPayload = { state: 'offline', gateway: options.gatewayId, reason: 'connection lost' };
  const password = resolvePassword(options, env);
  if (options.cert !== undefined && options.key === undefined)
    throw new Error('mqtt.cert needs mqtt.key (the client certificate and its private key go together)');
  return {
    clientId: options.gatewayId,
    // The outbox owns durability: a broker-side session would only hold a second, lossy copy.
    clean: true,
    protocolVersion: options.protocolVersion ?? 4,
    keepalive: options.keepaliveSec ?? 30,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    // MQTT.js retries on a fixed setInterval for a whole outage; we schedule reconnects ourselves.
    reconnectPeriod: 0,
    resubscribe: false,
    queueQoSZero: false,
    // Otherwise mqtt-packet builds a 2-byte Buffer for each of the 65,536 packet ids on the first
    // packet written: ~7 MB of heap kept for the life of the process, for a write that allocates 2 bytes.
    writeCache: false,
    will: { topic: topics.status, payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(options.ca !== undefined ? { ca: readPem('CA', options.ca) } : {}),
    ...(options.cert !== undefined ? { cert: readPem('certificate', options.cert) } : {}),
    ...(options.key !== undefined ? { key: readPem('key', options.key) } : {}),
    rejectUnauthorized: options.rejectUnauthorized !== false,
  };
}
