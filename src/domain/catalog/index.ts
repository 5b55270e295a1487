export { type CatalogConflict, CatalogError, describeConflict } from './batch.js';
export {
  CATALOG_MIGRATIONS,
  Catalog,
  type CatalogOptions,
  type CatalogPlan,
  type FileImportResult,
  type UpsertResult,
} from './catalog.js';
export {
  CSV_COLUMNS,
  type CsvProblem,
  exportCatalogCsv,
  type ImportOutcome,
  importCatalogCsv,
  importCatalogFile,
  readCatalogCsv,
  readCatalogText,
} from './csv-import.js';
export { CatalogExtension, catalogFeature, catalogRequestFields } from './extension.js';
export type { TagMapping } from './fields.js';
export { gs1CheckDigit, normaliseGtin } from './gtin.js';
export { CURRENCY_EXPONENTS, currencyExponent, formatPrice, parsePrice } from './money.js';
