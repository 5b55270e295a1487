import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RequestRegistry } from '../../src/mqtt/request-registry.js';
import { RequestRouter } from '../../src/mqtt/requests.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import { RequestRefusal } from '../../src/shared/request-refusal.js';

describe("a handler's refusal with details, and a command's own payload limit", () => {
  it('puts the details beside the error, never over the answer fields', async () => {
    const registry = new RequestRegistry();
    registry.register(
      'things/check',
      {},
      () => {
        throw new RequestRefusal('2 problem(s)', {
          problems: [{ line: 2 }, { line: 3 }],
          status: 'ok',
          error: 'overwritten?',
          transaction: 'forged',
        });
      },
      { owner: 'test' },
    );
    const router = new RequestRouter({ registry, clock: new VirtualClock(0), logger: silentLogger() });
    const answer = await router.handle('things/check', Buffer.from('{"transaction":"t1"}'));
    expect(JSON.parse(answer.payload)).toEqual({
      transaction: 't1',
      status: 'error',
      error: '2 problem(s)',
      problems: [{ line: 2 }, { line: 3 }],
    });
  });

  it('takes a larger payload only for the command that asked for it, and refuses a bad limit', async () => {
    const registry = new RequestRegistry();
    registry.register('big/one', { text: z.string() }, ({ text }) => text.length, {
      owner: 'test',
      maxPayloadBytes: 200_000,
    });
    registry.register('small/one', {}, () => 0, { owner: 'test' });
    const router = new RequestRouter({ registry, clock: new VirtualClock(0), logger: silentLogger() });
    const body = Buffer.from(JSON.stringify({ text: 'x'.repeat(100_000) }));
    expect(JSON.parse((await router.handle('big/one', body)).payload)).toMatchObject({
      status: 'ok',
      data: 100_000,
    });
    expect(JSON.parse((await router.handle('small/one', body)).payload)).toMatchObject({
      error: `payload too large: ${body.byteLength} bytes, limit 65536`,
    });
    expect(router.maxPayloadBytesOf('nothing/here')).toBe(65_536);
    expect(() => registry.register('odd/one', {}, () => 0, { owner: 'test', maxPayloadBytes: 0 })).toThrow(
      'request command "odd/one": maxPayloadBytes must be a positive integer, got 0',
    );
  });
});
