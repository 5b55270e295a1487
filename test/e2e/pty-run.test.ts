import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';

/**
 * The gateway as it runs in a store, with software in place of hardware: `rfid-gateway simulate`
 * plays a reader on one end of a socat pty pair and `rfid-gateway run` reads the other end through
 * `serialport`. Nothing is mocked between the two processes.
 */
describe('run over real pseudo-terminals', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function ptyPair(): Promise<PtyPair> {
    const pair = await createPtyPair();
    cleanup.push(() => pair.close());
    return pair;
  }

  function start(args: string[]): CliProcess {
    const process = new CliProcess(args);
    cleanup.push(() => process.stop('SIGKILL'));
    return process;
  }

  it('reads simulated readers, goes offline when the pty vanishes and back online when it returns', async () => {
    const uhf = await ptyPair();
    const badge = await ptyPair();
    const dir = mkdtempSync(join(tmpdir(), 'rfid-e2e-'));
    const config = join(dir, 'gateway.json');
    const reconnect = { initialMs: 100, maxMs: 500, stableAfterMs: 1000 };
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: 'e2e',
        dataDir: join(dir, 'data'),
        readers: [
          { id: 'uhf', driver: 'thingmagic', port: uhf.b, reconnect },
          { id: 'badge', driver: 'em4100-ascii', port: badge.b, reconnect },
        ],
      }),
    );
    // The ThingMagic simulator streams only after the gateway's start-up sequence has started it.
    const uhfSimulator = start([
      'simulate',
      '--driver',
      'thingmagic',
      '--port',
      uhf.a,
      '--tags',
      '5',
      '--rate',
      '50',
    ]);
    const badgeSimulator = start([
      'simulate',
      '--driver',
      'em4100-ascii',
      '--port',
      badge.a,
      '--tags',
      '2',
      '--rate',
      '5',
    ]);
    await uhfSimulator.waitForLog(/simulated thingmagic online/);
    await badgeSimulator.waitForLog(/simulated em4100-ascii online/);
    const gateway = start(['run', '--config', config]);

    const uhfTag = await gateway.waitForEvent(
      (e) => e.type === 'tag.arrived' && e.reader === 'uhf',
      'UHF tag',
    );
    expect(uhfTag.tag).toMatch(/^3034257BF7/);
    expect(uhfTag.epc).toMatchObject({ scheme: 'sgtin-96' });
    const badgeTag = await gateway.waitForEvent(
      (e) => e.type === 'tag.arrived' && e.reader === 'badge',
      'badge',
    );
    expect(badgeTag.tag).toMatch(/^[0-9A-F]{10}$/);

    await uhf.kill();
    const offline = await gateway.waitForEvent(
      (e) => e.type === 'reader.status' && e.reader === 'uhf' && e.state === 'offline',
      'offline status',
    );
    await uhf.restart();
    const online = await gateway.waitForEvent(
      (e) =>
        e.type === 'reader.status' &&
        e.reader === 'uhf' &&
        e.state === 'online' &&
        (e.seq as number) > (offline.seq as number),
      'online again',
    );
    // While it was unplugged its tags were held, not departed (a loose cable is not "everything
    // was taken"), and its zone's inventory said it was stale.
    await gateway.waitForEvent(
      (e) => e.type === 'inventory.changed' && e.zone === 'uhf' && typeof e.stale === 'string',
      'stale inventory',
    );
    await gateway.waitForEvent(
      (e) =>
        e.type === 'inventory.changed' &&
        e.zone === 'uhf' &&
        e.stale === undefined &&
        (e.seq as number) > (online.seq as number),
      'inventory fresh again',
    );
    // Reads flow again (the start-up sequence ran again on the reopened port): past the 3 s
    // hold-off after the release, nothing has departed and nothing arrived twice.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    const uhfEvents = gateway.events().filter((e) => e.reader === 'uhf' || e.zone === 'uhf');
    expect(uhfEvents.filter((e) => e.type === 'tag.departed')).toEqual([]);
    const arrivals = uhfEvents.filter((e) => e.type === 'tag.arrived').map((e) => e.tag);
    expect(arrivals).toEqual([...new Set(arrivals)]);
    // The badge reader never noticed.
    expect(
      gateway
        .events()
        .filter((e) => e.type === 'reader.status' && e.reader === 'badge' && e.state === 'offline'),
    ).toEqual([]);

    const seqs = gateway.events().map((e) => e.seq as number);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    expect(await gateway.stop('SIGTERM')).toBe(0);
  });
});
