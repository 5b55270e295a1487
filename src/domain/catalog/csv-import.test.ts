import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/kits/store/store.js';
import { silentLogger } from '../../observability/logger.js';
import { VirtualClock } from '../../shared/clock.js';
import { Store } from '../../store/index.js';
import { Catalog, exportCatalogCsv, importCatalogCsv, readCatalogCsv } from './index.js';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../../test/fixtures/catalog/${name}`, import.meta.url)), 'utf8');

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function openCatalog() {
  const dir = tempDir('catalog-import-');
  const store = Store.open({ dataDir: dir.path, clock: new VirtualClock(0), logger: silentLogger() });
  cleanups.push(() => {
    store.close();
    dir.dispose();
  });
  return { store, catalog: new Catalog(store) };
}

describe('catalog CSV import', () => {
  it('reads quoting, a BOM, CRLF, trailing blank lines, any column order and non-ASCII names', () => {
    const read = readCatalogCsv(fixture('products.csv'), 'products.csv');
    expect(read.ok && read.catalog).toEqual({
      products: [
        {
          sku: 'W1',
          gtin: '80614141123458',
          name: 'Water, sparkling 0,5 l',
          unitPrice: 150,
          currency: 'EUR',
          category: 'drinks',
        },
        { sku: 'T1', name: '烏龍茶', unitPrice: 450, currency: 'JPY', category: 'drinks' },
        {
          sku: 'S1',
          gtin: '04006381333931',
          name: 'Sandwich "Club"',
          unitPrice: 395,
          currency: 'EUR',
          category: 'food',
        },
        { sku: 'D1', gtin: '00036000291452', name: 'Dates 250 g', unitPrice: 125, currency: 'BHD' },
      ],
      mappings: [
        { tag: 'E2003412AABB', sku: 'T1' },
        { tag: 'E20035*', sku: 'T1' },
        { tag: '300833B2DDD9*', sku: 'D1' },
      ],
      minStockColumn: false,
      productLines: [2, 3, 4, 5],
      mappingLines: [3, 3, 5],
    });
  });

  it('reports every bad line as FILE:LINE: field: problem (got "value"), duplicates naming both lines', () => {
    const read = readCatalogCsv(fixture('bad.csv'), 'bad.csv');
    expect(read.ok).toBe(false);
    expect(read.ok ? [] : read.problems).toEqual([
      'bad.csv:2: price: EUR has 2 decimal places, this has 3 (got "1.505")',
      'bad.csv:3: price: JPY has no minor unit: expected a whole number (got "4.50")',
      'bad.csv:4: gtin: wrong check digit: 2, expected 1 (got "4006381333932")',
      'bad.csv:4: sku: duplicate of line 2 (got "W1")',
      'bad.csv:5: currency: expected a three-letter ISO 4217 code like EUR (got "EURO")',
      'bad.csv:5: tags: expected hex digits before the * (got "XYZ*")',
      'bad.csv:7: tags: duplicate of line 6 (got "E2003412AABB")',
      'bad.csv:7: gtin: duplicate of line 2 (got "80614141123458")',
      'bad.csv:8: row: has 4 fields, the header has 7',
      'bad.csv:9: sku: must not be empty (got "")',
    ]);
    // The same problems as data, for a program to show (the console's import table).
    expect(read.ok ? [] : read.located).toEqual([
      { line: 2, field: 'price', message: 'EUR has 2 decimal places, this has 3', value: '1.505' },
      { line: 3, field: 'price', message: 'JPY has no minor unit: expected a whole number', value: '4.50' },
      { line: 4, field: 'gtin', message: 'wrong check digit: 2, expected 1', value: '4006381333932' },
      { line: 4, field: 'sku', message: 'duplicate of line 2', value: 'W1' },
      {
        line: 5,
        field: 'currency',
        message: 'expected a three-letter ISO 4217 code like EUR',
        value: 'EURO',
      },
      { line: 5, field: 'tags', message: 'expected hex digits before the *', value: 'XYZ*' },
      { line: 7, field: 'tags', message: 'duplicate of line 6', value: 'E2003412AABB' },
      { line: 7, field: 'gtin', message: 'duplicate of line 2', value: '80614141123458' },
      { line: 8, field: 'row', message: 'has 4 fields, the header has 7' },
      { line: 9, field: 'sku', message: 'must not be empty', value: '' },
    ]);
  });

  it('reports header problems: unknown, repeated and missing columns, an empty file', () => {
    const problems = (text: string) => {
      const read = readCatalogCsv(text, 'f.csv');
      return read.ok ? [] : read.problems;
    };
    expect(problems('sku,name,prise,currency,name\n')).toEqual([
      'f.csv:1: header: unknown column (columns: sku, gtin, name, price, currency, category, tags, unit_weight_g, weight_tolerance_g, min_stock) (got "prise")',
      'f.csv:1: header: column appears twice (got "name")',
      'f.csv:1: header: missing column "price"',
    ]);
    expect(problems('\uFEFF\r\n\r\n')).toEqual([
      'f.csv:1: header: the file has no header row; expected one like sku,gtin,name,price,currency,category,tags,unit_weight_g,weight_tolerance_g,min_stock',
    ]);
    expect(problems('sku,name,price,currency\n"A1,Tea,1.00,EUR\n')).toEqual([
      'f.csv:2: csv: unterminated quoted field (opened at column 1; close it with ")',
    ]);
  });

  it('writes all of a valid file in one go, and nothing of an invalid one', () => {
    const { catalog } = openCatalog();
    const bad = importCatalogCsv(catalog, fixture('bad.csv'), 'bad.csv');
    expect(bad.ok).toBe(false);
    expect(catalog.list()).toEqual([]);
    const good = importCatalogCsv(catalog, fixture('products.csv'), 'products.csv');
    expect(good).toMatchObject({ ok: true, result: { added: 4, updated: 0, unchanged: 0 } });
    expect(catalog.productForTag('E2003599')?.name).toBe('烏龍茶');
    // Valid on its own, but its GTIN is W1's in the store: refused at its line, nothing written.
    const clash = 'sku,name,price,currency,gtin\nN1,New,1.00,EUR,\nN2,Clash,2.00,EUR,80614141123458\n';
    expect(importCatalogCsv(catalog, clash, 'clash.csv')).toEqual({
      ok: false,
      problems: ['clash.csv:3: gtin: already the GTIN of SKU "W1" (got "80614141123458")'],
      located: [{ line: 3, field: 'gtin', message: 'already the GTIN of SKU "W1"', value: '80614141123458' }],
    });
    expect(catalog.get('N1')).toBeUndefined();
  });

  it('changes nothing when the same file is imported twice', () => {
    const { catalog, store } = openCatalog();
    importCatalogCsv(catalog, fixture('products.csv'), 'products.csv');
    const snapshot = () => store.db.prepare('SELECT * FROM catalog_products ORDER BY sku').all();
    const before = snapshot();
    expect(importCatalogCsv(catalog, fixture('products.csv'), 'products.csv')).toMatchObject({
      ok: true,
      result: { added: 0, updated: 0, unchanged: 4 },
    });
    expect(snapshot()).toEqual(before);
  });

  it('dry-run reports what would change and writes nothing', () => {
    const { catalog } = openCatalog();
    importCatalogCsv(catalog, fixture('products.csv'), 'products.csv');
    const edited = fixture('products.csv').replace('1.50,EUR', '1.60,EUR').replace('E20035*', 'E20036*');
    const text = `${edited}X1,Extra,1.00,USD,,,\r\n`;
    expect(importCatalogCsv(catalog, text, 'edited.csv', { dryRun: true })).toEqual({
      ok: true,
      result: { added: 1, updated: 2, unchanged: 2, addedSkus: ['X1'], updatedSkus: ['T1', 'W1'] },
    });
    expect(catalog.get('W1')?.unitPrice).toBe(150);
    expect(catalog.get('X1')).toBeUndefined();
    expect(catalog.tagsOf('T1')).toEqual(['E2003412AABB', 'E20035*']);
  });

  it('leaves tags alone when the file has no tags column', () => {
    const { catalog } = openCatalog();
    importCatalogCsv(catalog, fixture('products.csv'), 'products.csv');
    const noTags = 'sku,name,price,currency,category\nT1,烏龍茶,450,JPY,drinks\n';
    expect(importCatalogCsv(catalog, noTags, 'no-tags.csv')).toMatchObject({
      ok: true,
      result: { unchanged: 1 },
    });
    expect(catalog.tagsOf('T1')).toEqual(['E2003412AABB', 'E20035*']);
  });

  it('exports CSV that imports back unchanged', () => {
    const { catalog } = openCatalog();
    importCatalogCsv(catalog, fixture('products.csv'), 'products.csv');
    const csv = exportCatalogCsv(catalog);
    expect(csv).toBe(
      [
        'sku,gtin,name,price,currency,category,tags,unit_weight_g,weight_tolerance_g,min_stock',
        'D1,00036000291452,Dates 250 g,0.125,BHD,,300833B2DDD9*,,,',
        'S1,04006381333931,"Sandwich ""Club""",3.95,EUR,food,,,,',
        'T1,,烏龍茶,450,JPY,drinks,E2003412AABB;E20035*,,,',
        'W1,80614141123458,"Water, sparkling 0,5 l",1.50,EUR,drinks,,,,',
        '',
      ].join('\n'),
    );
    expect(importCatalogCsv(catalog, csv, 'export.csv')).toMatchObject({
      ok: true,
      result: { unchanged: 4 },
    });
    const { catalog: fresh } = openCatalog();
    importCatalogCsv(fresh, csv, 'export.csv');
    expect(fresh.list()).toEqual(catalog.list());
    expect(fresh.mappings()).toEqual(catalog.mappings());
  });
  it('reads unit weights and tolerances in grams, and exports them back', () => {
    const { catalog } = openCatalog();
    const csv = [
      'sku,name,price,currency,unit_weight_g,weight_tolerance_g,tags',
      'COLA-033,Cola 0.33 l,2.50,EUR,350,6,E20034*',
      'CHIPS,Crisps,1.80,EUR,175.5,0,',
      'GUM,Gum,0.90,EUR,12.5,,',
      'TEA,Tea,4.50,EUR,,,',
      '',
    ].join('\n');
    expect(importCatalogCsv(catalog, csv, 'weights.csv')).toMatchObject({ ok: true, result: { added: 4 } });
    expect(catalog.get('COLA-033')).toMatchObject({ unitWeightG: 350, weightToleranceG: 6 });
    expect(catalog.get('CHIPS')).toMatchObject({ unitWeightG: 175.5, weightToleranceG: 0 });
    expect(catalog.get('GUM')).toEqual({
      sku: 'GUM',
      name: 'Gum',
      unitPrice: 90,
      currency: 'EUR',
      unitWeightG: 12.5,
    });
    expect(catalog.get('TEA')).toEqual({ sku: 'TEA', name: 'Tea', unitPrice: 450, currency: 'EUR' });
    const exported = exportCatalogCsv(catalog);
    expect(exported.split('\n').slice(1, 3)).toEqual([
      'CHIPS,,Crisps,1.80,EUR,,,175.5,0,',
      'COLA-033,,Cola 0.33 l,2.50,EUR,,E20034*,350,6,',
    ]);
    expect(importCatalogCsv(catalog, exported, 'export.csv')).toMatchObject({
      ok: true,
      result: { unchanged: 4 },
    });
    // A weight changed is an update, a weight taken away too.
    const lighter = csv.replace('175.5,0', '170,0').replace('12.5,,', ',,');
    expect(importCatalogCsv(catalog, lighter, 'weights.csv')).toMatchObject({
      ok: true,
      result: { updated: 2, updatedSkus: ['CHIPS', 'GUM'] },
    });
    expect(catalog.get('GUM')?.unitWeightG).toBeUndefined();
  });

  it('reads low-stock thresholds in whole units, exports them back, and names each bad one', () => {
    const { catalog } = openCatalog();
    const csv = [
      'sku,name,price,currency,min_stock',
      'COLA,Cola,2.50,EUR,6',
      'WATER,Water,1.80,EUR,0',
      'TEA,Tea,4.50,EUR,',
      '',
    ].join('\n');
    expect(importCatalogCsv(catalog, csv, 'stock.csv')).toMatchObject({ ok: true, result: { added: 3 } });
    expect(catalog.get('COLA')?.minStock).toBe(6);
    expect(catalog.get('WATER')?.minStock).toBe(0);
    expect(catalog.get('TEA')).toEqual({ sku: 'TEA', name: 'Tea', unitPrice: 450, currency: 'EUR' });
    const exported = exportCatalogCsv(catalog);
    expect(exported.split('\n').slice(1, 4)).toEqual([
      'COLA,,Cola,2.50,EUR,,,,,6',
      'TEA,,Tea,4.50,EUR,,,,,',
      'WATER,,Water,1.80,EUR,,,,,0',
    ]);
    expect(importCatalogCsv(catalog, exported, 'export.csv')).toMatchObject({
      ok: true,
      result: { unchanged: 3 },
    });
    // A threshold changed is an update.
    expect(importCatalogCsv(catalog, csv.replace('EUR,6', 'EUR,8'), 'stock.csv')).toMatchObject({
      ok: true,
      result: { updated: 1, updatedSkus: ['COLA'] },
    });
    // A file without the column (an ERP export, a file from before it existed) keeps them; an
    // empty cell in the column clears one.
    const without = ['sku,name,price,currency', 'COLA,Cola,2.50,EUR', 'WATER,Water,1.90,EUR', ''].join('\n');
    expect(importCatalogCsv(catalog, without, 'erp.csv')).toMatchObject({
      ok: true,
      result: { unchanged: 1, updated: 1, updatedSkus: ['WATER'] },
    });
    expect([catalog.get('COLA')?.minStock, catalog.get('WATER')?.minStock]).toEqual([8, 0]);
    const cleared = ['sku,name,price,currency,min_stock', 'COLA,Cola,2.50,EUR,', ''].join('\n');
    expect(importCatalogCsv(catalog, cleared, 'stock.csv')).toMatchObject({
      ok: true,
      result: { updated: 1 },
    });
    expect(catalog.get('COLA')?.minStock).toBeUndefined();
    const read = readCatalogCsv(
      [
        'sku,name,price,currency,min_stock',
        'A1,Cola,2.50,EUR,-1',
        'A2,Cola,2.50,EUR,2.5',
        'A3,Cola,2.50,EUR,100001',
        'A4,Cola,2.50,EUR,six',
        '',
      ].join('\n'),
      'stock.csv',
    );
    expect(read.ok ? [] : read.located).toEqual([
      { line: 2, field: 'min_stock', message: 'must be a whole number of units, 0 or more', value: '-1' },
      { line: 3, field: 'min_stock', message: 'must be a whole number of units, 0 or more', value: '2.5' },
      { line: 4, field: 'min_stock', message: 'at most 100000', value: '100001' },
      { line: 5, field: 'min_stock', message: 'must be a whole number of units, 0 or more', value: 'six' },
    ]);
  });

  it('names each bad weight by line and column, with its value, and a tolerance without a weight', () => {
    const read = readCatalogCsv(
      [
        'sku,name,price,currency,unit_weight_g,weight_tolerance_g',
        'A1,Cola,2.50,EUR,350,6',
        'A2,Cola,2.50,EUR,0,',
        'A3,Cola,2.50,EUR,-350,',
        'A4,Cola,2.50,EUR,350.25,',
        'A5,Cola,2.50,EUR,100000.1,',
        'A6,Cola,2.50,EUR,350,10001',
        'A7,Cola,2.50,EUR,"12,5","1,5"',
        'A8,Cola,2.50,EUR,,6',
        'A9,Cola,2.50,EUR,350 g,-1',
        '',
      ].join('\n'),
      'catalog.csv',
    );
    expect(read.ok ? [] : read.problems).toEqual([
      'catalog.csv:3: unit_weight_g: must be a positive number of grams (got "0")',
      'catalog.csv:4: unit_weight_g: must be a positive number of grams (got "-350")',
      'catalog.csv:5: unit_weight_g: at most one decimal (0.1 g) (got "350.25")',
      'catalog.csv:6: unit_weight_g: at most 100000 g (got "100000.1")',
      'catalog.csv:7: weight_tolerance_g: at most 10000 g (got "10001")',
      'catalog.csv:8: unit_weight_g: must be a positive number of grams; write decimals with a point (12.5) (got "12,5")',
      'catalog.csv:8: weight_tolerance_g: must be a number of grams, 0 or more; write decimals with a point (12.5) (got "1,5")',
      'catalog.csv:9: weight_tolerance_g: needs a unit weight (unit_weight_g) (got "6")',
      'catalog.csv:10: unit_weight_g: must be a positive number of grams (got "350 g")',
      'catalog.csv:10: weight_tolerance_g: must be a number of grams, 0 or more (got "-1")',
    ]);
  });
});
