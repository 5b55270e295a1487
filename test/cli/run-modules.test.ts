import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CliProcess } from '../helpers/cli.js';
import { freePort, startMosquitto } from '../helpers/mosquitto.js';

const GOLDEN = fileURLToPath(new URL('../golden/real-frames.jsonl', import.meta.url));
const PROBE = fileURLToPath(new URL('../helpers/module-probe.mjs', import.meta.url));

/** The modules of the integrations, loaded only by a gateway whose config enables them. */
const INTEGRATIONS = [
  '/node_modules/prom-client/',
  '/dist/integrations/http/serving.js',
  '/dist/integrations/http/prometheus.js',
  '/dist/integrations/homeassistant/extension.js',
  '/dist/integrations/homeassistant/discovery.js',
  '/dist/integrations/epcis/extension.js',
  '/dist/integrations/epcis/mapping.js',
];
/** Commands other than `run`: never part of the service. */
const OTHER_COMMANDS = ['/dist/cli/replay-command.js', '/dist/cli/install-command.js', '/dist/install/'];

/** Runs `rfid-gateway run` with `config` until its reader is online, and lists the modules it loaded. */
async function modulesOf(config: Record<string, unknown>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'rfid-modules-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'gateway.json');
  writeFileSync(
    file,
    JSON.stringify({
      gatewayId: 'modules',
      dataDir: join(dir, 'data'),
      output: { stdout: false },
      readers: [
        {
          id: 'shelf',
          driver: 'thingmagic',
          port: `replay:${GOLDEN}`,
          replay: { portId: 'shelf', loop: true },
        },
      ],
      ...config,
    }),
  );
  const list = join(dir, 'modules.txt');
  const gateway = new CliProcess(['run', '--config', file], {
    NODE_OPTIONS: `--import=${PROBE}`,
    MODULE_PROBE_FILE: list,
  });
  onTestFinished(async () => {
    await gateway.stop('SIGKILL');
  });
  // The readers start once every feature has started (and loaded what it loads when it starts).
  await gateway.waitForLog(/"device online"/);
  expect(await gateway.stop()).toBe(0);
  return readFileSync(list, 'utf8').trim().split('\n');
}

const loaded = (modules: readonly string[], part: string) => modules.some((url) => url.includes(part));

describe('rfid-gateway run loads what its config uses', () => {
  it('leaves out the integrations the config does not enable, and the other commands', async () => {
    const broker = await startMosquitto();
    const modules = await modulesOf({ mqtt: { url: broker.url } });
    expect(loaded(modules, '/dist/app/controller.js')).toBe(true);
    for (const part of [...INTEGRATIONS, ...OTHER_COMMANDS]) expect(loaded(modules, part), part).toBe(false);
  });

  it('loads each integration the config enables when it starts', async () => {
    const broker = await startMosquitto();
    const modules = await modulesOf({
      mqtt: { url: broker.url },
      http: { port: await freePort() },
      homeassistant: { enabled: true },
      epcis: { enabled: true },
    });
    for (const part of INTEGRATIONS) expect(loaded(modules, part), part).toBe(true);
    for (const part of OTHER_COMMANDS) expect(loaded(modules, part), part).toBe(false);
  });
});
