import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/kits/store/store.js';
import { silentLogger } from '../observability/logger.js';
import { VirtualClock } from '../shared/clock.js';
import type { GatewayEvent } from '../shared/events.js';
import { Store } from './store.js';

const T0 = Date.UTC(2026, 10, 30, 10, 0, 0);
const CARD = '0500207B32';
const REFERENCE = 'cust-17-ana';

describe('Store.erase', () => {
  const dirs: Array<{ dispose(): void }> = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.dispose();
  });

  it('leaves no trace of a forgotten customer in the file, the WAL or the outbox, keeps their events and says they were rewritten', () => {
    const dir = tempDir('erase-');
    dirs.push(dir);
    const store = Store.open({ dataDir: dir.path, clock: new VirtualClock(T0), logger: silentLogger() });
    store.migrate('people', ['CREATE TABLE people (card TEXT PRIMARY KEY, reference TEXT NOT NULL)']);
    store.db.prepare('INSERT INTO people VALUES (?, ?)').run(CARD, REFERENCE);
    const envelope = (seq: number) => ({
      id: `e${seq}`,
      seq,
      ts: '2026-11-30T10:00:00.000Z',
      gateway: 'gw1',
    });
    const events: GatewayEvent[] = [
      {
        ...envelope(1),
        type: 'tag.arrived',
        zone: 'door',
        reader: 'badge',
        antenna: 1,
        rssi: null,
        tag: CARD,
        reads: 1,
      },
      {
        ...envelope(2),
        type: 'purchase.started',
        session: 's1',
        cabinet: 'f1',
        customer: REFERENCE,
        via: 'card',
      },
      {
        ...envelope(3),
        type: 'purchase.refused',
        cabinet: 'f1',
        reason: 'session_in_progress',
        card: CARD,
        customer: REFERENCE,
      },
    ];
    for (const event of events) store.outbox.append(event);
    store.outbox.commit();
    // The first two were acknowledged by the broker and deleted long ago, without secure_delete.
    store.outbox.markSent([1, 2]);
    store.outbox.append({
      ...envelope(4),
      type: 'purchase.cancelled',
      session: 's1',
      cabinet: 'f1',
      customer: REFERENCE,
      reason: 'door_not_opened',
    });

    // What the publisher would read again when told: the rows as rewritten, already committed.
    const readAgain: string[][] = [];
    store.outbox.onRewrite(() => {
      readAgain.push(store.outbox.pending(0, 10).map((record) => record.payload));
    });
    const removed = store.erase(
      () => store.db.prepare('DELETE FROM people WHERE reference = ?').run(REFERENCE).changes,
      [
        { field: 'customer', value: REFERENCE, replacement: 'forgotten-1' },
        { field: 'card', value: CARD, replacement: 'forgotten' },
        { field: 'tag', value: CARD, replacement: 'forgotten' },
      ],
    );
    expect(removed).toBe(1);
    expect(readAgain).toHaveLength(1);
    expect(readAgain[0]?.join('\n')).not.toMatch(new RegExp(`${REFERENCE}|${CARD}`));
    expect(readAgain[0]).toHaveLength(2);

    // Still to be sent, under the replacement: a payment event is never lost to a forget.
    const pending = store.outbox
      .pending(0, 10)
      .map((record) => JSON.parse(record.payload) as Record<string, unknown>);
    expect(pending.map((event) => [event.seq, event.customer, event.card])).toEqual([
      [3, 'forgotten-1', 'forgotten'],
      [4, 'forgotten-1', undefined],
    ]);
    const totals = store.db.prepare('SELECT COUNT(*) AS rows, SUM(bytes) AS bytes FROM events').get() as {
      rows: number;
      bytes: number;
    };
    expect(store.outbox.stats()).toMatchObject({ depth: totals.rows, bytes: totals.bytes });
    for (const file of readdirSync(dir.path).filter((name) => name.startsWith('gateway.sqlite'))) {
      const bytes = readFileSync(join(dir.path, file));
      expect(bytes.includes(Buffer.from(REFERENCE)), `${file} holds the reference`).toBe(false);
      expect(bytes.includes(Buffer.from(CARD)), `${file} holds the card`).toBe(false);
    }
    store.close();
  });

  it('keeps the reference in the waiting events of the sessions a pending forget waited for: their charge', () => {
    const store = Store.open({ dataDir: ':memory:', clock: new VirtualClock(T0), logger: silentLogger() });
    const envelope = (seq: number) => ({
      id: `e${seq}`,
      seq,
      ts: '2026-11-30T10:00:00.000Z',
      gateway: 'gw1',
    });
    store.outbox.append({
      ...envelope(1),
      type: 'purchase.cancelled',
      session: 's0',
      cabinet: 'f1',
      customer: REFERENCE,
      reason: 'door_not_opened',
    });
    store.outbox.append({
      ...envelope(2),
      type: 'purchase.completed',
      session: 's1',
      cabinet: 'f1',
      customer: REFERENCE,
      items: [],
      total: 250,
      currency: 'EUR',
      confidence: 'certain',
      settleMs: 1200,
      returned: [],
    } as unknown as GatewayEvent);
    store.outbox.append({
      ...envelope(3),
      type: 'purchase.refused',
      cabinet: 'f1',
      reason: 'x',
      customer: REFERENCE,
    });
    store.outbox.commit();
    store.erase(
      () => 0,
      [{ field: 'customer', value: REFERENCE, replacement: 'forgotten-2', keepSessions: ['s1'] }],
    );
    const pending = store.outbox
      .pending(0, 10)
      .map((record) => JSON.parse(record.payload) as Record<string, unknown>);
    // s1 is the session the customer asked during: the payment side charges it under their reference.
    expect(pending.map((event) => [event.seq, event.customer])).toEqual([
      [1, 'forgotten-2'],
      [2, REFERENCE],
      [3, 'forgotten-2'],
    ]);
    store.close();
  });
});
