import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';

/**
 * Two `rfid-gateway run` on one data directory (real processes of the built command line, a real
 * store): the second refuses to start, says who holds the directory, and exits 2; a holder killed
 * with SIGKILL leaves nothing that blocks the next start.
 */
describe('one gateway per data directory', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  function setup(): { config: string; dataDir: string } {
    const dir = mkdtempSync(join(tmpdir(), 'rfid-lock-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, 'data');
    const config = join(dir, 'gateway.json');
    // A reader nobody answers: its reconnect attempts keep the gateway running.
    const reader = { id: 'shelf', driver: 'thingmagic', port: 'tcp://127.0.0.1:9' };
    writeFileSync(
      config,
      JSON.stringify({ gatewayId: 'gw-lock', dataDir, logLevel: 'info', readers: [reader] }),
    );
    return { config, dataDir };
  }

  async function started(config: string): Promise<CliProcess> {
    const gateway = new CliProcess(['run', '--config', config]);
    cleanup.push(() => gateway.stop('SIGKILL'));
    await gateway.waitForLog(/"msg":"starting"/);
    return gateway;
  }

  it('refuses a second gateway, naming the process that holds the directory', async () => {
    const { config, dataDir } = setup();
    const first = await started(config);
    const second = await runCli(['run', '--config', config]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`store ${join(dataDir, 'gateway.sqlite')} is in use by another gateway`);
    expect(second.stderr).toContain(`process ${first.child.pid} on `);
    expect(second.stderr).toMatch(/started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
    // The first one never noticed.
    expect(first.child.exitCode).toBe(null);
    expect(await first.stop('SIGTERM')).toBe(0);
    // Stopped cleanly, it let go: the next one starts.
    const third = await started(config);
    expect(await third.stop('SIGTERM')).toBe(0);
  });

  it('is not blocked by a holder that was killed (SIGKILL)', async () => {
    const { config } = setup();
    const first = await started(config);
    expect(await first.stop('SIGKILL')).toBe(null);
    const second = await started(config);
    expect(second.stderr).not.toContain('in use by');
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});
