import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/catalog/${name}`, import.meta.url));

/** A gateway config whose store lives in a fresh directory beside it. */
function gateway(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rfid-catalog-'));
  const config = join(dir, 'gateway.json');
  writeFileSync(config, JSON.stringify({ gatewayId: 'gw1', dataDir: 'data' }));
  return { dir, config };
}

describe('rfid-gateway catalog', () => {
  it('imports a CSV file, and importing it again changes nothing', async () => {
    const { config } = gateway();
    const first = await runCli(['catalog', 'import', fixture('products.csv'), '--config', config]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('products.csv: 4 added, 0 updated, 0 unchanged');
    const again = await runCli(['catalog', 'import', fixture('products.csv'), '--config', config]);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe(`${fixture('products.csv')}: 0 added, 0 updated, 4 unchanged`);
  });

  it('exports CSV on stdout that imports back unchanged, with the config from $RFID_GATEWAY_CONFIG', async () => {
    const { dir, config } = gateway();
    const env = { RFID_GATEWAY_CONFIG: config };
    await runCli(['catalog', 'import', fixture('products.csv')], { env });
    const exported = await runCli(['catalog', 'export'], { env });
    expect(exported.code).toBe(0);
    expect(exported.stdout.split('\n')).toEqual([
      'sku,gtin,name,price,currency,category,tags,unit_weight_g,weight_tolerance_g,min_stock',
      'D1,00036000291452,Dates 250 g,0.125,BHD,,300833B2DDD9*,,,',
      'S1,04006381333931,"Sandwich ""Club""",3.95,EUR,food,,,,',
      'T1,,烏龍茶,450,JPY,drinks,E2003412AABB;E20035*,,,',
      'W1,80614141123458,"Water, sparkling 0,5 l",1.50,EUR,drinks,,,,',
      '',
    ]);
    const file = join(dir, 'export.csv');
    writeFileSync(file, exported.stdout);
    const back = await runCli(['catalog', 'import', file], { env });
    expect(back.stdout).toContain('0 added, 0 updated, 4 unchanged');
  });

  it('reports every bad line on stderr with exit code 2, and writes nothing', async () => {
    const { config } = gateway();
    const result = await runCli(['catalog', 'import', fixture('bad.csv'), '--config', config]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe(
      `${fixture('bad.csv')}:2: price: EUR has 2 decimal places, this has 3 (got "1.505")`,
    );
    expect(lines).toContain(`${fixture('bad.csv')}:7: gtin: duplicate of line 2 (got "80614141123458")`);
    expect(lines.at(-1)).toBe(`${fixture('bad.csv')}: 10 problem(s); nothing was imported`);
    const exported = await runCli(['catalog', 'export', '--config', config]);
    expect(exported.stdout).toBe(
      'sku,gtin,name,price,currency,category,tags,unit_weight_g,weight_tolerance_g,min_stock\n',
    );
  });

  it('--dry-run reports what would change and writes nothing', async () => {
    const { dir, config } = gateway();
    await runCli(['catalog', 'import', fixture('products.csv'), '--config', config]);
    const edited = join(dir, 'edited.csv');
    writeFileSync(edited, readFileSync(fixture('products.csv'), 'utf8').replace('3.95,EUR', '4.25,EUR'));
    const dry = await runCli(['catalog', 'import', edited, '--dry-run', '--config', config]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run, nothing written; would be 0 added, 1 updated, 3 unchanged');
    expect(dry.stdout).toContain('updated S1');
    const exported = await runCli(['catalog', 'export', '--config', config]);
    expect(exported.stdout).toContain('3.95,EUR');
  });

  it('refuses bad usage and unreadable files with 2, an unusable store with 1', async () => {
    const { dir, config } = gateway();
    expect((await runCli(['catalog'])).code).toBe(2);
    expect((await runCli(['catalog', 'import', '--config', config])).stderr).toContain(
      'catalog import needs a FILE.csv',
    );
    expect((await runCli(['catalog', 'import', join(dir, 'missing.csv'), '--config', config])).code).toBe(2);
    const latin1 = join(dir, 'latin1.csv');
    writeFileSync(latin1, Buffer.from('sku,name,price,currency\nA1,caf\xe9,1.00,EUR\n', 'latin1'));
    const notUtf8 = await runCli(['catalog', 'import', latin1, '--config', config]);
    expect(notUtf8.code).toBe(2);
    expect(notUtf8.stderr).toContain('not valid UTF-8');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ dataDir: 'gateway.json/data' }));
    const store = await runCli(['catalog', 'export', '--config', broken]);
    expect(store.code).toBe(1);
    expect(store.stderr).toContain('cannot create the data directory');
  });
});
