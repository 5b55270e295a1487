import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/kits/store/store.js';
import { decodeEpc } from '../../core/epc.js';
import { silentLogger } from '../../observability/logger.js';
import { VirtualClock } from '../../shared/clock.js';
import type { Product } from '../../shared/commerce.js';
import { Store } from '../../store/index.js';
import { Catalog, CatalogError } from './index.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
// The TDS example SGTIN-96: GTIN 80614141123458, serial 6789.
const SGTIN = '3074257BF7194E4000001A85';
const SGTIN_OTHER_SERIAL = '3074257BF7194E4000001A86';

const water: Product = {
  sku: 'W1',
  gtin: '80614141123458',
  name: 'Water, sparkling 0,5 l',
  unitPrice: 150,
  currency: 'EUR',
};
const tea: Product = { sku: 'T1', name: '烏龍茶', unitPrice: 450, currency: 'JPY', category: 'drinks' };
const sandwich: Product = {
  sku: 'S1',
  gtin: '04006381333931',
  name: 'Sandwich',
  unitPrice: 395,
  currency: 'EUR',
};

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function open(dir = tempDir('catalog-')) {
  const clock = new VirtualClock(T0);
  const store = Store.open({ dataDir: dir.path, clock, logger: silentLogger() });
  cleanups.push(() => {
    store.close();
    dir.dispose();
  });
  return { store, clock, catalog: new Catalog(store, { clock }), dir };
}

describe('Catalog', () => {
  it('stores products and reads them back by SKU and GTIN', () => {
    const { catalog } = open();
    expect(catalog.upsert([water, tea])).toEqual({
      added: 2,
      updated: 0,
      unchanged: 0,
      addedSkus: ['W1', 'T1'],
      updatedSkus: [],
    });
    expect(catalog.list()).toEqual([tea, water]);
    expect(catalog.get('W1')).toEqual(water);
    expect(catalog.getByGtin('80614141123458')).toEqual(water);
    expect(catalog.get('nope')).toBeUndefined();
  });

  it('normalises what API callers pass: a GTIN-13 to 14 digits, a lower-case currency', () => {
    const { catalog } = open();
    catalog.upsert(
      [{ ...sandwich, gtin: '4006381333931', currency: 'eur' }],
      [{ tag: 'e200ab*', sku: 'S1' }],
    );
    expect(catalog.get('S1')).toEqual(sandwich);
    expect(catalog.mappings()).toEqual([{ tag: 'E200AB*', sku: 'S1' }]);
  });

  it('finds a product by the SGTIN GTIN first, then an exact tag, then the longest prefix', () => {
    const { catalog } = open();
    const fallback: Product = { sku: 'F1', name: 'Anything E2', unitPrice: 100, currency: 'EUR' };
    catalog.upsert(
      [water, tea, sandwich, fallback],
      [
        { tag: SGTIN, sku: 'T1' }, // loses to the GTIN
        { tag: 'E2003412AABB', sku: 'S1' },
        { tag: 'E20034*', sku: 'T1' },
        { tag: 'E2*', sku: 'F1' },
      ],
    );
    expect(catalog.productForTag(SGTIN, decodeEpc(SGTIN))?.sku).toBe('W1');
    expect(catalog.productForTag(SGTIN)?.sku).toBe('W1'); // decoded here when the caller has no epc
    expect(catalog.productForTag(SGTIN_OTHER_SERIAL)?.sku).toBe('W1');
    expect(catalog.productForTag('E2003412AABB')?.sku).toBe('S1');
    expect(catalog.productForTag('e2003412aabb')?.sku).toBe('S1');
    expect(catalog.productForTag('E2003412AABC')?.sku).toBe('T1');
    expect(catalog.productForTag('E2FF')?.sku).toBe('F1');
    expect(catalog.productForTag('E3')).toBeUndefined();
    expect(catalog.productForTag('')).toBeUndefined();
    // A GTIN nobody sells falls through to the tag mappings.
    expect(catalog.productForTag('E20034', { gtin: '00000096385074' })?.sku).toBe('T1');
  });

  it('describes a tag as a TaggedItem', () => {
    const { catalog } = open();
    catalog.upsert([water, tea], [{ tag: '0102030405', sku: 'T1' }]);
    expect(catalog.itemFor(SGTIN, decodeEpc(SGTIN))).toEqual({
      tag: SGTIN,
      uri: 'urn:epc:id:sgtin:0614141.812345.6789',
      gtin: '80614141123458',
      sku: 'W1',
      name: 'Water, sparkling 0,5 l',
      unitPrice: 150,
      currency: 'EUR',
    });
    expect(catalog.itemFor('0102030405')).toEqual({
      tag: '0102030405',
      sku: 'T1',
      name: '烏龍茶',
      unitPrice: 450,
      currency: 'JPY',
    });
    expect(catalog.itemFor('FFFF')).toEqual({ tag: 'FFFF' });
  });

  it('counts added, updated and unchanged, and writing the same batch twice changes nothing', () => {
    const { catalog, store, clock } = open();
    catalog.upsert([water, tea], [{ tag: 'E2*', sku: 'T1' }]);
    const stamp = () => store.db.prepare('SELECT sku, updated_at FROM catalog_products ORDER BY sku').all();
    const before = stamp();
    clock.advanceTo(T0 + 60_000);
    expect(catalog.upsert([water, tea], [{ tag: 'E2*', sku: 'T1' }])).toMatchObject({
      added: 0,
      updated: 0,
      unchanged: 2,
    });
    expect(stamp()).toEqual(before);
    const result = catalog.upsert([{ ...water, unitPrice: 160 }, tea, sandwich], [{ tag: 'E2*', sku: 'T1' }]);
    expect(result).toMatchObject({
      added: 1,
      updated: 1,
      unchanged: 1,
      addedSkus: ['S1'],
      updatedSkus: ['W1'],
    });
    expect(stamp()).toContainEqual({ sku: 'W1', updated_at: '2026-11-22T10:01:00.000Z' });
  });

  it('replaces the tags of listed products, moves a tag to its new product, and leaves tags alone without mappings', () => {
    const { catalog } = open();
    catalog.upsert(
      [water, tea, sandwich],
      [
        { tag: 'AA*', sku: 'T1' },
        { tag: 'BB*', sku: 'T1' },
        { tag: 'CC*', sku: 'S1' },
      ],
    );
    expect(catalog.upsert([{ ...tea, name: 'Oolong' }])).toMatchObject({ updated: 1 });
    expect(catalog.tagsOf('T1')).toEqual(['AA*', 'BB*']);
    // T1 keeps AA* only; CC* moves from S1 (not in the batch) to T1: both are updated.
    expect(
      catalog.upsert(
        [tea],
        [
          { tag: 'AA*', sku: 'T1' },
          { tag: 'CC*', sku: 'T1' },
        ],
      ),
    ).toMatchObject({
      updated: 2,
      unchanged: 0,
      updatedSkus: ['S1', 'T1'],
    });
    expect(catalog.mappings()).toEqual([
      { tag: 'AA*', sku: 'T1' },
      { tag: 'CC*', sku: 'T1' },
    ]);
    // Mappings for a product outside the batch only add.
    expect(catalog.upsert([], [{ tag: 'DD*', sku: 'S1' }])).toMatchObject({
      updated: 1,
      updatedSkus: ['S1'],
    });
    expect(catalog.tagsOf('S1')).toEqual(['DD*']);
    expect(catalog.upsert([tea], [])).toMatchObject({ updated: 1 });
    expect(catalog.tagsOf('T1')).toEqual([]);
  });

  it('refuses conflicts and writes nothing: a GTIN of another SKU, duplicates, unknown SKUs, bad fields', () => {
    const { catalog } = open();
    catalog.upsert([water]);
    const attempt = (products: Product[], mappings?: Array<{ tag: string; sku: string }>) => {
      try {
        catalog.upsert(products, mappings);
      } catch (error) {
        expect(error).toBeInstanceOf(CatalogError);
        return (error as Error).message;
      }
      throw new Error('expected a CatalogError');
    };
    expect(attempt([{ ...sandwich, gtin: water.gtin }, tea])).toBe(
      'products[0].gtin: already the GTIN of SKU "W1" (got "80614141123458")',
    );
    expect(attempt([tea, { ...tea }])).toBe('products[1].sku: duplicate of products[0] (got "T1")');
    expect(attempt([tea], [{ tag: 'AA*', sku: 'X9' }])).toBe(
      'mappings[0].sku: no product has this SKU (got "X9")',
    );
    expect(attempt([{ ...tea, unitPrice: 4.5, currency: 'XYZ' }])).toBe(
      'products[0].currency: not a current ISO 4217 currency code (got "XYZ"); ' +
        'products[0].unitPrice: expected a non-negative integer of minor units (450 = 4.50 EUR) (got 4.5)',
    );
    expect(catalog.list()).toEqual([water]);
    // Swapping two GTINs in one batch is not a conflict.
    catalog.upsert([sandwich]);
    catalog.upsert([
      { ...water, gtin: sandwich.gtin },
      { ...sandwich, gtin: water.gtin },
    ]);
    expect(catalog.getByGtin(water.gtin as string)?.sku).toBe('S1');
  });

  it('removes products with their tags', () => {
    const { catalog } = open();
    catalog.upsert([water, tea], [{ tag: 'AA*', sku: 'T1' }]);
    expect(catalog.productForTag('AA01')?.sku).toBe('T1');
    expect(catalog.remove(['T1', 'nope'])).toEqual({ removed: ['T1'], missing: ['nope'] });
    expect(catalog.productForTag('AA01')).toBeUndefined();
    expect(catalog.mappings()).toEqual([]);
    expect(catalog.list()).toEqual([water]);
  });

  it('sees what another connection (the import command) committed, and keeps it after a restart', () => {
    const dir = tempDir('catalog-');
    const { catalog } = open(dir);
    expect(catalog.productForTag('AA01')).toBeUndefined();
    const other = open({ path: dir.path, dispose: () => {} });
    other.catalog.upsert([tea], [{ tag: 'AA*', sku: 'T1' }]);
    expect(catalog.productForTag('AA01')?.sku).toBe('T1');
    other.store.close();
    const reopened = open({ path: dir.path, dispose: () => {} });
    expect(reopened.catalog.list()).toEqual([tea]);
  });

  it('never throws from a lookup, even on a closed store', () => {
    const { catalog, store } = open();
    catalog.upsert([water]);
    store.close();
    expect(catalog.productForTag(SGTIN)).toBeUndefined();
    expect(catalog.itemFor(SGTIN).sku).toBeUndefined();
  });
});
