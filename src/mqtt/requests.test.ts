import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ask, encoder, json, START, setup, WARN } from '../../test/kits/mqtt/requests.js';
import { GATEWAY_COMMANDS } from './request-schemas.js';

describe('RequestRouter.handle: commands', () => {
  it('answers ping and echoes a string transaction', async () => {
    const { router, calls } = setup();
    const response = await ask(router, 'ping', { transaction: 'abc-1' });
    expect(response.topic).toBeUndefined();
    expect(response.properties).toBeUndefined();
    expect(response.body).toEqual({ transaction: 'abc-1', status: 'ok', data: { pong: true } });
    expect(calls).toEqual([['ping', undefined]]);
  });

  it('echoes a numeric transaction and answers null without one', async () => {
    const { router } = setup();
    expect((await ask(router, 'ping', { transaction: 42 })).body.transaction).toBe(42);
    expect((await ask(router, 'ping', {})).body.transaction).toBeNull();
  });

  it('treats an empty or blank payload as {}', async () => {
    const { router } = setup();
    expect((await ask(router, 'ping', new Uint8Array(0))).body).toEqual({
      transaction: null,
      status: 'ok',
      data: { pong: true },
    });
    expect((await ask(router, 'outbox/stats', encoder.encode(' \n'))).body.status).toBe('ok');
  });

  it('passes the zone of inventory/get, and nothing when absent', async () => {
    const { router, calls } = setup();
    const withZone = await ask(router, 'inventory/get', { zone: 'fridge', transaction: 1 });
    await ask(router, 'inventory/get', {});
    expect(withZone.body).toEqual({
      transaction: 1,
      status: 'ok',
      data: { zones: { fridge: ['3074257BF7194E4000001A85'] } },
    });
    expect(calls).toEqual([
      ['inventoryGet', { zone: 'fridge' }],
      ['inventoryGet', {}],
    ]);
  });

  it('passes the reader of readers/get, and nothing when absent', async () => {
    const { router, calls } = setup();
    const all = await ask(router, 'readers/get', {});
    await ask(router, 'readers/get', { reader: 'door' });
    expect(all.body.data).toEqual([{ id: 'door', state: 'online' }]);
    expect(calls).toEqual([
      ['readersGet', {}],
      ['readersGet', { reader: 'door' }],
    ]);
  });

  it('awaits readers/restart', async () => {
    const { router, calls } = setup();
    const response = await ask(router, 'readers/restart', { reader: 'door', transaction: 't' });
    expect(response.body).toEqual({ transaction: 't', status: 'ok', data: { restarted: 'door' } });
    expect(calls).toEqual([['readersRestart', { reader: 'door' }]]);
  });

  it('answers config/get and outbox/stats with what the handlers give', async () => {
    const { router } = setup();
    expect((await ask(router, 'config/get', {})).body.data).toEqual({
      mqtt: { url: 'mqtt://broker', password: '[redacted]' },
    });
    expect((await ask(router, 'outbox/stats', {})).body.data).toEqual({ depth: 0, lastSeq: 17 });
  });

  it('answers data null when a handler returns undefined', async () => {
    const { router } = setup({ ping: () => undefined });
    expect((await ask(router, 'ping', {})).body).toEqual({ transaction: null, status: 'ok', data: null });
  });
});

describe('RequestRouter.handle: malformed requests', () => {
  it('refuses a payload that is not JSON, without echoing it anywhere', async () => {
    const { router, calls, rawLines } = setup();
    const response = await ask(router, 'ping', encoder.encode('{"transaction": "x", password=hunter2'));
    expect(response.body).toEqual({ transaction: null, status: 'error', error: 'payload is not valid JSON' });
    expect(calls).toEqual([]);
    expect(rawLines.join('')).not.toContain('hunter2');
  });

  it('refuses bytes that are not UTF-8', async () => {
    const { router } = setup();
    const response = await ask(router, 'ping', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    expect(response.body.error).toBe('payload is not valid JSON');
  });

  it.each([
    ['array', []],
    ['string', 'ping'],
    ['null', null],
    ['number', 42],
  ])('refuses a JSON %s where an object is expected', async (kind, document) => {
    const { router } = setup();
    const response = await ask(router, 'ping', document);
    expect(response.body).toEqual({
      transaction: null,
      status: 'error',
      error: `payload: expected object, received ${kind}`,
    });
  });

  it('names a missing required field', async () => {
    const { router, calls } = setup();
    const response = await ask(router, 'readers/restart', { transaction: 9 });
    expect(response.body).toEqual({ transaction: 9, status: 'error', error: 'reader: Required' });
    expect(calls).toEqual([]);
  });

  it('names fields of the wrong type, all of them', async () => {
    const { router } = setup();
    const response = await ask(router, 'readers/restart', { reader: 3, expiresAt: 'tomorrow' });
    expect(response.body.error).toBe(
      'expiresAt: expected an ISO 8601 date-time; reader: expected string, received number',
    );
  });

  it('refuses an empty reader name', async () => {
    const { router } = setup();
    expect((await ask(router, 'readers/restart', { reader: '' })).body.error).toBe(
      'reader: must not be empty',
    );
  });

  it('names unknown fields, and echoes the transaction anyway', async () => {
    const { router, calls } = setup();
    const response = await ask(router, 'inventory/get', { transaction: 'q', zones: ['a'], all: true });
    expect(response.body).toEqual({
      transaction: 'q',
      status: 'error',
      error: 'zones: unknown field; all: unknown field',
    });
    expect(calls).toEqual([]);
  });

  it('refuses a transaction of the wrong type or too long, and does not echo it', async () => {
    const { router } = setup();
    const wrongType = await ask(router, 'ping', { transaction: true });
    expect(wrongType.body).toEqual({
      transaction: null,
      status: 'error',
      error: 'transaction: expected a string or a number',
    });
    const tooLong = await ask(router, 'ping', { transaction: 'x'.repeat(129) });
    expect(tooLong.body).toEqual({
      transaction: null,
      status: 'error',
      error: 'transaction: at most 128 characters',
    });
    expect((await ask(router, 'ping', { transaction: 'x'.repeat(128) })).body.status).toBe('ok');
  });

  it('refuses an unknown command, listing the known ones', async () => {
    const { router, calls } = setup();
    const response = await ask(router, 'readers/explode', { transaction: 5 });
    expect(response.body).toEqual({
      transaction: 5,
      status: 'error',
      error:
        'unknown command "readers/explode"; known: config/get, inventory/get, outbox/stats, ping, ' +
        'readers/get, readers/restart',
    });
    expect(calls).toEqual([]);
  });

  it('answers a command another extension registered, validated by its own fields', async () => {
    const { router, registry } = setup();
    registry.register('lights/set', { level: z.number().int().min(0).max(100) }, ({ level }) => ({ level }), {
      owner: 'test',
    });
    expect((await ask(router, 'lights/set', { transaction: 1, level: 40 })).body).toEqual({
      transaction: 1,
      status: 'ok',
      data: { level: 40 },
    });
    expect((await ask(router, 'lights/set', { transaction: 2, level: 400, extra: 1 })).body).toEqual({
      transaction: 2,
      status: 'error',
      error: 'level: Too big: expected number to be <=100; extra: unknown field',
    });
    expect(() => registry.register('ping', {}, () => 1, { owner: 'another' })).toThrow('registered twice');
  });

  it('does not treat inherited object keys as commands', async () => {
    const { router } = setup();
    for (const command of ['constructor', 'toString', '__proto__', '']) {
      expect((await ask(router, command, {})).body.error).toMatch(/^unknown command/);
    }
  });

  it('refuses a payload over the limit without parsing it, and accepts one exactly at it', async () => {
    const { router, calls } = setup();
    const limit = 64 * 1024;
    const body = '{"transaction":"big"}';
    const atLimit = encoder.encode(body + ' '.repeat(limit - body.length));
    expect(atLimit.byteLength).toBe(limit);
    expect((await ask(router, 'ping', atLimit)).body).toEqual({
      transaction: 'big',
      status: 'ok',
      data: { pong: true },
    });
    const overLimit = encoder.encode(body + ' '.repeat(limit - body.length + 1));
    expect((await ask(router, 'ping', overLimit)).body).toEqual({
      transaction: null,
      status: 'error',
      error: `payload too large: ${limit + 1} bytes, limit ${limit}`,
    });
    expect(calls).toHaveLength(1);
  });

  it('honours a configured payload limit', async () => {
    const { router } = setup({}, { maxPayloadBytes: 10 });
    expect((await ask(router, 'ping', { transaction: 'long enough' })).body.error).toBe(
      'payload too large: 29 bytes, limit 10',
    );
  });

  it('rejects nonsensical options at construction', () => {
    expect(() => setup({}, { maxPayloadBytes: -1 })).toThrow(RangeError);
    expect(() => setup({}, { handlerTimeoutMs: 0 })).toThrow(RangeError);
  });
});

describe('RequestRouter.handle: expiry', () => {
  it('refuses a request whose expiresAt has passed on the clock', async () => {
    const { router, calls } = setup();
    const response = await ask(router, 'readers/restart', {
      reader: 'door',
      transaction: 'late',
      expiresAt: '2026-11-22T09:59:59.999Z',
    });
    expect(response.body).toEqual({
      transaction: 'late',
      status: 'error',
      error: 'expired: expiresAt 2026-11-22T09:59:59.999Z is in the past',
    });
    expect(calls).toEqual([]);
  });

  it('runs a request expiring now or later, whatever the offset notation', async () => {
    const { router, calls } = setup();
    expect((await ask(router, 'ping', { expiresAt: '2026-11-22T10:00:00.000Z' })).body.status).toBe('ok');
    expect((await ask(router, 'ping', { expiresAt: '2026-11-22T11:00:00+01:00' })).body.status).toBe('ok');
    expect((await ask(router, 'ping', { expiresAt: '2026-11-22T10:59:59+01:00' })).body.status).toBe('error');
    expect(calls).toHaveLength(2);
  });
});

describe('RequestRouter.handle: failing handlers', () => {
  it('answers with the message of a handler that throws, and logs it at warn', async () => {
    const { router, logs } = setup({
      configGet: () => {
        throw new Error('config not loaded');
      },
    });
    const response = await ask(router, 'config/get', { transaction: 'c1' });
    expect(response.body).toEqual({ transaction: 'c1', status: 'error', error: 'config not loaded' });
    expect(logs()).toEqual([
      expect.objectContaining({
        level: WARN,
        command: 'config/get',
        transaction: 'c1',
        status: 'error',
        error: 'config not loaded',
      }),
    ]);
  });

  it('answers with the reason of a handler that rejects', async () => {
    const { router } = setup({ readersRestart: () => Promise.reject(new Error('no such reader: x')) });
    expect((await ask(router, 'readers/restart', { reader: 'x' })).body.error).toBe('no such reader: x');
  });

  it('answers an error when a handler never settles, on the clock', async () => {
    const { router, clock } = setup(
      { readersRestart: () => new Promise(() => {}) },
      { handlerTimeoutMs: 5000 },
    );
    const pending = router.handle('readers/restart', json({ reader: 'door', transaction: 'slow' }));
    await Promise.resolve();
    clock.advanceTo(START + 4999);
    let settled = false;
    void pending.then(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    clock.advanceTo(START + 5000);
    expect(JSON.parse((await pending).payload)).toEqual({
      transaction: 'slow',
      status: 'error',
      error: 'no answer within 5000 ms',
    });
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('leaves no timer behind after a handler answers', async () => {
    const { router, clock } = setup();
    await ask(router, 'ping', {});
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('answers an error when the result cannot be serialised', async () => {
    const { router } = setup({ outboxStats: () => ({ depth: 1n }) });
    const response = await ask(router, 'outbox/stats', { transaction: 2 });
    expect(response.body.status).toBe('error');
    expect(response.body.transaction).toBe(2);
    expect(response.body.error).toMatch(/^response not serialisable: .*BigInt/);
  });
});

describe('RequestRouter.handle: any input', () => {
  it('always resolves to one JSON response and one log line', async () => {
    const commands = fc.oneof(fc.constantFrom(...GATEWAY_COMMANDS), fc.string({ maxLength: 40 }));
    const payloads = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.jsonValue().map((value) => json(value)),
      fc
        .record(
          {
            transaction: fc.oneof(fc.string({ maxLength: 200 }), fc.integer(), fc.boolean()),
            reader: fc.oneof(fc.string(), fc.integer()),
            zone: fc.string(),
            expiresAt: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
          },
          { requiredKeys: [] },
        )
        .map((value) => json(value)),
    );
    await fc.assert(
      fc.asyncProperty(commands, payloads, async (command, payload) => {
        const { router, logs } = setup();
        const response = await router.handle(command, payload);
        const body = JSON.parse(response.payload) as Record<string, unknown>;
        expect(['ok', 'error']).toContain(body.status);
        expect(body.status === 'ok' ? 'data' in body : typeof body.error === 'string').toBe(true);
        expect(logs()).toHaveLength(1);
      }),
    );
  });
});
