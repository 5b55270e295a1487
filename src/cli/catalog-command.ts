import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { Catalog, exportCatalogCsv, importCatalogCsv, readCatalogText } from '../domain/catalog/index.js';
import { createLogger } from '../observability/logger.js';
import { systemClock } from '../shared/clock.js';
import { OutboxError, Store } from '../store/index.js';
import { DEFAULT_CONFIG_PATH } from './run-command.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './usage.js';

/**
 * `rfid-gateway catalog import FILE.csv [--config FILE] [--dry-run]` and
 * `rfid-gateway catalog export [--config FILE]`: the gateway's own store (the config's dataDir), so a
 * running service picks the change up at its next lookup.
 */
export function catalogCommand(args: string[]): number {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { config: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (action === 'import') {
    const [file, extra] = positionals;
    if (file === undefined) throw new UsageError('catalog import needs a FILE.csv');
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    return importCommand(file, values.config, values['dry-run'] === true);
  }
  if (action === 'export') {
    if (positionals[0] !== undefined) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (values['dry-run'] !== undefined) throw new UsageError('--dry-run is for catalog import');
    return withCatalog(values.config, (catalog) => {
      process.stdout.write(exportCatalogCsv(catalog));
      return EXIT_OK;
    });
  }
  throw new UsageError(
    action === undefined
      ? 'catalog needs import or export'
      : `unknown catalog action "${action}" (import, export)`,
  );
}

function importCommand(file: string, config: string | undefined, dryRun: boolean): number {
  const read = readCatalogText(file);
  if (!read.ok) {
    console.error(`${file}: ${read.problem}`);
    return EXIT_USAGE;
  }
  const text = read.text;
  return withCatalog(config, (catalog) => {
    const outcome = importCatalogCsv(catalog, text, file, { dryRun });
    if (!outcome.ok) {
      for (const problem of outcome.problems) console.error(problem);
      console.error(`${file}: ${outcome.problems.length} problem(s); nothing was imported`);
      return EXIT_USAGE;
    }
    const { added, updated, unchanged } = outcome.result;
    const counts = `${added} added, ${updated} updated, ${unchanged} unchanged`;
    console.log(dryRun ? `${file}: dry run, nothing written; would be ${counts}` : `${file}: ${counts}`);
    for (const sku of outcome.result.addedSkus) console.log(`  added ${sku}`);
    for (const sku of outcome.result.updatedSkus) console.log(`  updated ${sku}`);
    return EXIT_OK;
  });
}

function withCatalog(configOption: string | undefined, use: (catalog: Catalog) => number): number {
  const configFile = configOption ?? process.env.RFID_GATEWAY_CONFIG ?? DEFAULT_CONFIG_PATH;
  let dataDir: string;
  try {
    // Only the schema: the catalog needs the data directory, not a config the engine could run.
    dataDir = loadConfigFile(configFile).dataDir;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return EXIT_USAGE;
  }
  // Warnings only: stdout carries the CSV, and stderr is for the operator.
  const logger = createLogger({ level: 'warn', sync: true });
  let store: Store | undefined;
  try {
    store = Store.open({ dataDir, clock: systemClock, logger });
    return use(new Catalog(store, { clock: systemClock, logger }));
  } catch (error) {
    // An unusable store (missing directory, newer schema, no write access): a runtime failure.
    if (!(error instanceof OutboxError)) throw error;
    console.error(`rfid-gateway: ${error.message}`);
    return EXIT_FAILURE;
  } finally {
    store?.close();
  }
}
