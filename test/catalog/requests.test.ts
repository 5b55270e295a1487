import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { catalogFeature } from '../kits/domain/catalog-feature.js';

const stores: Store[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function setup() {
  const feature = catalogFeature();
  stores.push(feature.store);
  return feature;
}

const water = { sku: 'W1', gtin: '80614141123458', name: 'Water', unitPrice: 150, currency: 'EUR' };
const tea = { sku: 'T1', name: '烏龍茶', unitPrice: 450, currency: 'JPY', category: 'drinks' };

describe('catalog extension', () => {
  it('registers catalog/get and catalog/set as the catalog, and exposes the Catalog', () => {
    const { requests, extension } = setup();
    expect(requests.get('catalog/set')).toMatchObject({ owner: 'catalog', changesState: true });
    expect(requests.get('catalog/get')).toMatchObject({ owner: 'catalog', changesState: false });
    extension.stop();
    expect(requests.names()).toEqual([]);
  });

  it('sets products and mappings, then answers them by SKU, GTIN and page', async () => {
    const { request } = setup();
    const set = await request('catalog/set', {
      products: [water, { ...tea, gtin: undefined }],
      mappings: [{ tag: 'e20034*', sku: 'T1' }],
    });
    expect(set).toEqual({ ok: true, data: { added: 2, updated: 0, unchanged: 0, removed: [], missing: [] } });
    expect(await request('catalog/get', { gtin: '0614141123458' })).toMatchObject({ ok: false });
    expect(await request('catalog/get', { gtin: '80614141123458' })).toEqual({
      ok: true,
      data: { total: 1, offset: 0, products: [{ ...water, tags: [] }] },
    });
    expect(await request('catalog/get', { sku: 'T1' })).toEqual({
      ok: true,
      data: { total: 1, offset: 0, products: [{ ...tea, tags: ['E20034*'] }] },
    });
    expect(await request('catalog/get', { limit: 1, offset: 1 })).toEqual({
      ok: true,
      data: { total: 2, offset: 1, products: [{ ...water, tags: [] }] },
    });
    expect(await request('catalog/get', { sku: 'nope' })).toEqual({
      ok: false,
      error: 'sku: no product has this SKU (got "nope")',
    });
  });

  it('names the path and the value of every bad entry, and writes nothing', async () => {
    const { request, extension } = setup();
    const result = await request('catalog/set', {
      products: [
        water,
        { sku: 'X1', name: 'Bad', price: '4.50', currency: 'EUR' },
        { ...tea, gtin: '4006381333932', unitPrice: 4.5 },
      ],
      mappings: [{ tag: 'XYZ', sku: 'W1' }],
      remove: [7],
    });
    expect(result).toEqual({
      ok: false,
      error: [
        'products[1].price: unknown field; prices are integer minor units in unitPrice (got "4.50")',
        'products[1].unitPrice: expected a non-negative integer of minor units (450 = 4.50 EUR) (got nothing)',
        'products[2].gtin: wrong check digit: 2, expected 1 (got "4006381333932")',
        'products[2].unitPrice: expected a non-negative integer of minor units (450 = 4.50 EUR) (got 4.5)',
        'mappings[0].tag: expected hex digits, or a hex prefix ending in * (got "XYZ")',
        'remove[0]: expected a SKU (got 7)',
      ].join('; '),
    });
    expect((extension as unknown as { catalog: { list(): unknown[] } }).catalog.list()).toEqual([]);
    expect(await request('catalog/set', { products: [water, { ...tea, sku: 'W1' }] })).toEqual({
      ok: false,
      error: 'products[1].sku: duplicate of products[0] (got "W1")',
    });
    expect(await request('catalog/set', {})).toEqual({
      ok: false,
      error: '(root): give products, mappings or remove',
    });
    expect(await request('catalog/set', { products: [], extra: 1 })).toMatchObject({ ok: false });
  });

  it('removes and re-adds in one transaction: a removed GTIN can be reused at once, a failure undoes the removal', async () => {
    const { request } = setup();
    await request('catalog/set', { products: [water, tea] });
    const moved = { ...tea, sku: 'T2', gtin: water.gtin };
    expect(await request('catalog/set', { remove: ['W1', 'gone'], products: [moved] })).toEqual({
      ok: true,
      data: { added: 1, updated: 0, unchanged: 0, removed: ['W1'], missing: ['gone'] },
    });
    const failing = await request('catalog/set', {
      remove: ['T1'],
      products: [{ ...tea, sku: 'T3', gtin: water.gtin }],
    });
    expect(failing).toEqual({
      ok: false,
      error: 'products[0].gtin: already the GTIN of SKU "T2" (got "80614141123458")',
    });
    expect(await request('catalog/get', { sku: 'T1' })).toMatchObject({ ok: true });
  });
});

describe('catalog extension: the configured catalog file', () => {
  it('imports it at start-up, and refuses to start on a bad file, naming its lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rfid-catalog-file-'));
    const good = join(dir, 'good.csv');
    const bad = join(dir, 'bad.csv');
    writeFileSync(good, 'sku,name,price,currency\nCOLA,Cola,2.50,EUR\n');
    writeFileSync(bad, 'sku,name,price,currency\nCOLA,Cola,2.505,EUR\n');
    const featureFor = (catalogFile: string) => {
      const feature = catalogFeature({ catalogFile });
      stores.push(feature.store);
      return feature.extension;
    };
    const goodCatalog = featureFor(good);
    goodCatalog.start();
    expect(goodCatalog.catalog.get('COLA')).toMatchObject({ unitPrice: 250, currency: 'EUR' });
    expect(() => featureFor(bad).start()).toThrow(`${bad}:2: price`);
    rmSync(dir, { recursive: true, force: true });
  });
});
