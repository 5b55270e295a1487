import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEpc } from '../../src/core/epc.js';
import { encodeId12Frame } from '../../src/protocols/em4100-ascii/codec.js';
import { encodeSensorLine } from '../../src/protocols/lines/encode.js';
import { sgtin96 } from '../../src/shared/sgtin.js';
import { CliProcess } from '../helpers/cli.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { PtyModule } from '../helpers/pty-module.js';
import { fridgeDevices } from '../kits/config/fridge.js';

const COLA_A = sgtin96({ itemReference: 812345, serial: 1 });
const COLA_C = sgtin96({ itemReference: 812345, serial: 2 });
const WATER_B = sgtin96({ itemReference: 812346, serial: 1 });
/** A pudding whose tag is dead: on the shelf and on the scale, never read. */
const PUDDING_GRAMS = 120;
const CARD = '0500207B32';

/**
 * A weighing fridge as it runs in a store, on real pseudo-terminals: `rfid-gateway run` reads a
 * ThingMagic module played in this process, an ID-12 card reader and a `lines` controller that
 * reports the door and, ten times a second, the scale under the shelves. One customer takes a
 * water: charged, the weight agreeing. The next takes the pudding whose tag nobody ever read: the
 * tags say nothing left, the scale says 120 g did: uncertain, never a silent undercharge.
 */
interface FridgeOptions {
  /** A scale on the controller (its samples are written ten times a second). */
  scale: boolean;
  settle?: Record<string, number>;
  search?: Record<string, number | boolean>;
}

describe('a weighing fridge over real ptys', () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** The gateway on three ptys (fridge reader, card reader, door/lock/scale controller). */
  async function startFridge(options: FridgeOptions) {
    const pair = async (): Promise<PtyPair> => {
      const pty = await createPtyPair();
      cleanup.push(() => pty.close());
      return pty;
    };
    const [uhf, badge, io] = [await pair(), await pair(), await pair()];
    const module = new PtyModule(uhf);
    cleanup.push(() => module.stop());
    module.field = [COLA_A, COLA_C, WATER_B];
    const shelf = { grams: 350 + 350 + 520 + PUDDING_GRAMS, wobble: 0 };
    if (options.scale) {
      // 10 samples a second, 1 g of noise (a fixed pattern: the test must not depend on luck).
      let tick = 0;
      const scale = setInterval(() => {
        tick += 1;
        const noise = [0.6, -0.4, 1.1, -0.9, 0.2, -1.2, 0.8, -0.1][tick % 8] as number;
        const shake = shelf.wobble * (tick % 2 === 0 ? 1 : -1);
        try {
          io.writeA(encodeSensorLine({ weight: Math.round((shelf.grams + noise + shake) * 10) / 10 }));
        } catch {
          // the pty is being closed
        }
      }, 100);
      cleanup.push(() => clearInterval(scale));
    }
    const dir = mkdtempSync(join(tmpdir(), 'rfid-weighing-'));
    const gtin = (tag: string) => decodeEpc(tag)?.gtin as string;
    writeFileSync(
      join(dir, 'catalog.csv'),
      [
        'sku,gtin,name,price,currency,category,tags,unit_weight_g,weight_tolerance_g',
        `COLA-033,${gtin(COLA_A)},Cola 0.33 l,2.50,EUR,drinks,,350,5`,
        `WATER-05,${gtin(WATER_B)},Water 0.5 l,1.80,EUR,drinks,,520,8`,
      ].join('\n'),
    );
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: 'weighing',
        dataDir: join(dir, 'data'),
        logLevel: 'warn',
        catalogFile: 'catalog.csv',
        ...fridgeDevices(
          { fridge: uhf.b, badge: badge.b, io: io.b },
          {
            reader: {
              settings: { readPowerDbm: 20 },
              // The module streams every 100 ms: silent for 500 ms, it is stalled.
              stalledAfterMs: 500,
            },
            sensor: { reportMinChange: { weight: 20 } },
            cabinet: {
              currency: 'EUR',
              settle: { maxMs: 4000, ...options.settle },
              ...(options.scale ? { scale: { sensor: 'io' } } : {}),
              ...(options.search ? { search: options.search } : {}),
            },
          },
        ),
        customers: [{ card: CARD, reference: 'cust-1' }],
      }),
    );
    const gateway = new CliProcess(['run', '--config', config]);
    cleanup.push(() => gateway.stop('SIGKILL'));
    const door = (value: 'open' | 'closed') => io.writeA(encodeSensorLine({ door: value }));
    /** A customer's card, the door open, `take()` done by their hands, the door closed. */
    const session = async (take: () => void) => {
      const starts = gateway.events().filter((e) => e.type === 'purchase.started').length;
      badge.writeA(encodeId12Frame(Buffer.from(CARD, 'hex')));
      const deadline = Date.now() + 10_000;
      while (gateway.events().filter((e) => e.type === 'purchase.started').length === starts) {
        if (Date.now() > deadline) throw new Error(`no session started:\n${gateway.stderr}`);
        await pause(50);
      }
      door('open');
      shelf.wobble = 60; // hands on the shelves
      await pause(800);
      take();
      await pause(800);
      door('closed');
      shelf.wobble = 0;
    };
    await gateway.waitForEvent(
      (e) => e.type === 'reader.status' && e.reader === 'fridge' && e.state === 'online',
      'online',
    );
    door('closed');
    return { module, shelf, gateway, session };
  }

  it('charges what the tags and the scale agree on, and leaves a basket the tags cannot explain uncertain', async () => {
    const { module, shelf, gateway, session } = await startFridge({ scale: true });
    // Rounds enough for every tag's read history (20 by default), and idle samples for the noise.
    await pause(7000);

    await session(() => {
      module.field = [COLA_A, COLA_C];
      shelf.grams -= 520;
    });
    const completed = await gateway.waitForEvent((e) => e.type === 'purchase.completed', 'the water charged');
    expect((completed.items as Array<{ tag: string }>).map((item) => item.tag)).toEqual([WATER_B]);
    expect(completed.total).toBe(180);
    expect((completed.evidence as { weight: { status: string } }).weight.status).toMatch(/agreed|decided/);

    await pause(2000);
    await session(() => {
      shelf.grams -= PUDDING_GRAMS;
    });
    const uncertain = await gateway.waitForEvent(
      (e) => e.type === 'purchase.cancelled' && e.confidence === 'uncertain',
      'the pudding nobody read',
    );
    const reasons = uncertain.reasons as string[];
    expect(reasons.some((reason) => reason.startsWith('weight_mismatch'))).toBe(true);
    const weight = (uncertain.evidence as { weight: { status: string; unexplainedG: number } }).weight;
    expect(weight.status).toBe('disagreed');
    expect(Math.abs(weight.unexplainedG - PUDDING_GRAMS)).toBeLessThan(10);
    expect(gateway.events().filter((e) => e.type === 'purchase.completed')).toHaveLength(1);
  }, 60_000);

  it('searches the reader for what its reads leave undecided; a reader that hangs mid-session leaves it uncertain', async () => {
    // No scale; the idle calibration searches every 5 s, so each tag is measured before the sessions.
    const { module, gateway, session } = await startFridge({
      scale: false,
      search: { calibrateEveryMs: 5000, calibrateTags: 3 },
    });
    await pause(11_000);

    await session(() => {
      module.field = [COLA_A, COLA_C];
    });
    const completed = await gateway.waitForEvent((e) => e.type === 'purchase.completed', 'the water charged');
    expect((completed.items as Array<{ tag: string }>).map((item) => item.tag)).toEqual([WATER_B]);
    const search = (completed.evidence as { search?: { searches: number } } | undefined)?.search;
    expect(search?.searches).toBeGreaterThanOrEqual(1);
    expect(gateway.stderr).not.toMatch(/"level":50/);

    // The module hangs with its port open while the next customer's door is open: stalled, nothing
    // departs, the session is uncertain; it talks again and is online.
    await pause(1500);
    const departedBefore = gateway
      .events()
      .filter((e) => e.type === 'tag.departed' && e.zone === 'fridge').length;
    await session(() => {
      module.hung = true;
      module.field = [COLA_A];
    });
    const uncertain = await gateway.waitForEvent(
      (e) => e.type === 'purchase.cancelled' && e.confidence === 'uncertain',
      'the session on a hung reader',
    );
    expect((uncertain.reasons as string[]).some((reason) => reason.includes('stalled'))).toBe(true);
    // Held, not gone: neither the cola still inside nor the one taken while nobody could hear (the
    // card reader's departures are the card taken away: its silence means just that).
    const fridgeDepartures = () =>
      gateway.events().filter((e) => e.type === 'tag.departed' && e.zone === 'fridge');
    expect(fridgeDepartures().slice(departedBefore)).toEqual([]);
    module.hung = false;
    await gateway.waitForEvent(
      (e) =>
        e.type === 'reader.status' &&
        e.reader === 'fridge' &&
        e.state === 'online' &&
        Number(e.seq) > Number(uncertain.seq),
      'online again',
    );
    expect(gateway.events().filter((e) => e.type === 'purchase.completed')).toHaveLength(1);
  }, 60_000);
});
