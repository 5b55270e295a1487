import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayConfigInput } from '../../src/config/schema.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { HttpRig } from './http-rig.js';

const COLA = { sku: 'COLA-330', name: 'Cola 330 ml', unitPrice: 250, currency: 'EUR' };

/** A gateway whose every state-changing request must be signed, with two signing clients. */
async function gateway(consoleClient: string | undefined): Promise<GatewayConfigInput> {
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'rfid-console-keys-'));
  const keyFile = (name: string) => {
    const path = join(dir, `${name}.key`);
    writeFileSync(path, `${name}-${'k'.repeat(40)}\n`, { mode: 0o600 });
    return path;
  };
  return {
    gatewayId: 'gw-signed',
    readers: [{ id: 'fridge', driver: 'thingmagic', port: 'replay:none' }],
    mqtt: { url: broker.url },
    http: { console: consoleClient === undefined ? {} : { client: consoleClient } },
    security: {
      signedCommands: {
        required: true,
        clients: [
          { id: 'console', keyFile: keyFile('console') },
          { id: 'pos', keyFile: keyFile('pos') },
        ],
      },
    },
  };
}

async function post(rig: HttpRig, command: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await rig.get(`/api/request/${command}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('the console where signed commands are required', () => {
  const rigs: HttpRig[] = [];
  afterEach(async () => {
    for (const rig of rigs.splice(0)) await rig.dispose();
  });

  it('signs its changes as http.console.client: they pass, and the audit log names the console', async () => {
    const rig = await HttpRig.start(await gateway('console'));
    rigs.push(rig);
    expect(await post(rig, 'catalog/set', { products: [COLA] })).toMatchObject({ status: 'ok' });
    expect(await post(rig, 'catalog/get', { sku: 'COLA-330' })).toMatchObject({
      status: 'ok',
      data: { products: [expect.objectContaining({ sku: 'COLA-330', unitPrice: 250 })] },
    });
    // Two equal changes in the same millisecond of the gateway's clock are not one replayed signature.
    expect(await post(rig, 'catalog/set', { products: [COLA] })).toMatchObject({ status: 'ok' });
    const audit = await post(rig, 'audit/get', { command: 'catalog/set' });
    expect(audit).toMatchObject({
      status: 'ok',
      data: {
        entries: [
          expect.objectContaining({ client: 'console', verified: true, outcome: 'ok' }),
          expect.objectContaining({ client: 'console', verified: true, outcome: 'ok' }),
        ],
      },
    });
  });

  it('without a signing client the console can look but change nothing, and says why', async () => {
    const rig = await HttpRig.start(await gateway(undefined));
    rigs.push(rig);
    expect(await post(rig, 'ping', {})).toMatchObject({ status: 'ok' });
    expect(await post(rig, 'catalog/set', { products: [COLA] })).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/^signature required/),
    });
    expect(await post(rig, 'catalog/get', { sku: 'COLA-330' })).toMatchObject({
      status: 'error',
    });
  });
});
