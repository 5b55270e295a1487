import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli.js';
import { createPtyPair } from '../helpers/pty.js';
import { PtyModule } from '../helpers/pty-module.js';

const TAG_A = '3034257BF7194E4000000001';
const TAG_B = '3034257BF7194E4000000002';
/**
 * `rfid-gateway run` on a real pty (socat) with a ThingMagic module played on its other end: a
 * module that hangs with the port open, and one that is still booting after a replug, never make
 * the gateway report its tags gone.
 */
describe('reader liveness over a real pty', () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('holds the tags of a hung reader and of one still booting after a replug; nothing departs until it reads again', async () => {
    const pty = await createPtyPair();
    cleanup.push(() => pty.close());
    const module = new PtyModule(pty);
    cleanup.push(() => module.stop());
    module.field = [TAG_A, TAG_B];
    const dir = mkdtempSync(join(tmpdir(), 'rfid-liveness-'));
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: 'live',
        dataDir: join(dir, 'data'),
        logLevel: 'warn',
        readers: [
          {
            id: 'fridge',
            driver: 'thingmagic',
            port: pty.b,
            zone: 'fridge',
            // The module above streams every 100 ms: silent for 500 ms, it is stalled.
            stalledAfterMs: 500,
            reconnect: { initialMs: 100, maxMs: 500, stableAfterMs: 1000 },
          },
        ],
        zones: [{ id: 'fridge', departAfterMs: 1000 }],
      }),
    );
    const gateway = new CliProcess(['run', '--config', config]);
    cleanup.push(() => gateway.stop('SIGKILL'));
    const statuses = () =>
      gateway.events().flatMap((event) => (event.type === 'reader.status' ? [String(event.state)] : []));
    const departed = () => gateway.events().filter((event) => event.type === 'tag.departed');
    const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    await gateway.waitForEvent((e) => e.type === 'reader.status' && e.state === 'online', 'online');
    await gateway.waitForEvent((e) => e.type === 'tag.arrived' && e.tag === TAG_B, 'B arrived');

    // Hung with its port open: stalled, and its tags held however long it stays silent.
    module.hung = true;
    await gateway.waitForEvent((e) => e.type === 'reader.status' && e.state === 'stalled', 'stalled');
    await settle(3000);
    expect(departed()).toEqual([]);
    expect(statuses().at(-1)).not.toBe('online');
    // It talks again, with B taken meanwhile: online, and only B departs, after the hold-off.
    module.field = [TAG_A];
    module.hung = false;
    await gateway.waitForEvent(
      (e) => e.type === 'tag.departed' && e.tag === TAG_B,
      'B departed after the reader came back',
    );
    expect(statuses().slice(0, 3)).toEqual(['online', 'stalled', 'online']);

    // Unplugged; plugged in again while the module is still booting (its start-up unanswered) for
    // longer than the hold-off: offline, perhaps error, never online, and A does not depart.
    const before = statuses().length;
    module.field = [TAG_A];
    await pty.kill();
    await gateway.waitForEvent(
      (e) => e.type === 'reader.status' && e.state === 'offline',
      'offline after the unplug',
    );
    module.powerCycle();
    module.booting = true;
    await pty.restart();
    await settle(4000);
    expect(statuses().slice(before)).not.toContain('online');
    expect(departed().map((event) => event.tag)).toEqual([TAG_B]);
    // Booted: its start-up is answered, it streams, and A was there all along.
    module.booting = false;
    const deadline = Date.now() + 15_000;
    while (!statuses().slice(before).includes('online')) {
      if (Date.now() > deadline) throw new Error(`not online after the boot: ${statuses().join(', ')}`);
      await settle(50);
    }
    await settle(1500);
    expect(statuses().slice(before).at(-1)).toBe('online');
    expect(departed().map((event) => event.tag)).toEqual([TAG_B]);
    expect(
      gateway.events().filter((event) => event.type === 'tag.arrived' && event.tag === TAG_A),
    ).toHaveLength(1);
  }, 60_000);
});
