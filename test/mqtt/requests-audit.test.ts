import { afterEach, describe, expect, it } from 'vitest';
import { START } from '../kits/mqtt/requests.js';
import { CARD, closeStores, KEY, setup } from '../kits/mqtt/signed-router.js';

/** The request router with its audit trail of state-changing commands: a real store, a virtual clock. */

afterEach(closeStores);

describe('the audit trail', () => {
  it('never holds card ids or customer references: values are summarised, errors redacted', async () => {
    const { send, sign, trail, store } = setup();
    const forget = sign('customers/forget', { transaction: 'f1', card: CARD.toLowerCase() });
    expect(await send('customers/forget', forget)).toMatchObject({
      status: 'error',
      error: `card ${CARD} is listed in the config's customers`,
    });
    const set = sign('customers/set', {
      customers: [{ reference: 'Jane Doe', card: CARD }],
      'jane.doe@example.com': true,
    });
    expect((await send('customers/set', set)).error).toBe('jane.doe@example.com: unknown field');
    const entries = (await trail()).entries;
    expect(entries.map((entry) => [entry.outcome, entry.what])).toEqual([
      ['refused: [redacted]: unknown field', { customers: '<1 item>', '(unknown fields)': 1 }],
      ["error: card [redacted] is listed in the config's customers", { card: '<text>' }],
    ]);
    const dump = JSON.stringify(store.db.prepare('SELECT * FROM audit').all()).toLowerCase();
    for (const secret of [CARD.toLowerCase(), 'jane', 'example.com']) expect(dump).not.toContain(secret);
  });

  it('filters by time and command, limits, and says when there is more', async () => {
    const { send, sign, clock, trail } = setup();
    for (let minute = 0; minute < 5; minute++) {
      clock.advanceTo(START + minute * 60_000);
      await send('readers/restart', sign('readers/restart', { transaction: minute, reader: 'door' }));
      await send('catalog/set', sign('catalog/set', { transaction: `c${minute}`, products: [] }));
    }
    const catalog = await trail({
      command: 'catalog/set',
      from: '2026-11-22T10:01:00Z',
      to: '2026-11-22T10:03:00Z',
    });
    expect(catalog.entries.map((entry) => entry.transaction)).toEqual(['c2', 'c1']);
    expect(catalog.entries[0]?.what).toEqual({ products: '<0 items>' });
    const limited = await trail({ limit: 3 });
    expect(limited.more).toBe(true);
    expect(limited.entries.map((entry) => entry.transaction)).toEqual(['c4', 4, 'c3']);
    expect(
      (
        await send(
          'audit/get',
          sign('audit/get', {
            transaction: 'bad-range',
            from: '2026-11-22T11:00:00Z',
            to: '2026-11-22T10:00:00Z',
          }),
        )
      ).error,
    ).toBe('from (2026-11-22T11:00:00Z) is after to (2026-11-22T10:00:00Z)');
    expect(
      (await send('audit/get', sign('audit/get', { transaction: 'bad-limit', limit: 0 }))).error,
    ).toMatch(/^limit:/);
  });

  it('deletes rows past the retention, hourly on the clock', async () => {
    const { send, sign, clock, trail, audit } = setup({ retentionDays: 1 });
    audit.start();
    await send('readers/restart', sign('readers/restart', { reader: 'door' }));
    clock.advanceTo(START + 12 * 3_600_000);
    await send('readers/restart', sign('readers/restart', { reader: 'door' }));
    expect((await trail()).entries).toHaveLength(2);
    clock.advanceTo(START + 25 * 3_600_000);
    expect((await trail()).entries.map((entry) => entry.at)).toEqual(['2026-11-22T22:00:00.000Z']);
    audit.stop();
  });

  it('a failing audit write is logged and the answer still goes out', async () => {
    const { send, sign, store, logs } = setup();
    store.db.exec('DROP TABLE audit');
    expect(
      (await send('readers/restart', sign('readers/restart', { transaction: 'x', reader: 'door' }))).status,
    ).toBe('ok');
    const failed = logs().find((line) => line.msg === 'audit entry not written');
    expect(failed).toMatchObject({ level: 50, audit: { command: 'readers/restart', outcome: 'ok' } });
  });

  it('logs the client of a signed request', async () => {
    const { send, sign, logs } = setup();
    await send('readers/restart', sign('readers/restart', { transaction: 'l', reader: 'door' }));
    expect(logs().find((line) => line.msg === 'MQTT request')).toMatchObject({
      command: 'readers/restart',
      client: 'pos',
      verified: true,
      status: 'ok',
    });
    expect(JSON.stringify(logs())).not.toContain(KEY);
  });
});
