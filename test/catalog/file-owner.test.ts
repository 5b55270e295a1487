import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../src/domain/catalog/catalog.js';
import { importCatalogCsv } from '../../src/domain/catalog/csv-import.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import { Store } from '../../src/store/index.js';
import { catalogFeature, T0 } from '../kits/domain/catalog-feature.js';

const FILE = 'sku,gtin,name,price,currency,tags\nCOLA-033,80614141123458,Cola 0.33 l,2.50,EUR,E2003412*\n';
const COLA = {
  sku: 'COLA-033',
  gtin: '80614141123458',
  name: 'Cola 0.33 l',
  unitPrice: 250,
  currency: 'EUR',
};

/**
 * A gateway with a `catalogFile`, started again and again on one store (a real file): the file owns
 * its products, requests and the `catalog` command own the others.
 */
describe('one owner per product: the catalog file, or remote changes', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function gateway(dir: string, catalogFile: string | undefined) {
    const { store, extension, request } = catalogFeature({ dataDir: join(dir, 'data'), catalogFile });
    extension.start();
    const restart = () => {
      extension.stop();
      store.close();
    };
    return { store, request, restart, catalog: new Catalog(store) };
  }

  function setup() {
    const dir = mkdtempSync(join(tmpdir(), 'rfid-catalog-owner-'));
    dirs.push(dir);
    const file = join(dir, 'products.csv');
    writeFileSync(file, FILE);
    return { dir, file };
  }

  const tea = { sku: 'TEA', name: 'Oolong', unitPrice: 450, currency: 'JPY' };

  it("refuses remote changes to the file's products, naming the SKU, and keeps the others' across restarts", async () => {
    const { dir, file } = setup();
    const first = gateway(dir, file);
    const owned = `the product is owned by the catalog file ${file} (config catalogFile): change it there, it is imported again at every start`;
    expect(
      await first.request('catalog/set', {
        products: [{ sku: 'COLA-033', name: 'Cola', unitPrice: 199, currency: 'EUR' }],
      }),
    ).toEqual({ ok: false, error: `products[0].sku: ${owned} (got "COLA-033")` });
    expect(await first.request('catalog/set', { remove: ['COLA-033'] })).toEqual({
      ok: false,
      error: `remove[0]: ${owned} (got "COLA-033")`,
    });
    expect(await first.request('catalog/set', { mappings: [{ tag: 'E2009999*', sku: 'COLA-033' }] })).toEqual(
      {
        ok: false,
        error: `mappings[0].sku: ${owned} (got "COLA-033")`,
      },
    );
    // Other products are remote ones: added, then re-priced.
    expect(await first.request('catalog/set', { products: [tea] })).toMatchObject({
      ok: true,
      data: { added: 1 },
    });
    expect(await first.request('catalog/set', { products: [{ ...tea, unitPrice: 470 }] })).toMatchObject({
      ok: true,
      data: { updated: 1 },
    });
    // Its tag cannot be taken away from it either.
    expect(await first.request('catalog/set', { mappings: [{ tag: 'E2003412*', sku: 'TEA' }] })).toEqual({
      ok: false,
      error: `mappings[0].tag: the tag is SKU "COLA-033"'s, and ${owned} (got "E2003412*")`,
    });
    // Written again as it is (catalog export, then import), it is not changed: nothing to refuse.
    expect(
      await first.request('catalog/set', { products: [COLA, { ...tea, unitPrice: 480 }] }),
    ).toMatchObject({
      ok: true,
      data: { added: 0, updated: 1, unchanged: 1 },
    });
    // The `catalog import` command: a CSV changing a product of the file is refused at its line.
    const csv = importCatalogCsv(
      first.catalog,
      'sku,name,price,currency\nCOLA-033,Cola,1.99,EUR\n',
      'mine.csv',
    );
    expect(csv).toEqual({
      ok: false,
      problems: [`mine.csv:2: sku: ${owned} (got "COLA-033")`],
      located: [{ line: 2, field: 'sku', message: owned, value: 'COLA-033' }],
    });
    expect(await first.request('catalog/get', { sku: 'COLA-033' })).toMatchObject({
      ok: true,
      data: { products: [{ unitPrice: 250, catalogFile: file }] },
    });
    first.restart();

    // Restarted: nothing was undone, because nothing was changed behind the file's back.
    const second = gateway(dir, file);
    expect(second.catalog.get('COLA-033')?.unitPrice).toBe(250);
    expect(second.catalog.get('TEA')?.unitPrice).toBe(480);
    expect(await second.request('catalog/get', { sku: 'TEA' })).toEqual({
      ok: true,
      data: { total: 1, offset: 0, products: [{ ...tea, unitPrice: 480, tags: [] }] },
    });
    second.restart();
  });

  it('takes over a remote product the file lists, and releases what it no longer lists', async () => {
    const { dir, file } = setup();
    const before = gateway(dir, undefined);
    expect(
      await before.request('catalog/set', {
        products: [{ sku: 'COLA-033', name: 'Cola', unitPrice: 199, currency: 'EUR' }],
      }),
    ).toMatchObject({ ok: true });
    before.restart();
    // The file lists COLA-033 now: it is the file's, at the file's price.
    const listed = gateway(dir, file);
    expect(listed.catalog.get('COLA-033')?.unitPrice).toBe(250);
    expect(listed.catalog.fileOf('COLA-033')).toBe(file);
    listed.restart();
    // Taken out of the file (or the config has no catalogFile): kept, and editable remotely again.
    writeFileSync(file, 'sku,name,price,currency\nWATER,Water,1.80,EUR\n');
    const dropped = gateway(dir, file);
    expect(dropped.catalog.fileOf('COLA-033')).toBeUndefined();
    expect(
      await dropped.request('catalog/set', {
        products: [{ sku: 'COLA-033', name: 'Cola', unitPrice: 230, currency: 'EUR' }],
      }),
    ).toMatchObject({ ok: true, data: { updated: 1 } });
    dropped.restart();
    const without = gateway(dir, undefined);
    expect(without.catalog.fileOf('WATER')).toBeUndefined();
    expect(without.catalog.get('COLA-033')?.unitPrice).toBe(230);
    without.restart();
  });

  it('says which products changed hands: taken from remote management, or released to it', () => {
    const store = Store.open({ dataDir: ':memory:', clock: new VirtualClock(T0), logger: silentLogger() });
    const catalog = new Catalog(store);
    expect(catalog.importFile('a.csv', [COLA])).toMatchObject({ added: 1, taken: [], released: [] });
    catalog.upsert([tea]);
    expect(catalog.importFile('a.csv', [tea])).toMatchObject({
      unchanged: 1,
      taken: ['TEA'],
      released: ['COLA-033'],
    });
    store.close();
  });
});
