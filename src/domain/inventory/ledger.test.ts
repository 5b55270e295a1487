import { describe, expect, it } from 'vitest';
import type { InventoryEntry } from './inventory-store.js';
import { Ledger } from './ledger.js';

const entry = (tag: string, zone: string, sinceMs = 0): InventoryEntry => ({
  ...{ tag, zone, reader: 'r', item: { tag, sku: `SKU-${tag}` } },
  ...{ sinceMs, lastSeenMs: sinceMs, restored: false },
});

function flush(ledger: Ledger) {
  const plan = ledger.prepare();
  ledger.commit(plan);
  return plan;
}

describe('Ledger: the net difference per flush', () => {
  it('adds, removes with a reason, and moves as a removal from one zone and an addition to the other', () => {
    const ledger = new Ledger();
    ledger.seed([entry('A', 'fridge'), entry('B', 'fridge')]);
    ledger.put(entry('C', 'fridge', 5));
    ledger.remove('A', 'left while the gateway was down');
    ledger.put(entry('B', 'door', 5));
    const plan = flush(ledger);
    expect(plan.events).toEqual([
      {
        type: 'inventory.changed',
        zone: 'fridge',
        added: [{ tag: 'C', sku: 'SKU-C' }],
        removed: [
          { tag: 'A', sku: 'SKU-A', reason: 'left while the gateway was down' },
          { tag: 'B', sku: 'SKU-B', reason: 'moved to door' },
        ],
        count: 1,
      },
      { type: 'inventory.changed', zone: 'door', added: [{ tag: 'B', sku: 'SKU-B' }], removed: [], count: 1 },
    ]);
    expect(plan.deletes).toEqual([
      { zone: 'fridge', tag: 'A' },
      { zone: 'fridge', tag: 'B' },
    ]);
    expect(plan.puts.map((put) => [put.tag, put.zone])).toEqual([
      ['C', 'fridge'],
      ['B', 'door'],
    ]);
    expect(ledger.entries('fridge').map((e) => e.tag)).toEqual(['C']);
    expect(ledger.dirty).toBe(false);
  });

  it('makes no event of a tag that came and went, or went and came back, within one flush', () => {
    const ledger = new Ledger();
    ledger.seed([entry('A', 'fridge')]);
    ledger.put(entry('N', 'fridge'));
    ledger.remove('N', undefined);
    ledger.remove('A', undefined);
    ledger.put(entry('A', 'fridge', 9));
    const plan = flush(ledger);
    expect(plan.events).toEqual([]);
    // The returning tag's row is rewritten (its new arrival time), without an event.
    expect(plan.puts.map((put) => [put.tag, put.sinceMs])).toEqual([['A', 9]]);
    expect(plan.deletes).toEqual([]);
  });

  it('announces staleness once per change, with every stale reader, and its end', () => {
    const ledger = new Ledger();
    ledger.seed([entry('A', 'fridge')]);
    ledger.setStale('fridge', 'top', 'reader top offline: unplugged');
    ledger.setStale('fridge', 'bottom', 'reader bottom error: antenna 2 open');
    expect(flush(ledger).events).toEqual([
      {
        type: 'inventory.changed',
        zone: 'fridge',
        added: [],
        removed: [],
        count: 1,
        stale: 'reader bottom error: antenna 2 open; reader top offline: unplugged',
      },
    ]);
    expect(ledger.dirty).toBe(false);
    ledger.put(entry('B', 'fridge'));
    expect(flush(ledger).events[0]).toMatchObject({ added: [{ tag: 'B' }], stale: expect.any(String) });
    ledger.setStale('fridge', 'top', undefined);
    expect(flush(ledger).events).toMatchObject([{ stale: 'reader bottom error: antenna 2 open' }]);
    ledger.setStale('fridge', 'bottom', undefined);
    expect(flush(ledger).events).toEqual([
      { type: 'inventory.changed', zone: 'fridge', added: [], removed: [], count: 2 },
    ]);
    expect(ledger.stale('fridge')).toBeUndefined();
  });

  it('puts everything back as pending when a commit is undone', () => {
    const ledger = new Ledger();
    ledger.seed([entry('A', 'fridge')]);
    ledger.remove('A', undefined);
    ledger.put(entry('B', 'fridge'));
    ledger.setStale('fridge', 'top', 'reader top offline');
    const plan = ledger.prepare();
    ledger.commit(plan);
    ledger.revert(plan);
    expect(ledger.entries('fridge').map((e) => e.tag)).toEqual(['A']);
    expect(ledger.stale('fridge')).toBeUndefined();
    expect(ledger.prepare().events).toEqual(plan.events);
  });
});
