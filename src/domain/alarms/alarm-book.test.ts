import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../observability/logger.js';
import { VirtualClock } from '../../shared/clock.js';
import type { EventOf } from '../../shared/extension.js';
import { Store } from '../../store/index.js';
import { ALARM_PURGE_INTERVAL_MS, AlarmBook } from './alarm-book.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const DAY = 86_400_000;
const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanup.splice(0).reverse()) step();
});

function alarm(seq: number, fields: Partial<EventOf<'security.alarm'>> = {}): EventOf<'security.alarm'> {
  return {
    id: `alarm-${seq}`,
    seq,
    ts: new Date(T0 + seq * 1000).toISOString(),
    gateway: 'gw',
    type: 'security.alarm',
    kind: 'door_left_open',
    cabinet: 'fridge-1',
    ...fields,
  };
}

/** A real SQLite file, reopened as a restarted gateway would. */
function onDisk() {
  const dataDir = mkdtempSync(join(tmpdir(), 'rfid-alarms-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const clock = new VirtualClock(T0);
  const open = (options: { maxRows?: number } = {}) => {
    const store = Store.open({ dataDir, clock, logger: silentLogger() });
    cleanup.push(() => store.close());
    return { store, book: new AlarmBook(store, { clock, logger: silentLogger(), ...options }) };
  };
  return { clock, open };
}

describe('the alarm book', () => {
  it('keeps open alarms across a restart, newest first, with what the alarm said', () => {
    const { open } = onDisk();
    const first = open();
    first.book.record(alarm(1));
    first.book.record(
      alarm(2, {
        kind: 'unpaid_exit',
        cabinet: undefined,
        door: 'front',
        zone: 'outside',
        tag: 'AA01',
        product: { sku: 'COLA-033', name: 'Cola 0.33 l' },
        detail: 'not paid',
      }),
    );
    // The same event again (a listener run twice) is booked once.
    first.book.record(alarm(1));
    first.store.close();

    const { book } = open();
    expect(book.openCount()).toBe(2);
    expect(book.open(10)).toEqual([
      {
        id: 'alarm-2',
        seq: 2,
        ts: new Date(T0 + 2000).toISOString(),
        kind: 'unpaid_exit',
        door: 'front',
        zone: 'outside',
        tag: 'AA01',
        product: 'Cola 0.33 l',
        detail: 'not paid',
        state: 'open',
      },
      {
        id: 'alarm-1',
        seq: 1,
        ts: new Date(T0 + 1000).toISOString(),
        kind: 'door_left_open',
        cabinet: 'fridge-1',
        state: 'open',
      },
    ]);
  });

  it('acknowledges: the alarm leaves the open ones, with who, when and the note, and stays so after a restart', () => {
    const { clock, open } = onDisk();
    const first = open();
    for (const seq of [1, 2, 3]) first.book.record(alarm(seq));
    clock.advanceTo(T0 + 60_000);
    const result = first.book.acknowledge(['alarm-2', 'alarm-3'], 'console', 'door fixed', true);
    expect(result.acknowledged.map((entry) => entry.id)).toEqual(['alarm-2', 'alarm-3']);
    expect(result.already).toEqual([]);
    first.store.close();

    const { book } = open();
    expect(book.open(10).map((entry) => entry.id)).toEqual(['alarm-1']);
    expect(book.get('alarm-2')).toMatchObject({
      state: 'acknowledged',
      acknowledged: {
        at: new Date(T0 + 60_000).toISOString(),
        by: 'console',
        byVerified: true,
        note: 'door fixed',
      },
    });
    expect(book.counts()).toEqual({ open: 1, acknowledged: 2 });
    // Open first, then the acknowledged ones.
    const all = book.query({ limit: 10, offset: 0 });
    expect(all.alarms.map((entry) => [entry.id, entry.state])).toEqual([
      ['alarm-1', 'open'],
      ['alarm-3', 'acknowledged'],
      ['alarm-2', 'acknowledged'],
    ]);
    expect(book.query({ state: 'acknowledged', limit: 1, offset: 1 })).toMatchObject({
      alarms: [{ id: 'alarm-2' }],
      more: false,
    });
    expect(book.query({ limit: 2, offset: 0 }).more).toBe(true);
  });

  it('reports an alarm acknowledged before without losing the others, and changes nothing on an unknown id', () => {
    const { clock, open } = onDisk();
    const { book } = open();
    for (const seq of [1, 2, 3]) book.record(alarm(seq));
    book.acknowledge(['alarm-1'], 'ana', undefined);
    clock.advanceTo(T0 + 5000);
    expect(() => book.acknowledge(['alarm-2', 'nope', 'gone'], 'bo', undefined)).toThrow(
      'unknown alarms "nope", "gone": nothing acknowledged',
    );
    expect(book.get('alarm-2')?.state).toBe('open');
    const result = book.acknowledge(['alarm-1', 'alarm-2'], 'bo', undefined);
    expect(result.acknowledged.map((entry) => entry.id)).toEqual(['alarm-2']);
    expect(result.already).toEqual([
      expect.objectContaining({
        id: 'alarm-1',
        acknowledged: { at: new Date(T0).toISOString(), by: 'ana', byVerified: false },
      }),
    ]);
  });

  it('deletes acknowledged alarms after the retention, never open ones, at start and every hour', () => {
    const { clock, open } = onDisk();
    const { book } = open();
    book.record(alarm(1));
    book.record(alarm(2));
    book.acknowledge(['alarm-2'], 'ana', undefined);
    book.start();
    cleanup.push(() => book.stop());
    clock.advanceTo(T0 + 30 * DAY - ALARM_PURGE_INTERVAL_MS);
    expect(book.counts()).toEqual({ open: 1, acknowledged: 1 });
    clock.advanceTo(T0 + 30 * DAY + ALARM_PURGE_INTERVAL_MS);
    expect(book.counts()).toEqual({ open: 1, acknowledged: 0 });
    expect(book.get('alarm-1')?.state).toBe('open');
  });

  it('stays within its bound under a flapping door: acknowledged ones go first, then the oldest open', () => {
    const { open } = onDisk();
    const { book } = open({ maxRows: 100 });
    for (let seq = 1; seq <= 50; seq++) book.record(alarm(seq));
    book.acknowledge(
      Array.from({ length: 50 }, (_, index) => `alarm-${index + 1}`),
      'ana',
      undefined,
    );
    for (let seq = 51; seq <= 140; seq++) book.record(alarm(seq));
    // Over 100 rows: trimmed, the acknowledged ones first; every open one is still there.
    const trimmed = book.counts();
    expect(trimmed.open).toBe(90);
    expect(trimmed.open + trimmed.acknowledged).toBeLessThanOrEqual(100);
    expect(book.get('alarm-51')?.state).toBe('open');
    for (let seq = 141; seq <= 1000; seq++) book.record(alarm(seq));
    const counts = book.counts();
    expect(counts.open + counts.acknowledged).toBeLessThanOrEqual(100);
    // The newest are kept.
    expect(book.open(1)[0]?.id).toBe('alarm-1000');
    expect(book.get('alarm-51')).toBeUndefined();
  });
});
