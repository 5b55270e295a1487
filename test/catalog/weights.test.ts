import { afterEach, describe, expect, it } from 'vitest';
import { CATALOG_MIGRATIONS, Catalog, CatalogError } from '../../src/domain/catalog/index.js';
import { receiptFor } from '../../src/domain/purchases/receipt.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import { eventItem } from '../../src/shared/commerce.js';
import { Store } from '../../src/store/index.js';
import { catalogFeature, T0 } from '../kits/domain/catalog-feature.js';
import { tempDir } from '../kits/store/store.js';

/** Unit weights in the catalog: CSV import is in src/domain/catalog/csv-import.test.ts. */

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function openStore(dir = tempDir('catalog-weights-')) {
  const store = Store.open({ dataDir: dir.path, clock: new VirtualClock(T0), logger: silentLogger() });
  return { store, dir };
}

function setup() {
  const { store, extension, request } = catalogFeature();
  cleanups.push(() => store.close());
  return { extension, request };
}

const cola = { sku: 'COLA-033', name: 'Cola 0.33 l', unitPrice: 250, currency: 'EUR' };
// A tag of a non-GS1 sticker mapped to the cola.
const TAG = 'E2003412AABB';

describe('catalog/set with unit weights', () => {
  it('stores weights in grams and answers them in catalog/get', async () => {
    const { request, extension } = setup();
    const set = await request('catalog/set', {
      products: [
        { ...cola, unitWeightG: 350, weightToleranceG: 6 },
        {
          sku: 'GUM',
          name: 'Gum',
          unitPrice: 90,
          currency: 'EUR',
          unitWeightG: 12.5,
          weightToleranceG: null,
        },
      ],
      mappings: [{ tag: TAG, sku: 'COLA-033' }],
    });
    expect(set).toMatchObject({ ok: true, data: { added: 2 } });
    expect(await request('catalog/get', { sku: 'COLA-033' })).toEqual({
      ok: true,
      data: {
        total: 1,
        offset: 0,
        products: [{ ...cola, unitWeightG: 350, weightToleranceG: 6, tags: [TAG] }],
      },
    });
    expect(extension.catalog.get('GUM')).toEqual({
      sku: 'GUM',
      name: 'Gum',
      unitPrice: 90,
      currency: 'EUR',
      unitWeightG: 12.5,
    });
    // The same weights again change nothing; another weight is an update.
    expect(
      await request('catalog/set', { products: [{ ...cola, unitWeightG: 350, weightToleranceG: 6 }] }),
    ).toMatchObject({ ok: true, data: { unchanged: 1 } });
    expect(
      await request('catalog/set', { products: [{ ...cola, unitWeightG: 355, weightToleranceG: 6 }] }),
    ).toMatchObject({ ok: true, data: { updated: 1 } });
  });

  it('names the path and the value of every bad weight, and a tolerance without a weight', async () => {
    const { request, extension } = setup();
    const result = await request('catalog/set', {
      products: [
        { ...cola, sku: 'A1', unitWeightG: 0 },
        { ...cola, sku: 'A2', unitWeightG: '350' },
        { ...cola, sku: 'A3', unitWeightG: 350.25, weightToleranceG: -1 },
        { ...cola, sku: 'A4', unitWeightG: 100_001, weightToleranceG: 10_000.5 },
        { ...cola, sku: 'A5', weightToleranceG: 6 },
      ],
    });
    expect(result).toEqual({
      ok: false,
      error: [
        'products[0].unitWeightG: must be a positive number of grams (got 0)',
        'products[1].unitWeightG: must be a positive number of grams (got "350")',
        'products[2].unitWeightG: at most one decimal (0.1 g) (got 350.25)',
        'products[2].weightToleranceG: must be a number of grams, 0 or more (got -1)',
        'products[3].unitWeightG: at most 100000 g (got 100001)',
        'products[3].weightToleranceG: at most 10000 g (got 10000.5)',
        'products[4].weightToleranceG: needs a unit weight (unitWeightG) (got 6)',
      ].join('; '),
    });
    expect(extension.catalog.list()).toEqual([]);
  });
});

describe('Catalog with unit weights', () => {
  it('checks weights given through the API too, and stores 0.1 + 0.2 as 0.3', () => {
    const { store } = openStore();
    cleanups.push(() => store.close());
    const catalog = new Catalog(store);
    expect(() => catalog.upsert([{ ...cola, weightToleranceG: 6 }])).toThrow(
      new CatalogError([
        {
          kind: 'product',
          index: 0,
          field: 'weightToleranceG',
          value: 6,
          message: 'needs a unit weight (unitWeightG)',
        },
      ]),
    );
    expect(() => catalog.upsert([{ ...cola, unitWeightG: Number.NaN }])).toThrow(
      /products\[0\]\.unitWeightG: must be a positive number of grams/,
    );
    catalog.upsert([{ ...cola, unitWeightG: 0.1 + 0.2, weightToleranceG: 0 }]);
    expect(catalog.get('COLA-033')).toMatchObject({ unitWeightG: 0.3, weightToleranceG: 0 });
  });

  it("gives a tag's item its product's weight, which events leave out", () => {
    const { store } = openStore();
    cleanups.push(() => store.close());
    const catalog = new Catalog(store);
    catalog.upsert([{ ...cola, unitWeightG: 350, weightToleranceG: 6 }], [{ tag: TAG, sku: cola.sku }]);
    const item = catalog.itemFor(TAG);
    expect(item).toEqual({
      tag: TAG,
      sku: 'COLA-033',
      name: 'Cola 0.33 l',
      unitPrice: 250,
      currency: 'EUR',
      unitWeightG: 350,
      weightToleranceG: 6,
    });
    const { unitWeightG: _, weightToleranceG: __, ...withoutWeights } = item;
    expect(eventItem(item)).toEqual(withoutWeights);
    // The purchase event's receipt: items, returned and foreign alike.
    const receipt = receiptFor([TAG], [TAG, 'E200FFFF'], (tag) => catalog.itemFor(tag), 'EUR');
    expect(receipt).toEqual({
      ok: true,
      items: [withoutWeights],
      total: 250,
      returned: [withoutWeights],
      foreign: [{ tag: 'E200FFFF' }],
    });
  });

  it('migrates a catalog stored before weights existed: its products load, then take weights', () => {
    const dir = tempDir('catalog-old-');
    const old = openStore(dir).store;
    // The catalog as the gateway stored it before this change: its first two migration steps.
    old.migrate('catalog', CATALOG_MIGRATIONS.slice(0, 2));
    old.db
      .prepare(
        `INSERT INTO catalog_products (sku, gtin, name, unit_price, currency, category, updated_at, from_file)
         VALUES ('COLA-033', NULL, 'Cola 0.33 l', 250, 'EUR', 'drinks', '2026-11-01T00:00:00.000Z', NULL)`,
      )
      .run();
    old.close();

    const { store } = openStore(dir);
    cleanups.push(() => {
      store.close();
      dir.dispose();
    });
    const catalog = new Catalog(store);
    expect(catalog.list()).toEqual([{ ...cola, category: 'drinks' }]);
    expect(
      catalog.upsert([{ ...cola, category: 'drinks', unitWeightG: 350, weightToleranceG: 6 }]),
    ).toMatchObject({
      updated: 1,
    });
    expect(catalog.get('COLA-033')).toMatchObject({ unitWeightG: 350, weightToleranceG: 6 });
    // The database itself refuses a tolerance without a weight, whoever writes it.
    expect(() =>
      store.db.prepare("UPDATE catalog_products SET unit_weight_g = NULL WHERE sku = 'COLA-033'").run(),
    ).toThrow(/CHECK constraint failed/);
  });
});
