import { z } from 'zod';
import type { Logger } from '../../observability/logger.js';
import type { CommandRegistry } from '../../shared/extension.js';
import { RequestRefusal } from '../../shared/request-refusal.js';
import type { Catalog } from './catalog.js';
import { type CsvProblem, importCatalogCsv } from './csv-import.js';

/** The largest CSV a request carries, in UTF-8 bytes: some 20,000 products. */
export const MAX_IMPORT_CSV_BYTES = 2 * 1024 * 1024;
/**
 * The request's own limit: JSON doubles a CSV's quotes and line breaks (`\"`, `\n`), so a CSV at
 * its limit still fits, with room for the other fields.
 */
export const MAX_IMPORT_REQUEST_BYTES = 2 * MAX_IMPORT_CSV_BYTES + 64 * 1024;
/** Problems listed in a refusal: a file of nothing but bad lines would otherwise answer megabytes. */
export const MAX_IMPORT_PROBLEMS = 5000;
/** Problems quoted in the refusal's text (the `problems` list has them all, up to the cap above). */
const PROBLEMS_IN_TEXT = 20;
/** SKUs named in the answer; the counts are always complete. */
const MAX_LISTED_SKUS = 1000;
/** How the problems' lines are named in the text: the CSV is the request's `csv` field. */
const SOURCE = 'csv';

export const catalogImportFields = {
  csv: z.string().superRefine((text, context) => {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_IMPORT_CSV_BYTES) {
      context.addIssue({
        code: 'custom',
        message: `at most ${MAX_IMPORT_CSV_BYTES} bytes of CSV (got ${bytes} bytes): split the file, or use rfid-gateway catalog import`,
      });
    }
  }),
  dryRun: z.boolean().optional(),
} as const;

export interface CatalogImportAnswer {
  dryRun: boolean;
  added: number;
  updated: number;
  unchanged: number;
  /** At most MAX_LISTED_SKUS each; `more` says how many were left out. */
  addedSkus: string[];
  updatedSkus: string[];
  more?: number;
}

/**
 * `catalog/import` `{"csv":"sku,gtin,…","dryRun"?}`: the CSV of `rfid-gateway catalog import`, sent as
 * text (the console reads the file in the browser), with the same rules: the whole file is checked,
 * nothing is written unless all of it is valid, the config's catalog file's products are refused,
 * and `dryRun` reports what would change. A refusal is an error answer with every problem as
 * `problems: [{line, field, message, value?}]` (up to MAX_IMPORT_PROBLEMS; `problemCount` is the total).
 */
export function registerCatalogImport(deps: {
  requests: CommandRegistry;
  catalog: Catalog;
  logger: Logger;
}): () => void {
  const { requests, catalog, logger } = deps;
  return requests.register(
    'catalog/import',
    catalogImportFields,
    ({ csv, dryRun }): CatalogImportAnswer => {
      const outcome = importCatalogCsv(catalog, csv, SOURCE, { dryRun: dryRun === true });
      if (!outcome.ok) throw refusal(outcome.problems, outcome.located);
      const { added, updated, unchanged, addedSkus, updatedSkus } = outcome.result;
      if (!dryRun) logger.info({ added, updated, unchanged }, 'catalog imported (catalog/import)');
      const more =
        Math.max(0, addedSkus.length - MAX_LISTED_SKUS) + Math.max(0, updatedSkus.length - MAX_LISTED_SKUS);
      return {
        dryRun: dryRun === true,
        added,
        updated,
        unchanged,
        addedSkus: addedSkus.slice(0, MAX_LISTED_SKUS),
        updatedSkus: updatedSkus.slice(0, MAX_LISTED_SKUS),
        ...(more > 0 ? { more } : {}),
      };
    },
    { owner: 'catalog', changesState: true, maxPayloadBytes: MAX_IMPORT_REQUEST_BYTES },
  );
}

function refusal(texts: readonly string[], located: readonly CsvProblem[]): RequestRefusal {
  const shown = texts.slice(0, PROBLEMS_IN_TEXT).join('; ');
  const rest = texts.length > PROBLEMS_IN_TEXT ? `; and ${texts.length - PROBLEMS_IN_TEXT} more` : '';
  return new RequestRefusal(`nothing was imported: ${texts.length} problem(s): ${shown}${rest}`, {
    problems: located.slice(0, MAX_IMPORT_PROBLEMS),
    problemCount: located.length,
  });
}
