import { afterEach, describe, expect, it } from 'vitest';
import {
  MAX_IMPORT_CSV_BYTES,
  MAX_IMPORT_PROBLEMS,
  MAX_IMPORT_REQUEST_BYTES,
} from '../../src/domain/catalog/import-request.js';
import { DEFAULT_MAX_REQUEST_BYTES, RequestRouter } from '../../src/mqtt/requests.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { Store } from '../../src/store/index.js';
import { catalogFeature } from '../kits/domain/catalog-feature.js';

const stores: Store[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

/** The catalog feature behind the real request router: what MQTT and the console both go through. */
function setup() {
  const { clock, store, requests: registry, extension } = catalogFeature();
  stores.push(store);
  const router = new RequestRouter({ registry, clock, logger: silentLogger() });
  const send = async (command: string, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const answer = await router.handle(command, Buffer.from(text, 'utf8'));
    return JSON.parse(answer.payload) as Record<string, unknown>;
  };
  return { extension, registry, router, send };
}

const HEADER = 'sku,gtin,name,price,currency,category,tags,unit_weight_g,weight_tolerance_g';
const GOOD = [
  HEADER,
  'COLA-033,80614141123458,Cola 0.33 l,2.50,EUR,drinks,,350,6',
  'OOLONG,,烏龍茶,450,JPY,drinks,E2003412AABB;E20035*,,',
].join('\n');

describe('catalog/import', () => {
  it('refuses a file with bad lines, naming each line, field and value, and imports none of it', async () => {
    const { send, extension } = setup();
    const csv = [
      HEADER,
      'GOOD-1,,Good one,1.00,EUR,,,,',
      'COLA-033,80614141123457,Cola 0.33 l,2.50,EUR,drinks,,,', // check digit should be 8
      'WATER,,Water,-1.00,EUR,,,,',
      'TEA,,,3.00,EUR,,,,',
    ].join('\n');
    const answer = await send('catalog/import', { transaction: 't1', csv });
    expect(answer).toMatchObject({ transaction: 't1', status: 'error', problemCount: 3 });
    const problems = answer.problems as Array<{
      line: number;
      field: string;
      value?: string;
      message: string;
    }>;
    expect(problems.map(({ line, field, value }) => ({ line, field, value }))).toEqual([
      { line: 3, field: 'gtin', value: '80614141123457' },
      { line: 4, field: 'price', value: '-1.00' },
      { line: 5, field: 'name', value: '' },
    ]);
    for (const problem of problems) expect(problem.message.length).toBeGreaterThan(0);
    // The text says the same, as the CLI does, with the field and the value.
    expect(answer.error).toMatch(
      /^nothing was imported: 3 problem\(s\): csv:3: gtin: .* \(got "80614141123457"\)/,
    );
    expect(answer.error).toContain('csv:4: price:');
    // All or nothing: the good line was not imported either.
    expect(extension.catalog.list()).toEqual([]);
  });

  it('imports a good file, says what changed, and changes nothing the second time; a dry run writes nothing', async () => {
    const { send, extension } = setup();
    expect(await send('catalog/import', { csv: GOOD, dryRun: true })).toEqual({
      transaction: null,
      status: 'ok',
      data: {
        dryRun: true,
        added: 2,
        updated: 0,
        unchanged: 0,
        addedSkus: ['COLA-033', 'OOLONG'],
        updatedSkus: [],
      },
    });
    expect(extension.catalog.list()).toEqual([]);
    expect(await send('catalog/import', { csv: GOOD })).toMatchObject({
      status: 'ok',
      data: { dryRun: false, added: 2, updated: 0, unchanged: 0 },
    });
    expect(extension.catalog.get('COLA-033')).toMatchObject({ unitPrice: 250, unitWeightG: 350 });
    expect(extension.catalog.tagsOf('OOLONG')).toEqual(['E2003412AABB', 'E20035*']);
    expect(await send('catalog/import', { csv: GOOD })).toMatchObject({
      status: 'ok',
      data: { added: 0, updated: 0, unchanged: 2 },
    });
  });

  it("locates a conflict with the config's catalog file at its line", async () => {
    const { send, extension } = setup();
    extension.catalog.importFile(
      '/etc/rfid-gateway/products.csv',
      [{ sku: 'COLA-033', name: 'Cola', unitPrice: 200, currency: 'EUR' }],
      undefined,
    );
    const answer = await send('catalog/import', { csv: GOOD });
    expect(answer).toMatchObject({
      status: 'error',
      problems: [{ line: 2, field: 'sku', value: 'COLA-033' }],
      problemCount: 1,
    });
    expect(String(answer.error)).toContain('owned by the catalog file /etc/rfid-gateway/products.csv');
    expect(extension.catalog.get('OOLONG')).toBeUndefined();
  });

  it('names the field and the value of a malformed request', async () => {
    const { send } = setup();
    expect(await send('catalog/import', { csv: 42 })).toMatchObject({
      status: 'error',
      error: 'csv: expected string, received number',
    });
    expect(await send('catalog/import', { csv: GOOD, dryRun: 'yes' })).toMatchObject({
      error: 'dryRun: expected boolean, received string',
    });
    expect(await send('catalog/import', { csv: GOOD, replace: true })).toMatchObject({
      error: 'replace: unknown field',
    });
    expect(await send('catalog/import', {})).toMatchObject({ error: 'csv: Required' });
    expect(await send('catalog/import', { csv: 'sku,name\n' })).toMatchObject({
      status: 'error',
      problems: [
        { line: 1, field: 'header', message: 'missing column "price"' },
        { line: 1, field: 'header', message: 'missing column "currency"' },
      ],
    });
  });

  it('takes a CSV of up to 2 MiB, larger than other requests may be, and refuses more with the size it got', async () => {
    const { send, router, registry } = setup();
    expect(registry.get('catalog/import')).toMatchObject({ changesState: true });
    expect(router.maxPayloadBytesOf('catalog/import')).toBe(MAX_IMPORT_REQUEST_BYTES);
    expect(router.maxPayloadBytesOf('catalog/set')).toBe(DEFAULT_MAX_REQUEST_BYTES);
    const line = (index: number) => `SKU-${index},,Product ${index} ${'x'.repeat(60)},1.00,EUR,,,,`;
    const rows: string[] = [HEADER];
    let index = 0;
    let length = HEADER.length;
    while (length < 1.5 * 1024 * 1024) {
      rows.push(line(index++));
      length += (rows.at(-1)?.length ?? 0) + 1;
    }
    const big = await send('catalog/import', { csv: rows.join('\n'), dryRun: true });
    expect(big).toMatchObject({ status: 'ok', data: { added: index } });
    expect((big.data as { addedSkus: string[] }).addedSkus).toHaveLength(1000);

    const over = `${HEADER}\n${'x'.repeat(MAX_IMPORT_CSV_BYTES)}`;
    const overBytes = Buffer.byteLength(over);
    expect(await send('catalog/import', { csv: over })).toMatchObject({
      status: 'error',
      error: `csv: at most ${MAX_IMPORT_CSV_BYTES} bytes of CSV (got ${overBytes} bytes): split the file, or use rfid-gateway catalog import`,
    });
    const huge = JSON.stringify({ csv: '"'.repeat(MAX_IMPORT_REQUEST_BYTES) });
    expect(await send('catalog/import', huge)).toMatchObject({
      status: 'error',
      error: `payload too large: ${Buffer.byteLength(huge)} bytes, limit ${MAX_IMPORT_REQUEST_BYTES}`,
    });
    // Other commands keep the router's limit.
    const products = Array.from({ length: 800 }, (_, n) => ({ sku: `S${n}`, name: 'x'.repeat(80) }));
    expect(await send('catalog/set', { products })).toMatchObject({
      error: expect.stringMatching(/^payload too large: \d+ bytes, limit 65536$/),
    });
  }, 30_000);

  it('lists at most so many problems, and says how many there were', async () => {
    const { send } = setup();
    const rows = [HEADER];
    for (let n = 0; n < MAX_IMPORT_PROBLEMS + 10; n++) rows.push(`S${n},,Name,-1,EUR,,,,`);
    const answer = await send('catalog/import', { csv: rows.join('\n') });
    expect(answer.problemCount).toBe(MAX_IMPORT_PROBLEMS + 10);
    expect(answer.problems).toHaveLength(MAX_IMPORT_PROBLEMS);
    expect(answer.error).toMatch(/; and 4990 more$/);
  });
});
