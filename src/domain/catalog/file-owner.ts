import type Database from 'better-sqlite3';
import type { Product } from '../../shared/commerce.js';
import type { CatalogConflict } from './batch.js';
import type { TagMapping } from './fields.js';

/**
 * One owner per product. A product the config's `catalogFile` lists belongs to that file: it is
 * written again at every start, so a remote change to it (`catalog/set`, `catalog import`) would
 * last only until the next restart. Such changes are refused, naming the product and the file; the
 * other products are managed remotely, and the file leaves them alone.
 */
function owned(file: string): string {
  return `the product is owned by the catalog file ${file} (config catalogFile): change it there, it is imported again at every start`;
}

/**
 * The entries of a remote batch that would change products of the file (`changed`: every SKU the
 * batch updates, tags included): a product written again as it is, as `catalog export` then
 * `catalog import` does, changes nothing and is not refused.
 */
export function ownershipConflicts(
  fileOwner: ReadonlyMap<string, string>,
  tagOwner: ReadonlyMap<string, string>,
  changed: ReadonlySet<string>,
  products: readonly Product[],
  mappings: readonly TagMapping[] | undefined,
): CatalogConflict[] {
  const conflicts: CatalogConflict[] = [];
  const reported = new Set<string>();
  const ownedChange = (sku: string | undefined) =>
    sku !== undefined && changed.has(sku) && fileOwner.has(sku) && !reported.has(sku);
  products.forEach((product, index) => {
    if (!ownedChange(product.sku)) return;
    reported.add(product.sku);
    const file = fileOwner.get(product.sku) as string;
    conflicts.push({ kind: 'product', index, field: 'sku', value: product.sku, message: owned(file) });
  });
  (mappings ?? []).forEach((mapping, index) => {
    if (ownedChange(mapping.sku)) {
      reported.add(mapping.sku);
      const file = fileOwner.get(mapping.sku) as string;
      conflicts.push({ kind: 'mapping', index, field: 'sku', value: mapping.sku, message: owned(file) });
      return;
    }
    // A tag of the file's product, mapped to another one: the file's product would lose it.
    const current = tagOwner.get(mapping.tag);
    if (current === undefined || current === mapping.sku || !ownedChange(current)) return;
    reported.add(current);
    const file = fileOwner.get(current) as string;
    conflicts.push({
      kind: 'mapping',
      index,
      field: 'tag',
      value: mapping.tag,
      message: `the tag is SKU ${JSON.stringify(current)}'s, and ${owned(file)}`,
    });
  });
  return conflicts;
}

/** Removing a product of the file: it would be back at the next start. */
export function removalConflicts(
  fileOwner: ReadonlyMap<string, string>,
  skus: readonly string[],
): CatalogConflict[] {
  return skus.flatMap((sku, index) => {
    const file = fileOwner.get(sku);
    return file === undefined
      ? []
      : [{ kind: 'remove' as const, index, field: '', value: sku, message: owned(file) }];
  });
}

/**
 * Marks `skus` as the products of `file` and releases every other product a file owned (all of them
 * when `file` is undefined: the config names no catalog file any more). Inside the caller's transaction.
 */
export function claimForFile(
  db: Database.Database,
  file: string | undefined,
  skus: readonly string[],
): { taken: string[]; released: string[] } {
  const listed = new Set(file === undefined ? [] : skus);
  const rows = db.prepare('SELECT sku, from_file FROM catalog_products ORDER BY sku').all() as Array<{
    sku: string;
    from_file: string | null;
  }>;
  const mark = db.prepare('UPDATE catalog_products SET from_file = ? WHERE sku = ?');
  const taken: string[] = [];
  const released: string[] = [];
  for (const { sku, from_file: owner } of rows) {
    const wanted = listed.has(sku) ? (file as string) : null;
    if (owner === wanted) continue;
    if (owner === null) taken.push(sku);
    else if (wanted === null) released.push(sku);
    mark.run(wanted, sku);
  }
  return { taken, released };
}
