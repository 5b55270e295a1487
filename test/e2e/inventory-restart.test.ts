import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LEFT_WHILE_DOWN } from '../../src/domain/inventory/index.js';
import { sgtin, startGateway } from './inventory-gateway.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const HOUR = 3_600_000;
const [A, B, C, D] = [sgtin(1), sgtin(2), sgtin(3), sgtin(4)];

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fridge with A, B and C, stocked by a first run on a store in a fresh directory. */
async function stockedFridge() {
  const dir = mkdtempSync(join(tmpdir(), 'rfid-inventory-'));
  dirs.push(dir);
  const first = await startGateway(dir, T0);
  first.keepReading([A, B, C], T0 + 100, T0 + 5100);
  expect(first.summary()).toEqual([
    ['tag.arrived', 100, A],
    ['tag.arrived', 100, B],
    ['tag.arrived', 100, C],
    ['inventory.changed', 100, { added: [A, B, C], removed: [], count: 3 }],
  ]);
  // Stopped with the tags still in the fridge: nothing departs at a stop.
  await first.controller.stop();
  return dir;
}

describe('inventory across a restart (real SQLite store, whole gateway on a virtual clock)', () => {
  it('makes no event at all for an unchanged fridge: no arrival flood, no inventory change', async () => {
    const dir = await stockedFridge();
    const t1 = T0 + HOUR;
    const second = await startGateway(dir, t1);
    expect(second.inventory().snapshot('fridge')).toMatchObject({ count: 3, products: [{ count: 3 }] });
    second.keepReading([A, B, C], t1 + 2000, t1 + 60_000);
    second.clock.advanceTo(t1 + 60_500);
    await second.controller.stop();
    expect(second.events).toEqual([]);
  });

  it('removes a tag that left while the gateway was down, after the grace, and adds a new one', async () => {
    const dir = await stockedFridge();
    const t2 = T0 + 2 * HOUR;
    const third = await startGateway(dir, t2);
    third.keepReading([A, B, D], t2 + 500, t2 + 30_500);
    // C was not read again: it departs 10 s (the grace) + 3 s (the hold-off) after the start.
    expect(third.summary()).toEqual([
      ['tag.arrived', 500, D],
      ['inventory.changed', 500, { added: [D], removed: [], count: 4 }],
      ['tag.departed', 13_000, C],
      ['inventory.changed', 13_000, { added: [], removed: [`${C} (${LEFT_WHILE_DOWN})`], count: 3 }],
    ]);
    expect(third.events.find((event) => event.type === 'tag.departed')).toMatchObject({ reads: 0 });
    expect(third.rows().map((row) => row.tag)).toEqual([A, B, D]);
    await third.controller.stop();
  });

  it('removes stored tags the core cannot take back (their zone is gone from the config), with why', async () => {
    const dir = await stockedFridge();
    const t3 = T0 + 3 * HOUR;
    const moved = await startGateway(dir, t3, { zone: 'cooler' });
    moved.keepReading([A], t3 + 500, t3 + 1500);
    const reason = 'not restored: zone no longer configured';
    expect(moved.summary()).toEqual([
      [
        'inventory.changed',
        0,
        { added: [], removed: [`${A} (${reason})`, `${B} (${reason})`, `${C} (${reason})`], count: 0 },
      ],
      ['tag.arrived', 500, A],
      ['inventory.changed', 500, { added: [A], removed: [], count: 1 }],
    ]);
    expect(moved.rows()).toEqual([{ zone: 'cooler', tag: A }]);
    await moved.controller.stop();
  });
});
