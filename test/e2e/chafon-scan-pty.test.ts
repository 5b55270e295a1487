import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chafonDriver } from '../../src/protocols/chafon/index.js';
import { CliProcess } from '../helpers/cli.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { PtyDevice } from '../helpers/pty-device.js';

const EPC_A = '3034257BF7194E4000000001';
const EPC_B = '3034257BF7194E4000000002';

/**
 * CRC-16 of the Chafon frames, written out here from the UHFReader18 manual (preset 0xFFFF,
 * polynomial 0x8408, reflected, low byte first) rather than taken from the driver under test.
 */
function crc(bytes: readonly number[]): number[] {
  let value = 0xffff;
  for (const byte of bytes) {
    value ^= byte;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? (value >>> 1) ^ 0x8408 : value >>> 1;
  }
  return [value & 0xff, value >>> 8];
}

/** Set work mode (0x35) to the broadcast address: LEN ADR CMD, six data bytes, CRC. */
function setWorkMode(data: readonly number[]): string {
  const body = [0x0a, 0xff, 0x35, ...data];
  return Buffer.from([...body, ...crc(body)]).toString('hex');
}
/** Answer mode: six zeros ([CF] set_answer_mode_reader_18). */
const ANSWER_MODE = setWorkMode([0, 0, 0, 0, 0, 0]);
/** Scan mode: Read_mode 1, RS-232 output with the buzzer off, multi-tag EPC output, one word. */
const SCAN_MODE = setWorkMode([0x01, 0x06, 0x04, 0x00, 0x01, 0x00]);

/**
 * A Chafon reader in scan mode (it pushes each read as an 0xEE frame, unpolled) on a real pty:
 * `run` puts it in scan mode at its start-up, reads what it pushes, and puts it back in answer mode
 * when it stops, so that a reader left behind answers its host again.
 */
describe('a Chafon reader in scan mode on a real pty', () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  function gatewayOn(pty: PtyPair): CliProcess {
    const dir = mkdtempSync(join(tmpdir(), 'rfid-chafon-scan-'));
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: 'scan',
        dataDir: join(dir, 'data'),
        logLevel: 'warn',
        readers: [{ id: 'desk', driver: 'chafon', port: pty.b, zone: 'desk', settings: { mode: 'scan' } }],
      }),
    );
    const gateway = new CliProcess(['run', '--config', config]);
    cleanup.push(() => gateway.stop('SIGKILL'));
    return gateway;
  }

  it('reads the tags it pushes, and leaves it in answer mode at stop', async () => {
    const pty = await createPtyPair();
    cleanup.push(() => pty.close());
    const device = new PtyDevice(pty, () => chafonDriver.createSimulator(), { pushEveryMs: 100 });
    cleanup.push(() => device.stop());
    device.field = [EPC_A, EPC_B];
    const gateway = gatewayOn(pty);

    for (const tag of [EPC_A, EPC_B]) {
      const arrived = await gateway.waitForEvent(
        (e) => e.type === 'tag.arrived' && e.tag === tag,
        `${tag} pushed and arrived`,
      );
      expect(arrived).toMatchObject({ reader: 'desk', zone: 'desk' });
    }
    await gateway.waitForEvent((e) => e.type === 'reader.status' && e.state === 'online', 'online');
    const heard = () => device.heard.toString('hex');
    expect(heard()).toContain(SCAN_MODE);
    // Nothing is polled in scan mode: the reader would ignore an inventory.
    expect(heard()).not.toMatch(/^(..)*04ff01/);

    expect(await gateway.stop('SIGTERM')).toBe(0);
    // The shutdown's "set answer mode", after the start-up's scan mode, is the last thing it sent.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(heard().endsWith(ANSWER_MODE)).toBe(true);
    expect(heard().indexOf(SCAN_MODE)).toBeLessThan(heard().lastIndexOf(ANSWER_MODE));
    expect(gateway.events().filter((e) => e.type === 'tag.departed')).toEqual([]);
  });

  it('reads the tags `simulate --driver chafon` pushes once the start-up put it in scan mode', async () => {
    const pty = await createPtyPair();
    cleanup.push(() => pty.close());
    const simulator = new CliProcess([
      'simulate',
      '--driver',
      'chafon',
      '--port',
      pty.a,
      '--tags',
      '3',
      '--rate',
      '30',
    ]);
    cleanup.push(() => simulator.stop('SIGKILL'));
    await simulator.waitForLog(/simulated chafon online/);
    const gateway = gatewayOn(pty);
    // The simulator's three tags (seed 1): SGTIN-96 0614141, item 812345+i, serial 1000+i.
    const expected = new Set([
      'urn:epc:id:sgtin:0614141.812345.1000',
      'urn:epc:id:sgtin:0614141.812346.1001',
      'urn:epc:id:sgtin:0614141.812347.1002',
    ]);
    const arrived = () =>
      new Set(
        gateway
          .events()
          .filter((e) => e.type === 'tag.arrived')
          .map((e) => (e.epc as { uri?: string } | undefined)?.uri),
      );
    const deadline = Date.now() + 15_000;
    while (arrived().size < expected.size) {
      if (Date.now() > deadline)
        throw new Error(`arrived ${[...arrived()].join(', ')} only\n${gateway.stderr.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(arrived()).toEqual(expected);
    expect(await gateway.stop('SIGTERM')).toBe(0);
  });
});
