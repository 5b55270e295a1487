import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeEpc } from '../../src/core/epc.js';
import { encodeId12Frame } from '../../src/protocols/em4100-ascii/codec.js';
import { encodeSensorLine } from '../../src/protocols/lines/encode.js';
import { sgtin96 } from '../../src/shared/sgtin.js';
import {
  artefactDir,
  BROWSER_MISSING,
  BROWSER_REQUIRED,
  CHROMIUM,
  consoleAddress,
  useBrowser,
} from '../helpers/browser.js';
import { CliProcess } from '../helpers/cli.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { PtyModule } from '../helpers/pty-module.js';

const COLA = sgtin96({ itemReference: 812345, serial: 1 });
const WATER = sgtin96({ itemReference: 812346, serial: 1 });
const PRICES: Readonly<Record<string, number>> = { [COLA]: 250, [WATER]: 180 };
const CARD = '0500207B32';
const GATEWAY = 'review-gw';

if (!CHROMIUM && !BROWSER_REQUIRED)
  console.warn(`test/console/review-browser.test.ts skipped: ${BROWSER_MISSING}`);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A fridge on real ptys (a ThingMagic module played in this process, an ID-12 card reader, a
 * `lines` door and lock controller), its reader hung mid-session so that the purchase ends
 * uncertain; a person resolves it from the console's Review page in Chromium, and the decision
 * reaches a real Mosquitto as `purchase.resolved`.
 */
describe.skipIf(!CHROMIUM && !BROWSER_REQUIRED)("the console's Review page in a real browser", () => {
  const { browser, cleanup } = useBrowser({ beforeAll, afterAll, afterEach });

  it('resolves an uncertain purchase, and the decision reaches the broker for the payment side', async () => {
    const pair = async (): Promise<PtyPair> => {
      const pty = await createPtyPair();
      cleanup.push(() => pty.close());
      return pty;
    };
    const [uhf, badge, io] = [await pair(), await pair(), await pair()];
    const module = new PtyModule(uhf);
    cleanup.push(() => module.stop());
    module.field = [COLA, WATER];
    const broker = await startMosquitto();
    const collector = await MqttCollector.start(broker.url, `rfid/${GATEWAY}/events/#`);
    cleanup.push(() => collector.close());
    const dir = mkdtempSync(join(tmpdir(), 'rfid-review-'));
    const gtin = (tag: string) => decodeEpc(tag)?.gtin as string;
    writeFileSync(
      join(dir, 'catalog.csv'),
      [
        'sku,gtin,name,price,currency,category,tags',
        `COLA-033,${gtin(COLA)},Cola 0.33 l,2.50,EUR,drinks,`,
        `WATER-05,${gtin(WATER)},Water 0.5 l,1.80,EUR,drinks,`,
      ].join('\n'),
    );
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: GATEWAY,
        dataDir: join(dir, 'data'),
        logLevel: 'info',
        catalogFile: 'catalog.csv',
        mqtt: { url: broker.url },
        http: { host: '127.0.0.1', port: 0 },
        readers: [
          { id: 'fridge', driver: 'thingmagic', port: uhf.b, zone: 'fridge', stalledAfterMs: 500 },
          { id: 'badge', driver: 'em4100-ascii', port: badge.b, zone: 'entrance' },
        ],
        sensors: [{ id: 'io', driver: 'lines', port: io.b, zone: 'fridge' }],
        actuators: [{ id: 'lock', driver: 'lines', device: 'io', channel: 'lock', safeState: 'closed' }],
        cabinets: [
          {
            id: 'fridge-1',
            zone: 'fridge',
            cardReader: 'badge',
            door: { sensor: 'io' },
            lock: 'lock',
            currency: 'EUR',
            settle: { maxMs: 3000 },
            search: { enabled: false },
          },
        ],
        customers: [{ card: CARD, reference: 'cust-1' }],
      }),
    );
    const gateway = new CliProcess(['run', '--config', config]);
    cleanup.push(() => gateway.stop('SIGKILL'));
    const door = (value: 'open' | 'closed') => io.writeA(encodeSensorLine({ door: value }));
    await gateway.waitForEvent(
      (e) => e.type === 'reader.status' && e.reader === 'fridge' && e.state === 'online',
      'online',
    );
    door('closed');
    await pause(7000); // read histories (20 rounds by default) before anyone opens the door

    // A customer takes the water; the reader hangs before the door closes: nobody can say what left.
    badge.writeA(encodeId12Frame(Buffer.from(CARD, 'hex')));
    await gateway.waitForEvent((e) => e.type === 'purchase.started', 'the session');
    door('open');
    await pause(800);
    module.field = [COLA];
    module.hung = true;
    await pause(400);
    door('closed');
    const uncertain = await gateway.waitForEvent(
      (e) => e.type === 'purchase.cancelled' && e.confidence === 'uncertain',
      'the uncertain purchase',
      20_000,
    );
    const session = String(uncertain.session);
    module.hung = false;

    const address = await consoleAddress(gateway);
    const page = await browser().newPage({ locale: 'en-US', viewport: { width: 1000, height: 900 } });
    cleanup.push(() => page.close());
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await page.goto(`${address}/#/review`);
    const card = page.locator(`[data-review="${session}"]`);
    await card.waitFor();
    // The reader heard nothing leave: the page offers what was inside when the door opened, by
    // name; the person (who saw the water go) ticks it.
    const listed = await (
      await fetch(`${address}/api/request/sessions/get`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ session }),
      })
    ).text();
    expect(listed, listed).toContain(COLA);
    await card.locator(`[data-candidate="${COLA}"]`).waitFor();
    expect(await card.locator(`[data-candidate="${WATER}"]`).textContent()).toContain('Water 0.5 l');
    const water = card.locator(`[data-candidate="${WATER}"] input`);
    if (!(await water.isChecked())) await water.check();
    const ticked = await card.locator('input[type="checkbox"]:checked').count();
    await page.screenshot({ path: join(artefactDir('console'), 'review.png'), fullPage: true });
    await card.locator('[data-action="charge"]').click();
    // Confirmed, then gone from the list once decided.
    await card.waitFor({ state: 'detached', timeout: 15_000 });
    expect(dialogs).toEqual([`Charge the ticked items to this customer? (${ticked})`]);

    const resolved = await gateway.waitForEvent((e) => e.type === 'purchase.resolved', 'the decision');
    const items = resolved.items as Array<{ tag: string; unitPrice: number }>;
    expect(items.map((item) => item.tag)).toContain(WATER);
    // Priced from the catalog written above, by hand: the sum of what was ticked.
    expect(resolved).toMatchObject({
      session,
      cabinet: 'fridge-1',
      customer: 'cust-1',
      currency: 'EUR',
      // The console here has no signing client: its claimed name, unverified.
      resolvedBy: 'console',
      byVerified: false,
      total: items.reduce((sum, item) => sum + (PRICES[item.tag] ?? Number.NaN), 0),
    });
    await collector.waitFor(
      (messages) => messages.some((message) => message.topic === `rfid/${GATEWAY}/events/purchase/resolved`),
      'purchase.resolved on the broker',
    );
    const onBroker = collector.events().find((event) => event.type === 'purchase.resolved');
    expect(onBroker).toEqual(resolved);
    // Audited as any state-changing request: the audit trail says the console resolved it.
    const audit = (await (
      await fetch(`${address}/api/request/audit/get`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      })
    ).json()) as { status: string; data: { entries: Array<{ command: string; outcome: string }> } };
    expect(audit.status).toBe('ok');
    expect(
      audit.data.entries.some((entry) => entry.command === 'purchases/resolve' && entry.outcome === 'ok'),
    ).toBe(true);
    await page.goto(`${address}/#/review`);
    await page.waitForSelector('text=Nothing to review');
  }, 90_000);
});
