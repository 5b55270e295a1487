import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakePort, sgtin, startGateway } from './inventory-gateway.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const [A, B, C] = [sgtin(1), sgtin(2), sgtin(3)];

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** What every gateway here says first: the reader online, A, B and C arrived. */
const STARTED_WITH_A_B_C = [
  ['reader.status', 0, 'online'],
  ['tag.arrived', 100, A],
  ['tag.arrived', 100, B],
  ['tag.arrived', 100, C],
  ['inventory.changed', 100, { added: [A, B, C], removed: [], count: 3 }],
];

async function fridgeOnAPort() {
  const dir = mkdtempSync(join(tmpdir(), 'rfid-inventory-outage-'));
  dirs.push(dir);
  const port = new FakePort();
  const gateway = await startGateway(dir, T0, { port });
  gateway.keepReading([A, B, C], T0 + 100, T0 + 2100);
  return { gateway, port };
}

describe('inventory while a reader is unplugged (whole gateway, a port that goes away and comes back)', () => {
  it('holds its tags through a 30 s outage, marks the zone stale, and nothing re-arrives on reconnect', async () => {
    const { gateway, port } = await fridgeOnAPort();
    gateway.clock.advanceTo(T0 + 2500);
    port.unplug('cable pulled');
    gateway.clock.advanceTo(T0 + 32_500);
    const stale = 'reader fridge offline: cable pulled';
    expect(gateway.inventory().snapshot('fridge')).toMatchObject({ count: 3, stale });
    port.plugIn();
    // A and B are read again at once; C was taken during the outage.
    gateway.keepReading([A, B], T0 + 33_000, T0 + 45_000);
    expect(gateway.rows().map((row) => row.tag)).toEqual([A, B]);
    await gateway.controller.stop();
    expect(gateway.summary()).toEqual([
      ...STARTED_WITH_A_B_C,
      ['reader.status', 2500, 'offline'],
      ['inventory.changed', 2500, { added: [], removed: [], count: 3, stale }],
      ['reader.status', 32_500, 'online'],
      ['inventory.changed', 32_500, { added: [], removed: [], count: 3 }],
      // The hold-off runs from the reconnection, not from C's last read before the outage.
      ['tag.departed', 35_500, C],
      ['inventory.changed', 35_500, { added: [], removed: [C], count: 2 }],
      // Stopping the gateway closes the port: not the reader's fault, so no stale mark.
      ['reader.status', 45_000, 'offline'],
    ]);
  });

  it('lets nothing leave however long the outage, and still settles it after the reconnection', async () => {
    const { gateway, port } = await fridgeOnAPort();
    port.unplug('ENOENT /dev/ttyUSB0');
    gateway.clock.advanceTo(T0 + 24 * 3_600_000);
    expect(gateway.events.filter((event) => event.type === 'tag.departed')).toEqual([]);
    port.plugIn();
    // The module reads again and sees none of them: the tags depart on time.
    gateway.heartbeats(T0 + 24 * 3_600_000 + 500, T0 + 24 * 3_600_000 + 5000);
    const departed = gateway.events.filter((event) => event.type === 'tag.departed');
    expect(departed.map((event) => [event.tag, Date.parse(event.ts) - T0])).toEqual([
      [A, 24 * 3_600_000 + 3000],
      [B, 24 * 3_600_000 + 3000],
      [C, 24 * 3_600_000 + 3000],
    ]);
    expect(gateway.inventory().snapshot('fridge')).toMatchObject({ count: 0, products: [] });
    await gateway.controller.stop();
  });

  it('holds the tags of a reader that goes silent with its port open, and lets them go once it talks again', async () => {
    const { gateway } = await fridgeOnAPort();
    // A hung module: the port stays open, the heartbeat stops after the last read at 2.1 s.
    gateway.clock.advanceTo(T0 + 60_000);
    expect(gateway.events.filter((event) => event.type === 'tag.departed')).toEqual([]);
    const stale = 'reader fridge stalled: no traffic for 2500 ms (expected every 1000 ms)';
    expect(gateway.inventory().snapshot('fridge')).toMatchObject({ count: 3, stale });
    // It talks again and reads A only: B and C depart the hold-off after it came back.
    gateway.keepReading([A], T0 + 60_000, T0 + 66_000);
    await gateway.controller.stop();
    expect(gateway.summary()).toEqual([
      ...STARTED_WITH_A_B_C,
      // 2.5 expected intervals after the last frame, before any tag's 3 s hold-off ran out.
      ['reader.status', 4600, 'stalled'],
      ['inventory.changed', 4600, { added: [], removed: [], count: 3, stale }],
      ['reader.status', 60_000, 'online'],
      ['inventory.changed', 60_000, { added: [], removed: [], count: 3 }],
      ['tag.departed', 63_000, B],
      ['tag.departed', 63_000, C],
      ['inventory.changed', 63_000, { added: [], removed: [B, C], count: 1 }],
      ['reader.status', 66_000, 'offline'],
    ]);
  });
});
