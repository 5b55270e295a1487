import { afterEach, describe, expect, it } from 'vitest';
import { LEFT_WHILE_DOWN } from '../../src/domain/inventory/extension.js';
import { Status } from '../../src/protocols/thingmagic/status.js';
import { rig, sgtin, T0 } from '../kits/domain/inventory-rig.js';

const GTIN = '80614141123458';
const rigs: Array<ReturnType<typeof rig>> = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) if (r.store.db.open) await r.stop();
});

function setup(options: Parameters<typeof rig>[0] = {}) {
  const r = rig(options);
  rigs.push(r);
  return r;
}

describe('inventory: deltas committed with their event', () => {
  it('turns a pallet of 200 arrivals into one event, written with its rows in one transaction', async () => {
    const r = setup();
    await r.start();
    const pallet = Array.from({ length: 200 }, (_, serial) => sgtin(serial));
    r.read(pallet, T0 + 100);
    expect(r.ofType('inventory.changed')).toEqual([]);
    r.clock.advanceTo(T0 + 100);
    const [changed, ...more] = r.ofType('inventory.changed');
    expect(more).toEqual([]);
    expect(changed).toMatchObject({ zone: 'fridge', count: 200, removed: [] });
    expect(changed?.added).toHaveLength(200);
    expect(changed?.added[0]).toEqual({
      tag: sgtin(0),
      uri: 'urn:epc:id:sgtin:0614141.812345.0',
      gtin: GTIN,
    });
    expect(changed?.stale).toBeUndefined();
    expect(r.rows()).toHaveLength(200);
    // The journal has the arrivals, then the event that announces them: contiguous seqs.
    const journal = r.journal();
    expect(journal.map(([, type]) => type)).toEqual([
      ...pallet.map(() => 'tag.arrived'),
      'inventory.changed',
    ]);
    expect(journal.map(([seq]) => seq)).toEqual(journal.map((_, index) => index + 1));
  });

  it('rolls the rows and the event back together, and writes both on the retry', async () => {
    const r = setup();
    await r.start();
    r.store.db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON inventory_tags
      BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`);
    r.read([sgtin(1)], T0 + 100);
    r.clock.advanceTo(T0 + 500);
    expect(r.ofType('inventory.changed')).toEqual([]);
    expect(r.journal().map(([, type]) => type)).not.toContain('inventory.changed');
    expect(r.inventory.snapshot('fridge').count).toBe(0);

    // The other way round: the rows are fine but the event cannot be journalled.
    r.store.db.exec(`DROP TRIGGER refuse; CREATE TRIGGER refuse BEFORE INSERT ON events
      WHEN NEW.type = 'inventory.changed' BEGIN SELECT RAISE(ABORT, 'outbox on fire'); END`);
    r.clock.advanceTo(T0 + 1100);
    expect(r.ofType('inventory.changed')).toEqual([]);
    expect(r.rows()).toEqual([]);

    r.store.db.exec('DROP TRIGGER refuse');
    r.clock.advanceTo(T0 + 2100);
    expect(r.ofType('inventory.changed')).toMatchObject([{ added: [{ tag: sgtin(1) }], count: 1 }]);
    expect(r.rows()).toEqual([{ zone: 'fridge', tag: sgtin(1), sku: null, gtin: GTIN }]);
    expect(r.journal().map(([seq, type]) => [seq, type])).toEqual([
      [1, 'tag.arrived'],
      [2, 'inventory.changed'],
    ]);
  });

  it('reports each departure as a removal with the product, and the count after it', async () => {
    const r = setup();
    await r.start();
    r.read([sgtin(1), sgtin(2)], T0 + 100);
    r.read([sgtin(1)], T0 + 2000);
    r.clock.advanceTo(T0 + 10_000);
    expect(r.ofType('inventory.changed').map(({ added, removed, count }) => [added, removed, count])).toEqual(
      [
        [[{ tag: sgtin(1), uri: 'urn:epc:id:sgtin:0614141.812345.1', gtin: GTIN }, expect.anything()], [], 2],
        [[], [{ tag: sgtin(2), uri: 'urn:epc:id:sgtin:0614141.812345.2', gtin: GTIN }], 1],
        [[], [{ tag: sgtin(1), uri: 'urn:epc:id:sgtin:0614141.812345.1', gtin: GTIN }], 0],
      ],
    );
  });
});

describe('inventory: readers in error', () => {
  it('holds a reader in error, marks its zones stale on every event, and ignores devices that are not readers', async () => {
    const r = setup();
    await r.start();
    r.read([sgtin(1), sgtin(2)], T0 + 100);
    r.status(Status.antennaNotConnected, T0 + 100);
    r.bus.emit({ type: 'reader.status', reader: 'io-board', state: 'offline', reason: 'unplugged' });
    r.clock.advanceTo(T0 + 60_000);
    const stale = 'reader fridge error: no antenna detected on the port';
    expect(r.ofType('tag.departed')).toEqual([]);
    expect(
      r.ofType('inventory.changed').map(({ added, count, stale }) => [added.length, count, stale]),
    ).toEqual([[2, 2, stale]]);
    r.read([sgtin(3)], T0 + 61_000);
    r.clock.advanceTo(T0 + 61_001);
    expect(r.ofType('inventory.changed').at(-1)).toMatchObject({
      added: [{ tag: sgtin(3) }],
      count: 3,
      stale,
    });
    expect(r.inventory.snapshot('fridge').stale).toBe(stale);
    // Back to work: the module streams its read-cycle heartbeat once a second, and sees no tag.
    for (let at = T0 + 61_001; at <= T0 + 70_000; at += 1000) r.status(Status.noTagsFound, at);
    r.clock.advanceTo(T0 + 70_000);
    expect(r.inventory.snapshot('fridge')).toMatchObject({ count: 0 });
    expect(r.ofType('inventory.changed').at(-1)).toEqual(expect.not.objectContaining({ stale }));
  });
});

describe('inventory: products and snapshots', () => {
  it('takes products from the lookup, counts them per product and caps the tags listed', async () => {
    const r = setup({
      inventory: {
        maxSnapshotTags: 2,
        itemFor: (tag, epc) =>
          tag === sgtin(9)
            ? { tag, sku: 'TEA', name: 'Tea' }
            : { tag, sku: 'W1', name: 'Water', ...(epc?.gtin ? { gtin: epc.gtin } : {}), unitPrice: 150 },
      },
    });
    await r.start();
    r.read([sgtin(1), sgtin(2), sgtin(9)], T0 + 100);
    r.clock.advanceTo(T0 + 101);
    expect(r.ofType('inventory.changed')[0]?.added[2]).toEqual({ tag: sgtin(9), sku: 'TEA', name: 'Tea' });
    expect(r.inventory.snapshot('fridge')).toEqual({
      zone: 'fridge',
      ts: new Date(T0 + 101).toISOString(),
      count: 3,
      products: [
        { sku: 'W1', gtin: GTIN, name: 'Water', count: 2 },
        { sku: 'TEA', name: 'Tea', count: 1 },
      ],
      tags: [
        {
          tag: sgtin(1),
          sku: 'W1',
          gtin: GTIN,
          since: new Date(T0 + 100).toISOString(),
          lastSeen: new Date(T0 + 100).toISOString(),
        },
        {
          tag: sgtin(2),
          sku: 'W1',
          gtin: GTIN,
          since: new Date(T0 + 100).toISOString(),
          lastSeen: new Date(T0 + 100).toISOString(),
        },
      ],
      truncated: true,
    });
    expect(r.rows()).toEqual([
      { zone: 'fridge', tag: sgtin(1), sku: 'W1', gtin: GTIN },
      { zone: 'fridge', tag: sgtin(2), sku: 'W1', gtin: GTIN },
      { zone: 'fridge', tag: sgtin(9), sku: 'TEA', gtin: null },
    ]);
    expect(r.inventory.zones()).toEqual(['fridge']);
  });

  it('reports a tag without its product when the lookup throws, rather than losing the change', async () => {
    const r = setup({
      inventory: {
        itemFor: () => {
          throw new Error('catalog broken');
        },
      },
    });
    await r.start();
    r.read([sgtin(1)], T0 + 100);
    r.clock.advanceTo(T0 + 101);
    expect(r.ofType('inventory.changed')[0]?.added).toEqual([
      { tag: sgtin(1), uri: 'urn:epc:id:sgtin:0614141.812345.1', gtin: GTIN },
    ]);
  });

  it('refuses a negative grace', () => {
    expect(() => rig({ inventory: { restoreGraceMs: -1 } })).toThrow(/restoreGraceMs: must be >= 0/);
  });

  it('exports the reason of a tag gone while the gateway was down', () => {
    expect(LEFT_WHILE_DOWN).toBe('left while the gateway was down');
  });
});

describe('inventory: low stock against the catalog', () => {
  const TEA_TAG = 'E20034120000000000000009';
  const product = (sku: string, name: string, minStock?: number) => ({
    ...{ sku, name, unitPrice: 200, currency: 'EUR' },
    ...(minStock === undefined ? {} : { minStock }),
  });

  it('lists the products under their minStock, the largest shortfall first, an empty shelf too', async () => {
    const r = setup({
      products: [
        { ...product('W1', 'Water', 5), gtin: GTIN },
        product('TEA', 'Tea', 2),
        product('GUM', 'Gum', 1),
        product('COLA', 'Cola'),
        product('CHIPS', 'Crisps', 0),
      ],
    });
    r.catalog?.upsert([product('TEA', 'Tea', 2)], [{ tag: 'E2003412*', sku: 'TEA' }]);
    await r.start();
    r.read([sgtin(1), sgtin(2), TEA_TAG], T0 + 100);
    r.clock.advanceTo(T0 + 101);
    expect(await r.request('inventory/low', {})).toEqual({
      ok: true,
      data: {
        watched: 3,
        products: [
          { sku: 'W1', name: 'Water', gtin: GTIN, minStock: 5, count: 2, zones: { fridge: 2 } },
          // Shortfall 1 each: by SKU.
          { sku: 'GUM', name: 'Gum', minStock: 1, count: 0, zones: {} },
          { sku: 'TEA', name: 'Tea', minStock: 2, count: 1, zones: { fridge: 1 } },
        ],
        stale: [],
      },
    });
    // A second tea: at its threshold, no longer low. The reader drops out: the count may be wrong.
    r.read(['E2003412000000000000000A'], T0 + 200);
    r.clock.advanceTo(T0 + 201);
    r.bus.emit({ type: 'reader.status', reader: 'fridge', state: 'offline', reason: 'unplugged' });
    r.clock.advanceTo(T0 + 202);
    const after = await r.request('inventory/low', {});
    expect(
      after.ok && (after.data as { products: Array<{ sku: string }> }).products.map((p) => p.sku),
    ).toEqual(['W1', 'GUM']);
    expect(after.ok && (after.data as { stale: string[] }).stale).toEqual(['fridge']);
  });

  it('counts a tag by what the catalog says it is now, not when it arrived', async () => {
    const r = setup({ products: [product('TEA', 'Tea', 2)] });
    await r.start();
    const unknown = 'E20099990000000000000001';
    r.read([unknown], T0 + 100);
    r.clock.advanceTo(T0 + 101);
    expect(r.inventory.snapshot('fridge').products).toEqual([{ count: 1 }]);
    // Mapped afterwards (a CSV import from the console): it counts at once.
    r.catalog?.upsert([product('NEW', 'New juice', 3)], [{ tag: 'E2009999*', sku: 'NEW' }]);
    const answer = await r.request('inventory/low', {});
    expect(answer.ok && (answer.data as { products: unknown[] }).products).toEqual([
      { sku: 'NEW', name: 'New juice', minStock: 3, count: 1, zones: { fridge: 1 } },
      { sku: 'TEA', name: 'Tea', minStock: 2, count: 0, zones: {} },
    ]);
  });

  it('has no such request without a catalog: nothing says what low is', async () => {
    const r = setup();
    await r.start();
    await expect(r.request('inventory/low', {})).rejects.toThrow(/not registered/);
  });
});
