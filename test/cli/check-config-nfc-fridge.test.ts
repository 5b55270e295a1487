import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engineChecks } from '../../src/app/config-checks.js';
import { loadConfigFile } from '../../src/config/load.js';
import { driverNamed } from '../../src/protocols/index.js';
import { runCli } from '../helpers/cli.js';

const EXAMPLE = fileURLToPath(new URL('../../config/nfc-r2000-fridge.json', import.meta.url));

/**
 * The example of a fridge built from readers a store already owns: customers' cards and phones on a
 * PN532 (NFC, on the Pi's UART), the items on an Impinj R2000 module, door and lock on a `lines`
 * controller. `check-config` accepts it as shipped (its catalog file included), and it stays that
 * fridge: test/e2e/nfc-fridge-pty.test.ts runs the same arrangement on real ptys.
 */
describe('config/nfc-r2000-fridge.json', () => {
  it('is accepted by check-config', async () => {
    const result = await runCli(['check-config', EXAMPLE]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /nfc-r2000-fridge\.json: ok \(2 reader\(s\), 1 sensor\(s\), gateway "nfc-fridge-gw"\)/,
    );
  });

  it('takes its cards from the PN532 and its items from the R2000', () => {
    const config = loadConfigFile(EXAMPLE, engineChecks);
    const [cabinet] = config.cabinets;
    const reader = (id: string | undefined) => config.readers.find((candidate) => candidate.id === id);
    expect(reader(cabinet?.cardReader)?.driver).toBe('pn532');
    expect(driverNamed('pn532').readsCards).toBe(true);
    const goods = config.readers.filter((candidate) => candidate.zone === cabinet?.zone);
    expect(goods.map((candidate) => candidate.driver)).toEqual(['r2000']);
    expect(config.sensors.find((sensor) => sensor.id === cabinet?.door.sensor)?.driver).toBe('lines');
    // Both UID sizes a store meets: a 7-byte NTAG (phones, stickers) and a 4-byte MIFARE Classic.
    const raw = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { customers: Array<{ card: string }> };
    expect(raw.customers.map((customer) => customer.card.length / 2).sort()).toEqual([4, 7]);
  });
});
