import { z } from 'zod';
import type { Logger } from '../../observability/logger.js';
import type { CatalogProduct, Product } from '../../shared/commerce.js';
import { defineFeature, type FeatureContext } from '../../shared/feature.js';
import { describeValue } from '../../shared/issue-messages.js';
import type { Store } from '../../store/index.js';
import { CatalogError, describeConflict } from './batch.js';
import { Catalog } from './catalog.js';
import { importCatalogFile, readCatalogText } from './csv-import.js';
import { type FieldProblem, mappingFromJson, productFromJson, type TagMapping } from './fields.js';
import { normaliseGtin } from './gtin.js';
import { registerCatalogImport } from './import-request.js';

/** Requests carry at most this many entries: a bigger catalog goes through `catalog import`. */
const MAX_BATCH = 1000;
const DEFAULT_PAGE = 100;

/** Fields of the catalog's requests. Entries are checked by the catalog's own rules, which name values. */
export const catalogRequestFields = {
  'catalog/get': {
    sku: z.string().min(1).max(64).optional(),
    gtin: z.string().min(1).max(14).optional(),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(MAX_BATCH).optional(),
  },
  'catalog/set': {
    products: z.array(z.unknown()).max(MAX_BATCH).optional(),
    mappings: z
      .array(z.unknown())
      .max(MAX_BATCH * 4)
      .optional(),
    remove: z.array(z.unknown()).max(MAX_BATCH).optional(),
  },
} as const;

declare module '../../shared/feature.js' {
  interface Services {
    /** What a tag is and what it costs (the catalog changes through its own requests). */
    catalog: Pick<Catalog, 'itemFor' | 'productForTag' | 'get' | 'list'>;
  }
}

/**
 * The product catalog as a feature: built at start-up (its tables migrated then), answering
 * `catalog/get`, `catalog/set` and `catalog/import` (import-request.ts), and providing the Catalog
 * other features look tags up in.
 */
export class CatalogExtension {
  readonly catalog: Catalog;
  private readonly store: Store;
  private readonly unregister: Array<() => void>;
  private readonly catalogFile: string | undefined;
  private readonly logger: Logger;

  constructor(context: FeatureContext) {
    this.store = context.store;
    this.catalogFile = context.config.catalogFile;
    const logger = context.logger.child({ component: 'catalog' });
    this.logger = logger;
    this.catalog = new Catalog(context.store, { clock: context.clock, logger });
    const registry = context.requests;
    this.unregister = [
      registry.register('catalog/get', catalogRequestFields['catalog/get'], (request) => this.get(request), {
        owner: 'catalog',
      }),
      registry.register('catalog/set', catalogRequestFields['catalog/set'], (request) => this.set(request), {
        owner: 'catalog',
        changesState: true,
      }),
      registerCatalogImport({ requests: registry, catalog: this.catalog, logger }),
    ];
  }

  /**
   * Imports the configured catalog file, whose products are then its own (see file-owner.ts); a bad
   * file stops the start-up with every bad line named. Without one, products a file owned before are
   * managed remotely from now on.
   */
  start(): void {
    const file = this.catalogFile;
    if (file === undefined) {
      const released = this.catalog.releaseFileProducts();
      if (released.length > 0) {
        this.logger.info({ released }, 'no catalog file any more: its products are managed remotely now');
      }
      return;
    }
    const read = readCatalogText(file);
    if (!read.ok) throw new Error(`catalog file not imported: ${file}: ${read.problem}`);
    const outcome = importCatalogFile(this.catalog, read.text, file);
    if (!outcome.ok) throw new Error(`catalog file not imported:\n${outcome.problems.join('\n')}`);
    // Counts only: a store's catalog can hold tens of thousands of SKUs, one log line must not.
    const { added, updated, unchanged, taken, released } = outcome.result;
    this.logger.info({ file, added, updated, unchanged }, 'catalog file imported');
    // A product changes hands: worth a line of its own (it was, or is now, editable remotely), with
    // the first SKUs and how many in all.
    const some = (skus: readonly string[]) => ({ count: skus.length, skus: skus.slice(0, 20) });
    if (taken.length > 0) this.logger.info({ file, ...some(taken) }, 'catalog file now owns these products');
    if (released.length > 0) {
      this.logger.info(
        { file, ...some(released) },
        'products no longer in the catalog file: managed remotely now',
      );
    }
  }

  stop(): void {
    for (const unregister of this.unregister) unregister();
  }

  /** One product by `sku` or `gtin`, or a page of all of them by SKU. */
  get(request: { sku?: string; gtin?: string; offset?: number; limit?: number }): {
    total: number;
    offset: number;
    products: CatalogProduct[];
  } {
    const { sku, gtin } = request;
    if (sku !== undefined || gtin !== undefined) {
      let product: Product | undefined;
      if (gtin !== undefined) {
        const checked = normaliseGtin(gtin);
        if (!checked.ok) throw new Error(`gtin: ${checked.problem} (got ${describeValue(gtin)})`);
        product = this.catalog.getByGtin(checked.value);
        if (product === undefined)
          throw new Error(`gtin: no product has this GTIN (got ${describeValue(gtin)})`);
        if (sku !== undefined && product.sku !== sku) {
          throw new Error(
            `sku: the GTIN belongs to SKU ${describeValue(product.sku)} (got ${describeValue(sku)})`,
          );
        }
      } else {
        product = this.catalog.get(sku as string);
        if (product === undefined)
          throw new Error(`sku: no product has this SKU (got ${describeValue(sku)})`);
      }
      return { total: 1, offset: 0, products: [this.view(product)] };
    }
    const all = this.catalog.list();
    const offset = request.offset ?? 0;
    const page = all.slice(offset, offset + (request.limit ?? DEFAULT_PAGE));
    return { total: all.length, offset, products: page.map((product) => this.view(product)) };
  }

  /**
   * Removes, then adds or replaces, in one transaction: nothing changes unless all of it is valid.
   * `mappings` given = the listed products' complete tag lists (see Catalog.upsert).
   */
  set(request: { products?: unknown[]; mappings?: unknown[]; remove?: unknown[] }): {
    added: number;
    updated: number;
    unchanged: number;
    removed: string[];
    missing: string[];
  } {
    if (request.products === undefined && request.mappings === undefined && request.remove === undefined) {
      throw new Error('(root): give products, mappings or remove');
    }
    const problems: string[] = [];
    const collect = <T>(
      list: string,
      items: unknown[] | undefined,
      read: (item: unknown, into: FieldProblem[]) => T | undefined,
    ) =>
      (items ?? []).flatMap((item, index) => {
        const found: FieldProblem[] = [];
        const value = read(item, found);
        for (const { field, message, value: got } of found) {
          problems.push(
            `${list}[${index}]${field === '' ? '' : `.${field}`}: ${message} (got ${describeValue(got)})`,
          );
        }
        return value === undefined ? [] : [value];
      });
    const products = collect('products', request.products, productFromJson);
    const mappings = collect<TagMapping>('mappings', request.mappings, mappingFromJson);
    const remove = collect('remove', request.remove, (item, into) => {
      if (typeof item === 'string' && item.length > 0) return item;
      into.push({ field: '', message: 'expected a SKU', value: item });
      return undefined;
    });
    if (problems.length > 0) throw new Error(problems.join('; '));
    try {
      return this.store.transaction(() => {
        const { removed, missing } = this.catalog.remove(remove);
        const result = this.catalog.upsert(products, request.mappings === undefined ? undefined : mappings);
        return {
          added: result.added,
          updated: result.updated,
          unchanged: result.unchanged,
          removed,
          missing,
        };
      });
    } catch (error) {
      if (error instanceof CatalogError)
        throw new Error(error.conflicts.map((c) => describeConflict(c)).join('; '));
      throw error;
    }
  }

  private view(product: Product): CatalogProduct {
    const file = this.catalog.fileOf(product.sku);
    return {
      ...product,
      tags: this.catalog.tagsOf(product.sku),
      ...(file === undefined ? {} : { catalogFile: file }),
    };
  }
}

export const catalogFeature = defineFeature({
  name: 'catalog',
  provides: ['catalog'],
  build: (context) => {
    const extension = new CatalogExtension(context);
    return {
      start: () => extension.start(),
      stop: () => extension.stop(),
      provides: { catalog: extension.catalog },
    };
  },
});
