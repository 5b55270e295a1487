import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli.js';

const CONFIG = fileURLToPath(new URL('../../config/demo.json', import.meta.url));
const CAPTURE = fileURLToPath(new URL('../../hardware/captures/fridge-demo.jsonl', import.meta.url));
const CATALOG = fileURLToPath(new URL('../../config/demo-catalog.csv', import.meta.url));

/**
 * `rfid-gateway run` SIGKILLed while Ana's fridge door is open (the demo fridge played at 4x real
 * time from its capture), then started again on the same store: the session is recovered, settled
 * when the door closes, and charged exactly once for what she took (a cola and an orange juice).
 */
describe('a gateway killed mid-session (SIGKILL, real processes, real store)', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('recovers the session at restart and charges it once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rfid-kill-fridge-'));
    const config = JSON.parse(readFileSync(CONFIG, 'utf8')) as Record<string, unknown>;
    delete config.mqtt;
    // This one is about the store kept across a restart, which the demo starts afresh every time.
    delete config.resetStoreAtStart;
    const replay = (id: string) => ({ speed: 4, loop: false, portId: id });
    const devices = (list: unknown) =>
      (list as Array<Record<string, unknown>>).map((device) => ({
        ...device,
        port: `replay:${CAPTURE}`,
        replay: replay(String(device.id)),
      }));
    const file = join(dir, 'gateway.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...config,
        dataDir: join(dir, 'data'),
        catalogFile: CATALOG,
        logLevel: 'warn',
        readers: devices(config.readers),
        // At 4x real time an inventory round of the capture lasts a quarter as long.
        cabinets: (config.cabinets as Array<Record<string, unknown>>).map((cabinet) => ({
          ...cabinet,
          settle: { cycleMs: 62 },
        })),
        sensors: devices(config.sensors),
      }),
    );

    const first = new CliProcess(['run', '--config', file]);
    cleanup.push(() => first.stop('SIGKILL'));
    const started = await first.waitForEvent((e) => e.type === 'purchase.started', 'the session');
    await first.waitForEvent((e) => e.type === 'sensor.changed' && e.value === 'open', 'the door open');
    // The items leave at 21 and 21.5 s of the capture; the door closes at 24 s.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await first.stop('SIGKILL')).toBe(null);
    expect(
      first.events().filter((e) => String(e.type).startsWith('purchase.') && e.type !== 'purchase.started'),
    ).toEqual([]);

    const second = new CliProcess(['run', '--config', file]);
    cleanup.push(() => second.stop('SIGKILL'));
    const completed = await second.waitForEvent(
      (e) => e.type === 'purchase.completed' && e.session === started.session,
      'the recovered session completed',
      30_000,
    );
    const items = completed.items as Array<{ sku: string }>;
    expect(items.map((item) => item.sku).sort()).toEqual(['COLA-033', 'OJ-025']);
    expect(completed.total).toBe(470);
    // The capture plays on to Ben's purchase; Ana's session is never charged again.
    await second.waitForEvent(
      (e) => e.type === 'purchase.completed' && e.customer === 'cust-0042',
      "Ben's purchase",
      30_000,
    );
    expect(await second.stop('SIGTERM')).toBe(0);
    const anas = second
      .events()
      .filter((e) => e.type === 'purchase.completed' && e.session === started.session);
    expect(anas).toHaveLength(1);
    // No gap in this run's seq.
    const seqs = second.events().map((e) => e.seq as number);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
  });
});
