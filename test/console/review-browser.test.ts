import { join } from 'node:path';
import { expect, it } from 'vitest';
import { decodeEpc } from '../../src/core/epc.js';
import { encodeId12Frame } from '../../src/protocols/em4100-ascii/codec.js';
import { sgtin96 } from '../../src/shared/sgtin.js';
import { acceptDialogs, artefactDir, consoleAddress, describeInBrowser } from '../helpers/browser.js';
import { postRequest, ptyFridgeGateway } from '../helpers/console-gateways.js';

const COLA = sgtin96({ itemReference: 812345, serial: 1 });
const WATER = sgtin96({ itemReference: 812346, serial: 1 });
const PRICES: Readonly<Record<string, number>> = { [COLA]: 250, [WATER]: 180 };
const CARD = '0500207B32';
const GATEWAY = 'review-gw';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A fridge on real ptys (a ThingMagic module played in this process, an ID-12 card reader, a
 * `lines` door and lock controller), its reader hung mid-session so that the purchase ends
 * uncertain; a person resolves it from the console's Review page in Chromium, and the decision
 * reaches a real Mosquitto as `purchase.resolved`.
 */
describeInBrowser(
  import.meta.url,
  "the console's Review page in a real browser",
  ({ cleanup, page: newPage }) => {
    it('resolves an uncertain purchase, and the decision reaches the broker for the payment side', async () => {
      const gtin = (tag: string) => decodeEpc(tag)?.gtin as string;
      const { badge, module, collector, gateway, door, ready } = await ptyFridgeGateway(cleanup, {
        gatewayId: GATEWAY,
        collect: 'events/#',
        field: [COLA, WATER],
        reader: { stalledAfterMs: 500 },
        cabinet: { settle: { maxMs: 3000 } },
        catalog: [
          'sku,gtin,name,price,currency,category,tags',
          `COLA-033,${gtin(COLA)},Cola 0.33 l,2.50,EUR,drinks,`,
          `WATER-05,${gtin(WATER)},Water 0.5 l,1.80,EUR,drinks,`,
        ],
        customers: [{ card: CARD, reference: 'cust-1' }],
      });
      await ready();
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
      const page = await newPage({ locale: 'en-US', viewport: { width: 1000, height: 900 } });
      const dialogs = acceptDialogs(page);
      await page.goto(`${address}/#/review`);
      const card = page.locator(`[data-review="${session}"]`);
      await card.waitFor();
      // The reader heard nothing leave: the page offers what was inside when the door opened, by
      // name; the person (who saw the water go) ticks it.
      const listed = await (await postRequest(address, 'sessions/get', { session })).text();
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
        (messages) =>
          messages.some((message) => message.topic === `rfid/${GATEWAY}/events/purchase/resolved`),
        'purchase.resolved on the broker',
      );
      const onBroker = collector.events().find((event) => event.type === 'purchase.resolved');
      expect(onBroker).toEqual(resolved);
      // Audited as any state-changing request: the audit trail says the console resolved it.
      const audit = (await (await postRequest(address, 'audit/get', {})).json()) as {
        status: string;
        data: { entries: Array<{ command: string; outcome: string }> };
      };
      expect(audit.status).toBe('ok');
      expect(
        audit.data.entries.some((entry) => entry.command === 'purchases/resolve' && entry.outcome === 'ok'),
      ).toBe(true);
      await page.goto(`${address}/#/review`);
      await page.waitForSelector('text=Nothing to review');
    }, 90_000);
  },
);
