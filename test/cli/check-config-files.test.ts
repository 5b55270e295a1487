import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const CAPTURE = fileURLToPath(new URL('../../hardware/captures/fridge-demo.jsonl', import.meta.url));

/**
 * What `run` refuses at start-up, `check-config` refuses too, both with exit 2 and the same lines;
 * and `run` says so before it opens the store or any device.
 */
describe('check-config and run agree on the files a config names', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function scratch(): string {
    const dir = mkdtempSync(join(tmpdir(), 'rfid-check-files-'));
    dirs.push(dir);
    return dir;
  }

  async function bothRefuse(config: string): Promise<string[]> {
    const check = await runCli(['check-config', config]);
    expect(check.code, check.stderr).toBe(2);
    const run = await runCli(['run', '--config', config]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toBe(check.stderr);
    expect(run.stdout).toBe('');
    return check.stderr.trim().split('\n');
  }

  it('refuses missing catalog, key, certificate and capture files, and ports named twice', async () => {
    const dir = scratch();
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        dataDir: join(dir, 'data'),
        catalogFile: 'products.csv',
        readers: [
          { id: 'a', driver: 'thingmagic', port: '/dev/ttyUSB0' },
          { id: 'b', driver: 'em4100-ascii', port: `replay:${CAPTURE}`, replay: { portId: 'door' } },
        ],
        sensors: [{ id: 'io', driver: 'lines', port: '/dev/ttyUSB0' }],
        mqtt: { url: 'mqtts://broker:8883', ca: 'ca.pem' },
        security: { signedCommands: { clients: [{ id: 'pos', keyFile: 'keys/pos.key' }] } },
      }),
    );
    const lines = await bothRefuse(config);
    expect(lines[0]).toBe(`${config}: 5 problem(s)`);
    expect(lines.slice(1)).toEqual([
      'sensors[0].port: "/dev/ttyUSB0" is already readers[0]\'s port; a port has one device',
      expect.stringMatching(
        new RegExp(`^catalogFile: ${dir}/products.csv: cannot read: ENOENT: no such file or directory`),
      ),
      `security.signedCommands.clients[0].keyFile: client "pos": key file ${dir}/keys/pos.key: cannot read it (ENOENT)`,
      expect.stringMatching(new RegExp(`^mqtt.ca: ${dir}/ca.pem: cannot read: ENOENT`)),
      `readers[1].port: ${CAPTURE}:1: no port "door" in this capture (it has fridge, badge, io)`,
    ]);
    // Refused before the store was opened (or any device).
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('names every bad line of the catalog file', async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, 'products.csv'),
      'sku,gtin,name,price,currency\nCOLA-033,80614141123458,Cola,2.50,EUR\nWATER,80614141123450,Water,1.8.0,EUR\n',
    );
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        dataDir: join(dir, 'data'),
        catalogFile: 'products.csv',
        readers: [{ id: 'a', driver: 'thingmagic', port: '/dev/ttyUSB0' }],
      }),
    );
    const lines = await bothRefuse(config);
    expect(lines).toEqual([
      `${config}: 2 problem(s)`,
      expect.stringMatching(new RegExp(`^catalogFile: ${dir}/products.csv:3: price: `)),
      expect.stringMatching(new RegExp(`^catalogFile: ${dir}/products.csv:3: gtin: `)),
    ]);
  });

  it('says where JSON breaks: line and column', async () => {
    const dir = scratch();
    const config = join(dir, 'gateway.json');
    writeFileSync(config, '{\n  "gatewayId": "gw1",\n  "readers": [],\n}\n');
    const lines = await bothRefuse(config);
    expect(lines).toEqual([
      `${config}: 1 problem(s)`,
      '(root): not valid JSON at line 4, column 1: a "," before "}" (no trailing commas in JSON)',
    ]);
  });

  it('refuses an http.host the machine does not have', async () => {
    const dir = scratch();
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        readers: [{ id: 'a', driver: 'thingmagic', port: '/dev/ttyUSB0' }],
        // TEST-NET-1 (RFC 5737): on no machine.
        http: { host: '192.0.2.1', port: 9464 },
      }),
    );
    const check = await runCli(['check-config', config]);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('http.host: 192.0.2.1: no such address on this machine (EADDRNOTAVAIL)');
  });
});
