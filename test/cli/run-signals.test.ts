import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli.js';

/**
 * `systemctl stop` (SIGTERM) may come while the gateway is still starting: it must wait for the
 * start-up to end and stop in order, not die half-started (no safe state, no offline status).
 * A large catalog file makes the start-up last long enough to be caught in it.
 */
describe('rfid-gateway run and signals', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('stops in order when SIGTERM comes during the start-up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rfid-signals-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const rows = ['sku,name,price,currency'];
    for (let i = 0; i < 60_000; i++) rows.push(`SKU-${i},Item ${i},1.00,EUR`);
    writeFileSync(join(dir, 'catalog.csv'), `${rows.join('\n')}\n`);
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: 'gw-signals',
        dataDir: join(dir, 'data'),
        logLevel: 'info',
        catalogFile: 'catalog.csv',
        readers: [{ id: 'shelf', driver: 'thingmagic', port: 'tcp://127.0.0.1:9' }],
      }),
    );
    const gateway = new CliProcess(['run', '--config', config]);
    cleanup.push(() => gateway.stop('SIGKILL'));
    await gateway.waitForLog(/"msg":"starting"/);
    gateway.child.kill('SIGTERM');
    const code = await gateway.exit(20_000);
    expect(code, gateway.stderr).toBe(0);
    // The catalog import was under way; the stop waited for the start-up, then stopped everything.
    // Each log line stays a line: the import is logged with counts, not with 60,000 SKUs.
    expect(gateway.stderr.split('\n').every((line) => line === '' || line.length < 2000)).toBe(true);
    expect(gateway.stderr).toMatch(/"msg":"catalog file imported"/);
    expect(gateway.stderr).toMatch(/"msg":"stopped"/);
  });
});
