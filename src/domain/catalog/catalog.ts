import { EpcCache } from '../../core/epc.js';
import type { Logger } from '../../observability/logger.js';
import { type Clock, systemClock } from '../../shared/clock.js';
import type { Product, TaggedItem } from '../../shared/commerce.js';
import type { EpcInfo } from '../../shared/events.js';
import type { Store } from '../../store/index.js';
import { CatalogError, normaliseMapping, normaliseProduct } from './batch.js';
import type { TagMapping } from './fields.js';
import { claimForFile, removalConflicts } from './file-owner.js';
import {
  type CatalogPlan,
  type CatalogState,
  type FileImportResult,
  loadCatalogState,
  planBatch,
  type UpsertResult,
  type Writer,
} from './state.js';

export type { CatalogPlan, FileImportResult, UpsertResult } from './state.js';

/** Component `catalog` of the store. A released step is never edited; a change is a new step. */
export const CATALOG_MIGRATIONS: readonly string[] = [
  `
  -- Prefixed names: one database holds every extension's tables.
  CREATE TABLE catalog_products (
    sku TEXT PRIMARY KEY,
    gtin TEXT UNIQUE CHECK (gtin IS NULL OR (length(gtin) = 14 AND gtin NOT GLOB '*[^0-9]*')),
    name TEXT NOT NULL,
    unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    category TEXT,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  -- tag: upper-case hex of an exact identifier, or a prefix ending in '*'.
  CREATE TABLE catalog_tags (tag TEXT PRIMARY KEY, sku TEXT NOT NULL) WITHOUT ROWID;
  CREATE INDEX catalog_tags_by_sku ON catalog_tags (sku);
  `,
  `
  -- The config's catalogFile (its path) for the products it lists: they are the file's, and remote
  -- changes to them are refused instead of being undone at the next start. NULL: managed remotely.
  ALTER TABLE catalog_products ADD COLUMN from_file TEXT;
  `,
  `
  -- Grams, to 0.1 g, for weighing shelves; NULL: not given. A tolerance only with a weight.
  ALTER TABLE catalog_products ADD COLUMN unit_weight_g REAL
    CHECK (unit_weight_g IS NULL OR (unit_weight_g > 0 AND unit_weight_g <= 100000));
  ALTER TABLE catalog_products ADD COLUMN weight_tolerance_g REAL
    CHECK (weight_tolerance_g IS NULL OR (weight_tolerance_g >= 0 AND weight_tolerance_g <= 10000
      AND unit_weight_g IS NOT NULL));
  `,
  `
  -- Units on hand below which the product is low on stock; NULL: not watched.
  ALTER TABLE catalog_products ADD COLUMN min_stock INTEGER
    CHECK (min_stock IS NULL OR (min_stock >= 0 AND min_stock <= 100000));
  `,
];

export interface CatalogOptions {
  /** For `updated_at`; the gateway's clock, so that a replay writes virtual time. */
  clock?: Clock;
  /** Told (once) when a lookup fails, since lookups return undefined rather than throw. */
  logger?: Logger;
}

/**
 * The products the store sells and how tags map to them: an SGTIN tag by its GTIN, any other tag by
 * an exact identifier or a hex prefix. Lookups run on every tag arrival, so they are answered from
 * Maps, reloaded after this catalog writes or when another connection (the `catalog import` command)
 * has committed, which SQLite's `data_version` tells cheaply.
 */
export class Catalog {
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private readonly epcCache = new EpcCache({ limit: 10_000 });
  private readonly dataVersion: () => number;
  private state: CatalogState | undefined;
  private stateVersion = -1;
  private lookupFailed = false;

  constructor(
    private readonly store: Store,
    options: CatalogOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    store.migrate('catalog', CATALOG_MIGRATIONS);
    const statement = store.db.prepare('PRAGMA data_version').pluck();
    this.dataVersion = () => statement.get() as number;
  }

  /**
   * The product a tag is: by the SGTIN's GTIN first, else an exact-identifier mapping, else the longest
   * matching prefix. `epc` is the tag's decoding when the caller has it; without it the tag is decoded
   * here. Never throws: a failing database means "unknown product", and is logged once.
   */
  productForTag(tag: string, epc?: { gtin?: string | undefined }): Product | undefined {
    try {
      const state = this.current();
      this.lookupFailed = false;
      const gtin = (epc ?? this.epcCache.get(tag))?.gtin;
      if (gtin !== undefined) {
        const product = state.byGtin.get(gtin);
        if (product) return product;
      }
      const hex = tag.toUpperCase();
      const exact = state.exact.get(hex);
      if (exact) return exact;
      for (const length of state.prefixLengths) {
        if (length > hex.length) continue;
        const product = state.prefixes.get(hex.slice(0, length));
        if (product) return product;
      }
      return undefined;
    } catch (error) {
      if (!this.lookupFailed)
        this.logger?.error({ err: error, tag }, 'catalog: lookup failed; tag has no product');
      this.lookupFailed = true;
      return undefined;
    }
  }

  /** A tag as purchases and inventory report it: what it is and, when known, what it costs. */
  itemFor(tag: string, epc?: EpcInfo): TaggedItem {
    const decoded = epc ?? this.epcCache.get(tag);
    const product = this.productForTag(tag, decoded ?? {});
    const item: TaggedItem = { tag };
    if (decoded?.uri !== undefined) item.uri = decoded.uri;
    // The tag's own GTIN when it has one: a prefix mapping may be coarser than the item.
    const gtin = decoded?.gtin ?? product?.gtin;
    if (gtin !== undefined) item.gtin = gtin;
    if (product) {
      item.sku = product.sku;
      item.name = product.name;
      item.unitPrice = product.unitPrice;
      item.currency = product.currency;
      // For the settle logic of weighing shelves; events leave them out (eventItem).
      if (product.unitWeightG !== undefined) item.unitWeightG = product.unitWeightG;
      if (product.weightToleranceG !== undefined) item.weightToleranceG = product.weightToleranceG;
    }
    return item;
  }

  /** Every product, by SKU. The objects are shared with the lookup cache, hence frozen. */
  list(): Product[] {
    return [...this.current().bySku.values()];
  }

  get(sku: string): Product | undefined {
    return this.current().bySku.get(sku);
  }

  /** By a 14-digit GTIN (see normaliseGtin). */
  getByGtin(gtin: string): Product | undefined {
    return this.current().byGtin.get(gtin);
  }

  /** Every tag mapping, by SKU then tag. */
  mappings(): TagMapping[] {
    const state = this.current();
    return [...state.tagsBySku.entries()].flatMap(([sku, tags]) => tags.map((tag) => ({ tag, sku })));
  }

  /** The exact tags and prefixes (`E20034*`) mapped to a SKU, sorted. */
  tagsOf(sku: string): string[] {
    return [...(this.current().tagsBySku.get(sku) ?? [])];
  }

  /**
   * What `upsert` would do, without writing: the counts, or the conflicts that stop it (invalid
   * fields, duplicates within the batch, a GTIN that belongs to another SKU, a mapping to no product).
   */
  plan(products: readonly Product[], mappings?: readonly TagMapping[]): CatalogPlan {
    return planBatch(this.load(), products.map(normaliseProduct), mappings?.map(normaliseMapping), 'remote');
  }

  /**
   * Adds or replaces products by SKU, in one store transaction. With `mappings`, each listed product's
   * tags become exactly the mappings naming it (none = its tags are cleared), and mappings naming other
   * SKUs are added; without, tags are left alone. A tag mapped elsewhere moves. Writing the same batch
   * twice changes nothing the second time (not even `updated_at`). Throws a CatalogError on conflicts.
   */
  upsert(products: readonly Product[], mappings?: readonly TagMapping[]): UpsertResult {
    return this.upsertBy('remote', products, mappings);
  }

  /**
   * The config's catalog file, imported at start-up: written as `upsert` writes, and its products
   * become the file's (remote changes to them are refused from then on); products the file no longer
   * lists are released, kept as they are and editable remotely again. One transaction.
   */
  importFile(file: string, products: readonly Product[], mappings?: readonly TagMapping[]): FileImportResult {
    const result = this.store.transaction(() => {
      const written = this.upsertBy('file', products, mappings);
      const claimed = claimForFile(
        this.store.db,
        file,
        products.map((product) => product.sku),
      );
      // Added just now is not taken from anyone.
      const added = new Set(written.addedSkus);
      return {
        ...written,
        taken: claimed.taken.filter((sku) => !added.has(sku)),
        released: claimed.released,
      };
    });
    this.state = undefined;
    return result;
  }

  /** The config names no catalog file (any more): its products are managed remotely from now on. */
  releaseFileProducts(): string[] {
    const released = this.store.transaction(() => claimForFile(this.store.db, undefined, []).released);
    this.state = undefined;
    return released;
  }

  /** The catalog file that owns a product, if one does. */
  fileOf(sku: string): string | undefined {
    return this.current().fileOwner.get(sku);
  }

  private upsertBy(by: Writer, products: readonly Product[], mappings?: readonly TagMapping[]): UpsertResult {
    const batch = products.map(normaliseProduct);
    const tags = mappings?.map(normaliseMapping);
    const result = this.store.transaction(() => {
      // Planned inside the transaction: another connection may have written since any earlier plan.
      const state = this.load();
      const plan = planBatch(state, batch, tags, by);
      if (plan.conflicts.length > 0) throw new CatalogError(plan.conflicts);
      if (plan.added > 0 || plan.updated > 0) this.write(state, batch, tags, plan);
      return plan;
    });
    this.state = undefined;
    const { conflicts: _, ...counts } = result;
    return counts;
  }

  /**
   * Removes products and their tag mappings; SKUs that are not there are reported, not an error. A
   * product of the catalog file is refused (CatalogError): the file would bring it back at the next start.
   */
  remove(skus: readonly string[]): { removed: string[]; missing: string[] } {
    const db = this.store.db;
    const deleteProduct = db.prepare('DELETE FROM catalog_products WHERE sku = ?');
    const deleteTags = db.prepare('DELETE FROM catalog_tags WHERE sku = ?');
    const outcome = this.store.transaction(() => {
      const conflicts = removalConflicts(this.load().fileOwner, skus);
      if (conflicts.length > 0) throw new CatalogError(conflicts);
      const removed: string[] = [];
      const missing: string[] = [];
      for (const sku of new Set(skus)) {
        deleteTags.run(sku);
        (deleteProduct.run(sku).changes > 0 ? removed : missing).push(sku);
      }
      return { removed, missing };
    });
    this.state = undefined;
    return outcome;
  }

  private write(
    state: CatalogState,
    products: readonly Product[],
    mappings: readonly TagMapping[] | undefined,
    plan: UpsertResult,
  ): void {
    const db = this.store.db;
    const now = new Date(this.clock.now()).toISOString();
    const changed = new Set([...plan.addedSkus, ...plan.updatedSkus]);
    // A GTIN moving between two products of the batch must not meet itself on the UNIQUE index.
    const clearGtin = db.prepare('UPDATE catalog_products SET gtin = NULL WHERE sku = ?');
    for (const product of products) {
      const old = state.bySku.get(product.sku);
      if (old?.gtin !== undefined && old.gtin !== product.gtin) clearGtin.run(product.sku);
    }
    const upsert = db.prepare(
      `INSERT INTO catalog_products (sku, gtin, name, unit_price, currency, category, unit_weight_g,
         weight_tolerance_g, min_stock, updated_at)
       VALUES (@sku, @gtin, @name, @unitPrice, @currency, @category, @unitWeightG, @weightToleranceG,
         @minStock, @now)
       ON CONFLICT (sku) DO UPDATE SET gtin = excluded.gtin, name = excluded.name,
         unit_price = excluded.unit_price, currency = excluded.currency, category = excluded.category,
         unit_weight_g = excluded.unit_weight_g, weight_tolerance_g = excluded.weight_tolerance_g,
         min_stock = excluded.min_stock, updated_at = excluded.updated_at`,
    );
    const touch = db.prepare('UPDATE catalog_products SET updated_at = ? WHERE sku = ?');
    for (const product of products) {
      if (!changed.has(product.sku)) continue;
      upsert.run({
        ...product,
        gtin: product.gtin ?? null,
        category: product.category ?? null,
        unitWeightG: product.unitWeightG ?? null,
        weightToleranceG: product.weightToleranceG ?? null,
        minStock: product.minStock ?? null,
        now,
      });
    }
    if (mappings === undefined) return;
    const clearTags = db.prepare('DELETE FROM catalog_tags WHERE sku = ?');
    for (const product of products) clearTags.run(product.sku);
    const map = db.prepare(
      'INSERT INTO catalog_tags (tag, sku) VALUES (?, ?) ON CONFLICT (tag) DO UPDATE SET sku = excluded.sku',
    );
    for (const { tag, sku } of mappings) map.run(tag, sku);
    // SKUs outside the batch whose tags changed were updated too.
    const batch = new Set(products.map((product) => product.sku));
    for (const sku of plan.updatedSkus) if (!batch.has(sku)) touch.run(now, sku);
  }

  private load(): CatalogState {
    return loadCatalogState(this.store.db);
  }

  /** The cached state, reloaded when this catalog wrote or another connection committed since. */
  private current(): CatalogState {
    const version = this.dataVersion();
    if (this.state === undefined || version !== this.stateVersion) {
      this.state = this.load();
      this.stateVersion = version;
    }
    return this.state;
  }
}
