import type Database from 'better-sqlite3';
import type { Product } from '../../shared/commerce.js';
import { type CatalogConflict, validateBatch } from './batch.js';
import type { TagMapping } from './fields.js';
import { ownershipConflicts } from './file-owner.js';

export interface UpsertResult {
  added: number;
  updated: number;
  unchanged: number;
  addedSkus: string[];
  /** Includes SKUs outside the batch whose tags moved to another product. */
  updatedSkus: string[];
}

export interface CatalogPlan extends UpsertResult {
  conflicts: CatalogConflict[];
}

/** Who writes: a remote change (a request, the `catalog` command) or the config's catalog file. */
export type Writer = 'remote' | 'file';

export interface FileImportResult extends UpsertResult {
  /** Products that were managed remotely and are the file's now. */
  taken: string[];
  /** Products of the file that it no longer lists: managed remotely from now on. */
  released: string[];
}

/** The catalog as lookups need it, rebuilt from the store when it changed. */
export interface CatalogState {
  bySku: Map<string, Product>;
  byGtin: Map<string, Product>;
  /** Exact identifiers and prefixes (without the `*`), each to its product. */
  exact: Map<string, Product>;
  prefixes: Map<string, Product>;
  /** Distinct prefix lengths, longest first: a lookup tries each once. */
  prefixLengths: number[];
  tagsBySku: Map<string, string[]>;
  tagOwner: Map<string, string>;
  /** SKU → the catalog file that owns the product. */
  fileOwner: Map<string, string>;
}

interface ProductRow {
  sku: string;
  gtin: string | null;
  name: string;
  unit_price: number;
  currency: string;
  category: string | null;
  unit_weight_g: number | null;
  weight_tolerance_g: number | null;
  min_stock: number | null;
  from_file: string | null;
}

/** What writing the batch would do against `state`, or the conflicts that stop it. */
export function planBatch(
  state: CatalogState,
  products: readonly Product[],
  mappings: readonly TagMapping[] | undefined,
  by: Writer,
): CatalogPlan {
  const conflicts = validateBatch(products, mappings ?? []);
  const empty = { added: 0, updated: 0, unchanged: 0, addedSkus: [], updatedSkus: [] };
  if (conflicts.length > 0) return { ...empty, conflicts };
  const batch = new Map(products.map((product) => [product.sku, product]));
  products.forEach((product, index) => {
    const owner = product.gtin === undefined ? undefined : state.byGtin.get(product.gtin)?.sku;
    if (owner !== undefined && owner !== product.sku && !batch.has(owner)) {
      conflicts.push({
        kind: 'product',
        index,
        field: 'gtin',
        value: product.gtin,
        message: `already the GTIN of SKU ${JSON.stringify(owner)}`,
      });
    }
  });
  (mappings ?? []).forEach((mapping, index) => {
    if (!batch.has(mapping.sku) && !state.bySku.has(mapping.sku)) {
      conflicts.push({
        kind: 'mapping',
        index,
        field: 'sku',
        value: mapping.sku,
        message: 'no product has this SKU',
      });
    }
  });
  if (conflicts.length > 0) return { ...empty, conflicts };

  const addedSkus: string[] = [];
  const updated = new Set<string>();
  for (const product of products) {
    const old = state.bySku.get(product.sku);
    if (old === undefined) addedSkus.push(product.sku);
    else if (!sameProduct(old, product)) updated.add(product.sku);
  }
  if (mappings !== undefined) {
    const wanted = new Map<string, string[]>();
    for (const { tag, sku } of mappings) wanted.set(sku, [...(wanted.get(sku) ?? []), tag]);
    // Listed products get exactly the tags given; other SKUs named by a mapping only gain tags.
    for (const product of products) {
      const before = state.tagsBySku.get(product.sku) ?? [];
      const after = [...(wanted.get(product.sku) ?? [])].sort();
      if (state.bySku.has(product.sku) && before.join(';') !== after.join(';')) updated.add(product.sku);
    }
    for (const { tag, sku } of mappings) {
      const owner = state.tagOwner.get(tag);
      if (owner === sku) continue;
      if (!batch.has(sku)) updated.add(sku);
      if (owner !== undefined) updated.add(owner);
    }
  }
  if (by === 'remote') {
    // What the batch would change of the file's products; the same values again change nothing.
    const refused = ownershipConflicts(state.fileOwner, state.tagOwner, updated, products, mappings);
    if (refused.length > 0) return { ...empty, conflicts: refused };
  }
  const updatedInBatch = products.filter((product) => updated.has(product.sku)).length;
  return {
    added: addedSkus.length,
    updated: updated.size,
    unchanged: products.length - addedSkus.length - updatedInBatch,
    addedSkus,
    updatedSkus: [...updated].sort(),
    conflicts,
  };
}

export function loadCatalogState(db: Database.Database): CatalogState {
  const rows = db
    .prepare(
      `SELECT sku, gtin, name, unit_price, currency, category, unit_weight_g, weight_tolerance_g, min_stock,
         from_file
       FROM catalog_products ORDER BY sku`,
    )
    .all() as ProductRow[];
  const state: CatalogState = {
    bySku: new Map(),
    byGtin: new Map(),
    exact: new Map(),
    prefixes: new Map(),
    prefixLengths: [],
    tagsBySku: new Map(),
    tagOwner: new Map(),
    fileOwner: new Map(),
  };
  for (const row of rows) {
    const product = Object.freeze(fromRow(row));
    state.bySku.set(product.sku, product);
    if (row.from_file !== null) state.fileOwner.set(product.sku, row.from_file);
    if (product.gtin !== undefined) state.byGtin.set(product.gtin, product);
  }
  const tags = db.prepare('SELECT tag, sku FROM catalog_tags ORDER BY sku, tag').all() as TagMapping[];
  const lengths = new Set<number>();
  for (const { tag, sku } of tags) {
    state.tagOwner.set(tag, sku);
    state.tagsBySku.set(sku, [...(state.tagsBySku.get(sku) ?? []), tag]);
    const product = state.bySku.get(sku);
    if (product === undefined) continue;
    if (tag.endsWith('*')) {
      state.prefixes.set(tag.slice(0, -1), product);
      lengths.add(tag.length - 1);
    } else state.exact.set(tag, product);
  }
  state.prefixLengths = [...lengths].sort((a, b) => b - a);
  return state;
}

function fromRow(row: ProductRow): Product {
  return {
    sku: row.sku,
    ...(row.gtin === null ? {} : { gtin: row.gtin }),
    name: row.name,
    unitPrice: row.unit_price,
    currency: row.currency,
    ...(row.category === null ? {} : { category: row.category }),
    ...(row.unit_weight_g === null ? {} : { unitWeightG: row.unit_weight_g }),
    ...(row.weight_tolerance_g === null ? {} : { weightToleranceG: row.weight_tolerance_g }),
    ...(row.min_stock === null ? {} : { minStock: row.min_stock }),
  };
}

function sameProduct(a: Product, b: Product): boolean {
  return (
    a.name === b.name &&
    a.gtin === b.gtin &&
    a.unitPrice === b.unitPrice &&
    a.currency === b.currency &&
    a.category === b.category &&
    a.unitWeightG === b.unitWeightG &&
    a.weightToleranceG === b.weightToleranceG &&
    a.minStock === b.minStock
  );
}
