import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { piRoot } from './install-root.js';

/**
 * systemd's own checks of the unit install writes: `systemd-analyze verify` (syntax, known settings,
 * an executable ExecStart; the written unit runs this very node and dist/cli/main.js, so they exist)
 * and `systemd-analyze security --offline` (the exposure score stays in systemd's "OK" band).
 *
 * systemd-analyze comes with Debian's `systemd` package, which .ci/run installs. Under CI=true a
 * missing systemd-analyze fails; elsewhere these tests are skipped, saying why.
 */

const SHIPPED_UNIT = fileURLToPath(new URL('../../systemd/rfid-gateway.service', import.meta.url));
const available = spawnSync('systemd-analyze', ['--version']).error === undefined;
const required = process.env.CI === 'true';
const missing = 'systemd-analyze is not installed (apt-get install systemd)';
if (!available && !required) console.warn(`test/install/systemd-analyze.test.ts skipped: ${missing}`);

function analyze(args: string[]): { status: number | null; output: string } {
  if (!available) throw new Error(`CI=true and ${missing}`);
  const result = spawnSync('systemd-analyze', args, { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

async function installedUnit(): Promise<string> {
  const dir = piRoot();
  const result = await runCli(['install', '--root', dir]);
  expect(result.code).toBe(0);
  return join(dir, 'etc/systemd/system/rfid-gateway.service');
}

describe.skipIf(!available && !required)(
  available ? 'systemd-analyze' : `systemd-analyze (skipped: ${missing})`,
  () => {
    it('verifies the unit install writes, and the one shipped in systemd/', async () => {
      for (const unit of [await installedUnit(), SHIPPED_UNIT]) {
        const result = analyze(['verify', unit]);
        expect({ unit, ...result }).toEqual({ unit, status: 0, output: '' });
      }
    });

    it('rates the unit at most 4.0 ("OK") in its offline security assessment', async () => {
      const unit = await installedUnit();
      const result = analyze(['security', '--offline=true', '--threshold=40', unit]);
      expect(result.output).toMatch(/Overall exposure level for rfid-gateway\.service: \d\.\d OK/);
      expect(result.status).toBe(0);
    });
  },
);
