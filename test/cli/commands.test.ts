import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const example = (name: string) => fileURLToPath(new URL(`../../config/${name}`, import.meta.url));

describe('check-config, schema, ports', () => {
  it('accepts a valid config', async () => {
    const result = await runCli(['check-config', example('door.json')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/door\.json: ok \(2 reader\(s\), 0 sensor\(s\), gateway "door-gw"\)/);
  });

  it('prints every problem with its path and exits 2', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rfid-check-')), 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        readers: [
          { id: 'a', driver: 'thingmagic', port: '/dev/ttyUSB0' },
          { id: 'b', driver: 'thingmagic', port: '/dev/ttyUSB1', baudRate: 12 },
        ],
        doors: [{ id: 'front', path: ['a', 'outside'] }],
      }),
    );
    const result = await runCli(['check-config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('readers[1].baudRate: ');
    const afterSchema = join(mkdtempSync(join(tmpdir(), 'rfid-check-')), 'refs.json');
    writeFileSync(
      afterSchema,
      JSON.stringify({
        readers: [{ id: 'a', driver: 'thingmagic', port: '/dev/x' }],
        doors: [{ id: 'd', path: ['a', 'outside'] }],
      }),
    );
    const refs = await runCli(['check-config', afterSchema]);
    expect(refs.code).toBe(2);
    expect(refs.stderr).toContain('doors[0].path[1]: unknown zone "outside"');
  });

  it('refuses a reconnect policy the transport would refuse at start, and names bad values', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rfid-check-')), 'backoff.json');
    writeFileSync(
      file,
      JSON.stringify({
        readers: [
          {
            id: 'a',
            driver: 'thingmagic',
            port: 'tcp://ser2net:4001',
            reconnect: { initialMs: 1000, maxMs: 500 },
          },
          { id: 'b', driver: 'foo', port: '/dev/ttyUSB1' },
        ],
        mqtt: { url: 'mqtt://broker', reconnect: { initialMs: 90_000 } },
      }),
    );
    const result = await runCli(['check-config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toEqual(
      expect.arrayContaining([
        'readers[0].reconnect.maxMs: must be >= initialMs (1000), got 500',
        'readers[1].driver: Invalid option: expected one of "thingmagic"|"r2000"|"chafon"|"pn532"|"em4100-ascii", got "foo"',
        'mqtt.reconnect.maxMs: must be >= initialMs (90000), got 60000',
      ]),
    );
  });

  it('prints a JSON Schema generated from the config schema', async () => {
    const result = await runCli(['schema']);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.properties.readers.items.properties.driver.enum).toEqual([
      'thingmagic',
      'r2000',
      'chafon',
      'pn532',
      'em4100-ascii',
    ]);
    expect(schema.properties.zones.items.properties.departAfterMs.default).toBe(3000);
    expect(schema.additionalProperties).toBe(false);
  });

  it('lists ports without udev', async () => {
    const result = await runCli(['ports']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('prints usage', async () => {
    const result = await runCli(['help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/rfid-gateway <command>/);
  });
});
