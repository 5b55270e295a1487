import { readFileSync } from 'node:fs';
import type { Product } from '../../shared/commerce.js';
import { describeValue } from '../../shared/issue-messages.js';
import type { CatalogConflict } from './batch.js';
import { CatalogError } from './batch.js';
import type { Catalog, FileImportResult, UpsertResult } from './catalog.js';
import { formatCsvRecord, parseCsv } from './csv.js';
import {
  checkCategory,
  checkName,
  checkSku,
  checkTagPattern,
  makeProduct,
  needsUnitWeight,
  type TagMapping,
} from './fields.js';
import { type Checked, normaliseGtin } from './gtin.js';
import { checkCurrency, formatPrice, parsePrice } from './money.js';
import { checkUnitWeight, checkWeightTolerance, parseGrams, parseUnits } from './weight.js';

/**
 * The catalog as a CSV file:
 * `sku,gtin,name,price,currency,category,tags,unit_weight_g,weight_tolerance_g,min_stock` (any
 * order; gtin, category, tags, the weights and min_stock optional). `price` is in major units
 * ("4.50"), `tags` is `;`-separated exact hex or `PREFIX*`, the weights are grams ("350", "6.5"),
 * `min_stock` whole units (the low-stock threshold). Without a tags column the products' tag
 * mappings are left as they are; an empty weight or min_stock is none.
 */
export const CSV_COLUMNS = [
  'sku',
  'gtin',
  'name',
  'price',
  'currency',
  'category',
  'tags',
  'unit_weight_g',
  'weight_tolerance_g',
  'min_stock',
] as const;
type Column = (typeof CSV_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['sku', 'name', 'price', 'currency'];

export interface CatalogFile {
  products: Product[];
  /** Undefined when the file has no tags column. */
  mappings: TagMapping[] | undefined;
  /** False when the file has no min_stock column: the stored thresholds are kept, as tags are. */
  minStockColumn: boolean;
  /** The line of each product and each mapping, to report conflicts found later against the store. */
  productLines: number[];
  mappingLines: number[];
}

/**
 * One problem of a file, for a program to show (the console lists them as a table): the line, the
 * column (`csv`, `header` and `row` for what is not one field's), what is wrong, and the value it
 * got (absent when there is none to quote).
 */
export interface CsvProblem {
  line: number;
  field: string;
  message: string;
  value?: string;
}

/** Failed: every problem as text (`FILE:LINE: field: problem (got "value")`) and as data, in the same order. */
export type CsvFailure = { ok: false; problems: string[]; located: CsvProblem[] };
export type CsvReadResult = { ok: true; catalog: CatalogFile } | CsvFailure;

/** Reads and validates a whole file; every problem is `FILE:LINE: field: problem (got "value")`. */
export function readCatalogCsv(text: string, file: string): CsvReadResult {
  const problems: Located[] = [];
  const report = (line: number, field: string, message: string, value?: unknown) =>
    problems.push(locatedProblem(file, line, field, message, value));
  const document = parseCsv(text);
  for (const problem of document.problems) report(problem.line, 'csv', problem.message);
  const [header, ...rows] = document.records;
  if (header === undefined) {
    if (problems.length === 0) {
      report(1, 'header', `the file has no header row; expected one like ${CSV_COLUMNS.join(',')}`);
    }
    return failed(problems);
  }
  const columns = readHeader(header.fields, (message, value) =>
    report(header.line, 'header', message, value),
  );
  if (columns === undefined) return failed(problems);

  const catalog: CatalogFile = {
    products: [],
    mappings: columns.has('tags') ? [] : undefined,
    minStockColumn: columns.has('min_stock'),
    productLines: [],
    mappingLines: [],
  };
  const firstLine = {
    sku: new Map<string, number>(),
    gtin: new Map<string, number>(),
    tags: new Map<string, number>(),
  };
  const unique = (field: keyof typeof firstLine, key: string, line: number, value: string) => {
    const first = firstLine[field].get(key);
    if (first === undefined) firstLine[field].set(key, line);
    else
      report(line, field, first === line ? 'listed twice on this line' : `duplicate of line ${first}`, value);
    return first === undefined;
  };
  for (const { line, fields } of rows) {
    if (fields.length !== columns.size) {
      const hint = fields.length > columns.size ? '; quote fields that contain commas' : '';
      report(line, 'row', `has ${fields.length} fields, the header has ${columns.size}${hint}`);
      continue;
    }
    const value = (column: Column) => {
      const index = columns.get(column);
      return index === undefined ? '' : (fields[index] ?? '').trim();
    };
    const before = problems.length;
    const field = <T>(column: Column, checked: Checked<T>): T | undefined => {
      if (!checked.ok) report(line, column, checked.problem, value(column));
      return checked.ok ? checked.value : undefined;
    };
    const sku = field('sku', checkSku(value('sku')));
    const name = field('name', checkName(value('name')));
    const currency = field(
      'currency',
      value('currency') === '' ? missing() : checkCurrency(value('currency')),
    );
    // A price is only readable once the currency says how many decimals it may have.
    const price =
      currency === undefined
        ? undefined
        : field('price', value('price') === '' ? missing() : parsePrice(value('price'), currency));
    const gtin = value('gtin') === '' ? undefined : field('gtin', normaliseGtin(value('gtin')));
    const category =
      value('category') === '' ? undefined : field('category', checkCategory(value('category')));
    const unitWeightG =
      value('unit_weight_g') === ''
        ? undefined
        : field('unit_weight_g', parseGrams(value('unit_weight_g'), checkUnitWeight));
    const weightToleranceG =
      value('weight_tolerance_g') === ''
        ? undefined
        : field('weight_tolerance_g', parseGrams(value('weight_tolerance_g'), checkWeightTolerance));
    if (value('weight_tolerance_g') !== '' && value('unit_weight_g') === '') {
      report(line, 'weight_tolerance_g', needsUnitWeight('unit_weight_g'), value('weight_tolerance_g'));
    }
    const minStock =
      value('min_stock') === '' ? undefined : field('min_stock', parseUnits(value('min_stock')));
    const tags: string[] = [];
    for (const raw of value('tags').split(';')) {
      const entry = raw.trim();
      if (entry === '') continue;
      const tag = checkTagPattern(entry);
      if (!tag.ok) report(line, 'tags', tag.problem, entry);
      else if (unique('tags', tag.value, line, entry)) tags.push(tag.value);
    }
    if (sku !== undefined) unique('sku', sku, line, sku);
    if (gtin !== undefined) unique('gtin', gtin, line, value('gtin'));
    if (problems.length > before || sku === undefined || name === undefined) continue;
    if (currency === undefined || price === undefined) continue;
    catalog.products.push(
      makeProduct({
        ...{ sku, name, unitPrice: price, currency, gtin, category },
        ...{ unitWeightG, weightToleranceG, minStock },
      }),
    );
    catalog.productLines.push(line);
    for (const tag of tags) {
      catalog.mappings?.push({ tag, sku });
      catalog.mappingLines.push(line);
    }
  }
  return problems.length > 0 ? failed(problems) : { ok: true, catalog };
}

function missing(): Checked<never> {
  return { ok: false, problem: 'required' };
}

interface Located {
  text: string;
  problem: CsvProblem;
}

function locatedProblem(
  file: string,
  line: number,
  field: string,
  message: string,
  value?: unknown,
): Located {
  return {
    text: `${file}:${line}: ${field}: ${message}${value === undefined ? '' : ` (got ${describeValue(value)})`}`,
    problem: { line, field, message, ...(value === undefined ? {} : { value: quoted(value) }) },
  };
}

/** A value as the file has it, cut: a pasted blob in one cell must not make the answer huge. */
function quoted(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_QUOTED_VALUE ? `${text.slice(0, MAX_QUOTED_VALUE)}…` : text;
}

const MAX_QUOTED_VALUE = 200;

function failed(problems: Located[]): CsvFailure {
  // Stable: problems of one line stay in column order.
  const sorted = problems.sort((a, b) => a.problem.line - b.problem.line);
  return {
    ok: false,
    problems: sorted.map((entry) => entry.text),
    located: sorted.map((entry) => entry.problem),
  };
}

function readHeader(
  names: string[],
  report: (message: string, value?: unknown) => void,
): Map<Column, number> | undefined {
  const columns = new Map<Column, number>();
  let bad = false;
  names.forEach((raw, index) => {
    const name = raw.trim().toLowerCase();
    if (!(CSV_COLUMNS as readonly string[]).includes(name)) {
      report(`unknown column (columns: ${CSV_COLUMNS.join(', ')})`, raw);
      bad = true;
    } else if (columns.has(name as Column)) {
      report('column appears twice', raw);
      bad = true;
    } else columns.set(name as Column, index);
  });
  for (const column of REQUIRED) {
    if (!columns.has(column)) {
      report(`missing column "${column}"`);
      bad = true;
    }
  }
  return bad ? undefined : columns;
}

/**
 * A catalog file's text, decoded strictly: a spreadsheet's Latin-1 export would otherwise import as
 * mojibake names. The problem says why it cannot be read, without the file name.
 */
export function readCatalogText(file: string): { ok: true; text: string } | { ok: false; problem: string } {
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file)) };
  } catch (error) {
    const problem =
      error instanceof TypeError ? 'not valid UTF-8 (save it as "CSV UTF-8")' : (error as Error).message;
    return { ok: false, problem: `cannot read: ${problem}` };
  }
}

export type ImportOutcome = { ok: true; result: UpsertResult } | CsvFailure;

/**
 * Validates the whole file, then writes it in one transaction, or nothing at all. With `dryRun` it
 * reports what would change (against the store as it is now) and writes nothing. A remote import:
 * products of the config's catalog file are refused (see file-owner.ts).
 */
export function importCatalogCsv(
  catalog: Catalog,
  text: string,
  file: string,
  options: { dryRun?: boolean } = {},
): ImportOutcome {
  if (options.dryRun) {
    return importWith(catalog, text, file, (products, mappings) => {
      const { conflicts, ...result } = catalog.plan(products, mappings);
      if (conflicts.length > 0) throw new CatalogError(conflicts);
      return result;
    });
  }
  return importWith(catalog, text, file, (products, mappings) => catalog.upsert(products, mappings));
}

/** The config's `catalogFile` at start-up: its products become the file's (Catalog.importFile). */
export function importCatalogFile(
  catalog: Catalog,
  text: string,
  file: string,
): { ok: true; result: FileImportResult } | CsvFailure {
  return importWith(catalog, text, file, (products, mappings) =>
    catalog.importFile(file, products, mappings),
  );
}

function importWith<T>(
  catalog: Catalog,
  text: string,
  file: string,
  write: (products: Product[], mappings: TagMapping[] | undefined) => T,
): { ok: true; result: T } | CsvFailure {
  const read = readCatalogCsv(text, file);
  if (!read.ok) return read;
  // A file written before min_stock existed (or by a system that knows nothing of it) leaves the
  // thresholds set remotely as they are, rather than clearing them all.
  const products = read.catalog.minStockColumn
    ? read.catalog.products
    : read.catalog.products.map((product) => {
        const stored = catalog.get(product.sku)?.minStock;
        return stored === undefined ? product : { ...product, minStock: stored };
      });
  try {
    return { ok: true, result: write(products, read.catalog.mappings) };
  } catch (error) {
    if (!(error instanceof CatalogError)) throw error;
    return failed(error.conflicts.map((conflict) => locate(conflict, read.catalog, file)));
  }
}

const CSV_COLUMN_OF: Readonly<Record<string, Column>> = {
  unitPrice: 'price',
  unitWeightG: 'unit_weight_g',
  weightToleranceG: 'weight_tolerance_g',
  minStock: 'min_stock',
};

/** A conflict the store found (a GTIN of another SKU), at the line it came from. */
function locate(conflict: CatalogConflict, file: CatalogFile, name: string): Located {
  const lines = conflict.kind === 'product' ? file.productLines : file.mappingLines;
  const column = conflict.kind === 'mapping' ? 'tags' : (CSV_COLUMN_OF[conflict.field] ?? conflict.field);
  const line = lines[conflict.index];
  return {
    text: `${name}:${line ?? '?'}: ${column}: ${conflict.message} (got ${describeValue(conflict.value)})`,
    problem: {
      line: line ?? 0,
      field: column,
      message: conflict.message,
      ...(conflict.value === undefined ? {} : { value: quoted(conflict.value) }),
    },
  };
}

/** The whole catalog as CSV, sorted by SKU, in the form `readCatalogCsv` reads back unchanged. */
export function exportCatalogCsv(catalog: Catalog): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const product of catalog.list()) {
    lines.push(
      formatCsvRecord([
        product.sku,
        product.gtin ?? '',
        product.name,
        formatPrice(product.unitPrice, product.currency),
        product.currency,
        product.category ?? '',
        catalog.tagsOf(product.sku).join(';'),
        product.unitWeightG === undefined ? '' : String(product.unitWeightG),
        product.weightToleranceG === undefined ? '' : String(product.weightToleranceG),
        product.minStock === undefined ? '' : String(product.minStock),
      ]),
    );
  }
  // LF, not RFC 4180's CRLF: it goes to a Unix pipe first; the reader accepts both.
  return `${lines.join('\n')}\n`;
}
