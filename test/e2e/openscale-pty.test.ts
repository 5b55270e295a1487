import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BOOT_BANNER } from '../../src/protocols/openscale/fixtures.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { createPtyPair } from '../helpers/pty.js';

/**
 * An OpenScale as the gateway meets it in a store: `rfid-gateway run` opens one end of a socat pty
 * pair through `serialport` at 9600 baud, and the test writes the scale's bytes, in the firmware's
 * format, to the other end: lines split across writes, garbage, a change of unit, the NULs of an
 * unplugged adapter, then the pty vanishes.
 */
describe('an OpenScale over a real pseudo-terminal', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('turns its readings into weight events in grams and goes offline when unplugged', async () => {
    const pair = await createPtyPair();
    cleanup.push(() => pair.close());
    const dir = mkdtempSync(join(tmpdir(), 'rfid-scale-'));
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: 'e2e',
        dataDir: join(dir, 'data'),
        sensors: [
          {
            id: 'scale',
            driver: 'openscale',
            port: pair.b,
            zone: 'fridge',
            reconnect: { initialMs: 100, maxMs: 500, stableAfterMs: 1000 },
          },
        ],
      }),
    );
    expect((await runCli(['check-config', config])).code).toBe(0);

    const gateway = new CliProcess(['run', '--config', config]);
    cleanup.push(() => gateway.stop('SIGKILL'));
    // The port open is not the scale online: that is its first reading (it promises one a second).
    for (
      let waited = 0;
      !gateway.stderr.includes('port open: online once the device is ready');
      waited += 50
    ) {
      if (waited > 15_000) throw new Error(`the scale's port did not open:\n${gateway.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ascii = (text: string) => Buffer.from(text, 'latin1');
    const written: Array<Uint8Array> = [
      BOOT_BANNER,
      // One line in two writes.
      ascii('1041,0.7'),
      ascii('7,lbs,23.94,\r\n'),
      ascii('1500,0.77,lbs,23.94,\r\n'),
      ascii('\xf0\x0f\x80garbage\r\n'),
      ascii('1959,0.78,lbs,23.94,\r\n'),
      // Menu item 6 pressed at the scale: kg from now on.
      ascii('\n\rUnits set to kg\r\nExiting\r\n'),
      ascii('2418,0.350,kg,23.94,\r\n'),
      new Uint8Array(32),
      ascii('\r\n2877,0.000,kg,23.94,\r\n'),
    ];
    for (const chunk of written) {
      pair.writeA(chunk);
      // Gives the split line a chance to arrive in two chunks; the result does not depend on it.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await gateway.waitForEvent(
      (e) => e.type === 'sensor.changed' && e.sensor === 'scale' && e.value === 0,
      'the empty scale',
    );
    expect(
      gateway
        .events()
        .some((e) => e.type === 'reader.status' && e.reader === 'scale' && e.state === 'online'),
    ).toBe(true);
    const weights = gateway
      .events()
      .filter((e) => e.type === 'sensor.changed' && e.sensor === 'scale')
      .map((e) => [e.channel, e.value, e.zone]);
    expect(weights).toEqual([
      ['weight', 349.3, 'fridge'],
      ['weight', 353.8, 'fridge'],
      ['weight', 350, 'fridge'],
      ['weight', 0, 'fridge'],
    ]);

    await pair.kill();
    await gateway.waitForEvent(
      (e) => e.type === 'reader.status' && e.reader === 'scale' && e.state === 'offline',
      'scale offline',
    );
    expect(gateway.stderr).toMatch(/"firmware":"1.2".*reader rebooted/);
    expect(gateway.stderr).toMatch(/decode error/);
    expect(await gateway.stop('SIGTERM')).toBe(0);
  });
});
