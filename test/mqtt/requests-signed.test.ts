import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/domain/audit/index.js';
import { SignatureVerifier } from '../../src/mqtt/request-signature.js';
import { RequestRouter } from '../../src/mqtt/requests.js';
import { createLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import { START } from '../kits/mqtt/requests.js';
import { closeStores, GATEWAY, KEY, OTHER_KEY, setup, WINDOW_MS } from '../kits/mqtt/signed-router.js';

/** The request router with signed commands and the audit trail: a real store, a virtual clock. */

afterEach(closeStores);

describe('signed commands, required', () => {
  it('refuses unsigned, accepts signed once, and refuses replays, stale, misdirected and wrongly keyed ones', async () => {
    const { send, sign, calls, clock, trail } = setup();

    // 1. Unsigned: refused, the handler never runs.
    expect(await send('readers/restart', { transaction: 'u1', reader: 'door' })).toEqual({
      transaction: 'u1',
      status: 'error',
      error:
        'signature required: a command that changes state or reads personal data must carry client, ts and signature',
    });

    // 2. Signed: accepted; the handler sees its own fields only.
    const signed = sign('readers/restart', { transaction: 's1', reader: 'door' });
    expect(await send('readers/restart', signed)).toEqual({
      transaction: 's1',
      status: 'ok',
      data: { restarted: 'door' },
    });
    expect(calls).toEqual([['readers/restart', { reader: 'door' }]]);

    // 3. The very same message again, a second later: a replay.
    clock.advanceTo(START + 1000);
    expect(await send('readers/restart', signed)).toMatchObject({
      transaction: 's1',
      status: 'error',
      error: 'signature: already used (a replay)',
    });

    // 4. Correctly signed, but two minutes old.
    const stale = sign(
      'readers/restart',
      { transaction: 's2', reader: 'door' },
      { ts: START - 2 * WINDOW_MS },
    );
    expect((await send('readers/restart', stale)).error).toBe(
      'signature: ts is 121000 ms old, outside the window of ±60000 ms (a replay, or a clock to set right)',
    );

    // 5. Signed for catalog/set, sent as customers/set (a payload both accept).
    const forCatalog = sign('catalog/set', { transaction: 's3' });
    expect((await send('customers/set', forCatalog)).error).toBe(
      'signature: does not match (wrong key, or signed for another command or gateway)',
    );

    // 6. Signed with a key that is not pos's.
    const forged = sign('readers/restart', { transaction: 's4', reader: 'door' }, { key: OTHER_KEY });
    expect((await send('readers/restart', forged)).error).toMatch(/^signature: does not match/);

    expect(calls).toHaveLength(1);

    // Every one of them is in the audit, newest first; audit/get itself is not.
    const { entries, more } = await trail();
    expect(more).toBe(false);
    expect(entries.map(({ id: _id, ...entry }) => entry)).toEqual([
      {
        at: '2026-11-22T10:00:01.000Z',
        command: 'readers/restart',
        client: 'pos',
        verified: false,
        transaction: 's4',
        outcome: 'refused: signature: does not match (wrong key, or signed for another command or gateway)',
        what: { reader: 'door' },
      },
      {
        at: '2026-11-22T10:00:01.000Z',
        command: 'customers/set',
        client: 'pos',
        verified: false,
        transaction: 's3',
        outcome: 'refused: signature: does not match (wrong key, or signed for another command or gateway)',
        what: {},
      },
      {
        at: '2026-11-22T10:00:01.000Z',
        command: 'readers/restart',
        client: 'pos',
        verified: false,
        transaction: 's2',
        outcome:
          'refused: signature: ts is 121000 ms old, outside the window of ±60000 ms (a replay, or a clock to set right)',
        what: { reader: 'door' },
      },
      {
        at: '2026-11-22T10:00:01.000Z',
        command: 'readers/restart',
        client: 'pos',
        verified: false,
        transaction: 's1',
        outcome: 'refused: signature: already used (a replay)',
        what: { reader: 'door' },
      },
      {
        at: '2026-11-22T10:00:00.000Z',
        command: 'readers/restart',
        client: 'pos',
        verified: true,
        transaction: 's1',
        outcome: 'ok',
        what: { reader: 'door' },
      },
      {
        at: '2026-11-22T10:00:00.000Z',
        command: 'readers/restart',
        client: 'unsigned',
        verified: false,
        transaction: 'u1',
        outcome:
          'refused: signature required: a command that changes state or reads personal data must carry client, ts and signature',
        what: { reader: 'door' },
      },
    ]);
  });

  it('accepts a signed actuators/set with an epoch-ms ts, and its audit keeps the actuator and value', async () => {
    const { send, sign, trail } = setup();
    const request = sign('actuators/set', { actuator: 'lock', value: 'open', pulseMs: 3000 }, { ts: START });
    expect(await send('actuators/set', request)).toMatchObject({
      status: 'ok',
      data: { actuator: 'lock', value: 'open', pulseMs: 3000 },
    });
    expect((await trail()).entries[0]).toMatchObject({
      command: 'actuators/set',
      client: 'pos',
      verified: true,
      transaction: null,
      outcome: 'ok',
      what: { actuator: 'lock', value: 'open', pulseMs: 3000 },
    });
  });

  it('refuses an unsigned read of personal data, answers a signed one, and audits neither', async () => {
    const { send, sign, trail } = setup();
    const unsigned = await send('customers/get', { transaction: 't1' });
    expect(unsigned).toMatchObject({ status: 'error', error: expect.stringMatching(/^signature required/) });
    const signed = await send('customers/get', sign('customers/get', { transaction: 't2' }));
    expect(signed).toMatchObject({ status: 'ok', data: [{ card: '0500207B32' }] });
    expect((await send('audit/get', {})).status).toBe('error');
    expect((await trail()).entries).toEqual([]);
  });

  it('answers reads without a signature and does not audit them', async () => {
    const { send, trail } = setup();
    expect(await send('ping', { transaction: 1 })).toEqual({
      transaction: 1,
      status: 'ok',
      data: { pong: true },
    });
    expect((await trail()).entries).toEqual([]);
  });

  it('a signed request that then fails validation is refused, and stays used', async () => {
    const { send, sign, trail } = setup();
    const bad = sign('readers/restart', { transaction: 'v', reader: 'door', readers: ['x'] });
    expect((await send('readers/restart', bad)).error).toBe('readers: unknown field');
    expect((await send('readers/restart', bad)).error).toBe('signature: already used (a replay)');
    expect((await trail()).entries.map((entry) => [entry.verified, entry.outcome, entry.what])).toEqual([
      [false, 'refused: signature: already used (a replay)', { reader: 'door', '(unknown fields)': 1 }],
      // A field the command does not have may be data by its name alone: the audit does not keep it.
      [true, 'refused: [redacted]: unknown field', { reader: 'door', '(unknown fields)': 1 }],
    ]);
  });

  it('audits malformed and oversized requests to state-changing commands, and answers them as usual', async () => {
    const { send, router, trail } = setup();
    expect(await send('catalog/set', '{"products": [')).toEqual({
      transaction: null,
      status: 'error',
      error: 'payload is not valid JSON',
    });
    const huge = await router.handle('catalog/set', new Uint8Array(64 * 1024 + 1));
    expect(JSON.parse(huge.payload).error).toBe('payload too large: 65537 bytes, limit 65536');
    expect(await send('catalog/set', [1, 2])).toMatchObject({
      status: 'error',
      error: /^signature required/,
    });
    expect((await trail()).entries.map((entry) => [entry.client, entry.outcome, entry.what])).toEqual([
      [
        'unsigned',
        'refused: signature required: a command that changes state or reads personal data must carry client, ts and signature',
        { '(payload)': '<2 items>' },
      ],
      ['unsigned', 'refused: payload too large: 65537 bytes, limit 65536', null],
      ['unsigned', 'refused: payload is not valid JSON', null],
    ]);
  });

  it('keeps used signatures across a restart of the gateway (same store)', async () => {
    const first = setup();
    const signed = first.sign('readers/restart', { reader: 'door' });
    expect((await first.send('readers/restart', signed)).status).toBe('ok');
    const restartedAt = START + 5000;
    const clock = new VirtualClock(restartedAt);
    const logger = createLogger({ level: 'silent' });
    const audit = new AuditLog(first.store, { clock, logger, retentionDays: 365 });
    const verifier = new SignatureVerifier({
      gateway: GATEWAY,
      keys: new Map([['pos', Buffer.from(KEY)]]),
      required: true,
      windowMs: WINDOW_MS,
      clock,
    });
    for (const { signature, untilMs } of audit.liveSignaturesAt(clock.now()))
      verifier.remember(signature, untilMs);
    const router = new RequestRouter({
      registry: first.registry,
      clock,
      logger,
      signatures: verifier,
      audit,
    });
    const again = await router.handle('readers/restart', new TextEncoder().encode(JSON.stringify(signed)));
    expect(JSON.parse(again.payload).error).toBe('signature: already used (a replay)');
    // Once the window has passed, the kept signature is purged.
    clock.advanceTo(START + WINDOW_MS + 1);
    audit.purge();
    expect(audit.liveSignaturesAt(clock.now())).toEqual([]);
  });
});

describe('signed commands, not required', () => {
  it('accepts unsigned commands, still checks a signature that is present, on reads too', async () => {
    const { send, sign, trail } = setup({ required: false });
    expect(await send('readers/restart', { reader: 'door' })).toMatchObject({ status: 'ok' });
    const wrong = sign('readers/restart', { reader: 'door' }, { key: OTHER_KEY });
    expect((await send('readers/restart', wrong)).error).toMatch(/^signature: does not match/);
    const unknown = sign('ping', {}, { client: 'till-9' });
    expect((await send('ping', unknown)).error).toBe('signature: unknown client "till-9"');
    expect((await send('ping', sign('ping', {}))).status).toBe('ok');
    expect(
      (await trail()).entries.map((entry) => [entry.command, entry.client, entry.verified, entry.outcome]),
    ).toEqual([
      [
        'readers/restart',
        'pos',
        false,
        'refused: signature: does not match (wrong key, or signed for another command or gateway)',
      ],
      ['readers/restart', 'unsigned', false, 'ok'],
    ]);
  });

  it('without a verifier, refuses a signed request: there is no key to check it with', async () => {
    const { registry, sign } = setup({ required: false });
    const clock = new VirtualClock(START);
    const router = new RequestRouter({ registry, clock, logger: createLogger({ level: 'silent' }) });
    const response = await router.handle(
      'readers/restart',
      new TextEncoder().encode(JSON.stringify(sign('readers/restart', { reader: 'door' }))),
    );
    expect(JSON.parse(response.payload).error).toBe(
      'signature: this gateway has no signing clients configured',
    );
  });
});
