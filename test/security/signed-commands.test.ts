import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/mqtt/request-signature.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';

/**
 * Signed commands and the audit trail through a real Mosquitto, the gateway as a process: what an
 * operator sees with `security.signedCommands.required`.
 */

const GATEWAY = 'gw-sec';
const BASE = `rfid/${GATEWAY}`;
const KEY = 'b1946ac92492d2347c6235b4d2611184b1946ac92492d2347c6235b4d2611184';
const WATER = { sku: 'W1', gtin: '80614141123458', name: 'Water', unitPrice: 150, currency: 'EUR' };

interface Answer {
  transaction: unknown;
  status: string;
  data?: unknown;
  error?: string;
}

describe('signed commands through Mosquitto (real gateway process)', () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  function gatewayConfig(brokerUrl: string, keyContent: string | undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'rfid-signed-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const keyFile = join(dir, 'pos.key');
    if (keyContent !== undefined) writeFileSync(keyFile, `${keyContent}\n`, { mode: 0o600 });
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: GATEWAY,
        zones: [{ id: 'shelf' }],
        dataDir: join(dir, 'data'),
        logLevel: 'debug',
        mqtt: { url: brokerUrl },
        security: { signedCommands: { required: true, windowMs: 30_000, clients: [{ id: 'pos', keyFile }] } },
      }),
    );
    return { config, keyFile };
  }

  it('runs a signed catalog/set, refuses an unsigned one and a replay, and audits all three', async () => {
    const broker = await startMosquitto();
    const { config } = gatewayConfig(broker.url, KEY);
    const gateway = new CliProcess(['run', '--config', config]);
    cleanup.push(() => gateway.stop('SIGKILL'));
    const requester = await MqttCollector.start(broker.url, `${BASE}/response/#`);
    cleanup.push(() => requester.close());

    // A request sent before the gateway has subscribed would be lost: ping until it answers.
    for (let attempt = 0; !requester.messages.some((m) => m.topic.endsWith('/ping')); attempt++) {
      if (attempt > 100) throw new Error(`the gateway never answered ping:\n${gateway.stderr}`);
      await requester.client.publishAsync(`${BASE}/request/ping`, '{}');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const ask = async (command: string, payload: Record<string, unknown>): Promise<Answer> => {
      const transaction = payload.transaction;
      await requester.client.publishAsync(`${BASE}/request/${command}`, JSON.stringify(payload), { qos: 1 });
      const answered = (m: { topic: string; payload: string }) =>
        m.topic === `${BASE}/response/${command}` && JSON.parse(m.payload).transaction === transaction;
      await requester.waitFor((messages) => messages.some(answered), `the answer to ${String(transaction)}`);
      return JSON.parse(requester.messages.find(answered)?.payload ?? '{}') as Answer;
    };

    const unsigned = await ask('catalog/set', { transaction: 'unsigned-1', products: [WATER] });
    expect(unsigned).toEqual({
      transaction: 'unsigned-1',
      status: 'error',
      error:
        'signature required: a command that changes state or reads personal data must carry client, ts and signature',
    });
    expect((await ask('catalog/get', { transaction: 'get-1' })).data).toMatchObject({ total: 0 });

    const signed = signRequest(
      KEY,
      { gateway: GATEWAY, command: 'catalog/set', client: 'pos' },
      { transaction: 'signed-1', products: [WATER] },
    );
    expect(await ask('catalog/set', signed)).toEqual({
      transaction: 'signed-1',
      status: 'ok',
      data: { added: 1, updated: 0, unchanged: 0, removed: [], missing: [] },
    });
    expect((await ask('catalog/get', { transaction: 'get-2' })).data).toMatchObject({
      total: 1,
      products: [{ sku: 'W1' }],
    });

    // Published again as it was (a captured message): refused, nothing changes.
    requester.messages.length = 0;
    expect(await ask('catalog/set', signed)).toMatchObject({
      transaction: 'signed-1',
      status: 'error',
      error: 'signature: already used (a replay)',
    });

    // The same message signed for another gateway does not pass here either.
    const elsewhere = signRequest(
      KEY,
      { gateway: 'gw-other', command: 'catalog/set', client: 'pos' },
      { transaction: 'other-gw', products: [WATER] },
    );
    expect((await ask('catalog/set', elsewhere)).error).toMatch(/^signature: does not match/);

    // audit/get reads who did what: with signatures required, it is signed too.
    const signedRead = (payload: Record<string, unknown>) =>
      signRequest(KEY, { gateway: GATEWAY, command: 'audit/get', client: 'pos' }, payload);
    expect((await ask('audit/get', { transaction: 'audit-0' })).error).toMatch(/^signature required/);
    const trail = await ask(
      'audit/get',
      signedRead({ transaction: 'audit-1', command: 'catalog/set', limit: 10 }),
    );
    expect(trail.status).toBe('ok');
    const { entries } = trail.data as { entries: Array<Record<string, unknown>> };
    expect(
      entries.map((entry) => [entry.transaction, entry.client, entry.verified, entry.outcome, entry.what]),
    ).toEqual([
      [
        'other-gw',
        'pos',
        false,
        'refused: signature: does not match (wrong key, or signed for another command or gateway)',
        { products: '<1 item>' },
      ],
      ['signed-1', 'pos', false, 'refused: signature: already used (a replay)', { products: '<1 item>' }],
      ['signed-1', 'pos', true, 'ok', { products: '<1 item>' }],
      [
        'unsigned-1',
        'unsigned',
        false,
        'refused: signature required: a command that changes state or reads personal data must carry client, ts and signature',
        { products: '<1 item>' },
      ],
    ]);
    // Reads (ping, catalog/get, audit/get) are not audited; the key is never logged, even at debug.
    const everything = (await ask('audit/get', signedRead({ transaction: 'audit-2' })))
      .data as typeof trail.data;
    expect(everything).toEqual(trail.data);
    expect(gateway.stderr + gateway.stdout).not.toContain(KEY);
  });

  it('does not start with a missing or short key file, naming the client and the file', async () => {
    const broker = await startMosquitto();
    const missing = gatewayConfig(broker.url, undefined);
    const noFile = await runCli(['run', '--config', missing.config]);
    expect(noFile.code).not.toBe(0);
    expect(noFile.stderr).toContain(`client "pos": key file ${missing.keyFile}: cannot read it (ENOENT)`);

    const short = gatewayConfig(broker.url, 'too-short-a-secret');
    const shortKey = await runCli(['run', '--config', short.config]);
    expect(shortKey.code).not.toBe(0);
    expect(shortKey.stderr).toContain(
      `client "pos": key file ${short.keyFile}: the key is 18 bytes, at least 32`,
    );
    expect(shortKey.stderr + shortKey.stdout).not.toContain('too-short-a-secret');
  });
});
