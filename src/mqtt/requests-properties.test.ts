import { describe, expect, it } from 'vitest';

import { ask, DEBUG, encoder, INFO, json, START, setup, WARN } from '../../test/kits/mqtt/requests.js';

describe('RequestRouter.handle: MQTT 5 properties and logging', () => {
  it('answers on the response topic with the same correlation data', async () => {
    const { router } = setup();
    const correlationData = new Uint8Array([1, 2, 3, 254]);
    const response = await router.handle('ping', json({}), {
      responseTopic: 'app/replies/7',
      correlationData,
    });
    expect(response.topic).toBe('app/replies/7');
    expect(response.properties?.correlationData).toEqual(correlationData);
  });

  it('echoes correlation data on error responses too', async () => {
    const { router } = setup();
    const correlationData = new Uint8Array([9]);
    const response = await router.handle('nope', encoder.encode('garbage'), { correlationData });
    expect(response.topic).toBeUndefined();
    expect(response.properties?.correlationData).toEqual(correlationData);
  });

  it.each(['', 'app/+/replies', 'app/#'])(
    'falls back to the default topic for response topic %j',
    async (topic) => {
      const { router, logs } = setup();
      const response = await router.handle('ping', json({}), { responseTopic: topic });
      expect(response.topic).toBeUndefined();
      expect(logs()).toContainEqual(
        expect.objectContaining({ level: WARN, msg: 'invalid MQTT 5 response topic; using the default' }),
      );
    },
  );

  it('logs one line per request with command, transaction, status and duration on the clock: at debug when answered, at info when refused', async () => {
    const { router, clock, logs } = setup({
      readersRestart: async () => {
        clock.advanceTo(START + 250);
        return { ok: true };
      },
    });
    await ask(router, 'readers/restart', { reader: 'door', transaction: 'r1' });
    await ask(router, 'readers/restart', {});
    expect(logs()).toEqual([
      expect.objectContaining({
        level: DEBUG,
        msg: 'MQTT request',
        command: 'readers/restart',
        transaction: 'r1',
        status: 'ok',
        durationMs: 250,
      }),
      expect.objectContaining({
        level: INFO,
        command: 'readers/restart',
        transaction: null,
        status: 'error',
        durationMs: 0,
        error: 'reader: Required',
      }),
    ]);
  });

  it('never logs the values of a request', async () => {
    const { router, rawLines } = setup();
    await ask(router, 'config/get', { transaction: 'k', password: 'hunter2', token: 's3cr3t' });
    await ask(router, 'readers/restart', { reader: { secret: 'hunter2' } });
    expect(rawLines).toHaveLength(2);
    expect(rawLines.join('')).not.toMatch(/hunter2|s3cr3t/);
  });

  it('truncates an absurdly long command in the log and the error', async () => {
    const { router, logs } = setup();
    const response = await ask(router, 'x'.repeat(10_000), {});
    expect(String(response.body.error).length).toBeLessThan(300);
    expect(String(logs()[0]?.command).length).toBeLessThanOrEqual(101);
  });
});
