import { join } from 'node:path';
import { expect, it } from 'vitest';
import { encodeId12Frame } from '../../src/protocols/em4100-ascii/codec.js';
import { artefactDir, consoleAddress, describeInBrowser } from '../helpers/browser.js';
import { postRequest, ptyFridgeGateway } from '../helpers/console-gateways.js';

const GATEWAY = 'catalog-gw';
const MEI_CARD = '0500207B32';
const OTHER_CARD = '04A224B2C45E80';

const HEADER = 'sku,gtin,name,price,currency,category,tags,unit_weight_g,weight_tolerance_g';
/** Line 3: GTIN check digit 7 (should be 8); line 4: a negative price; line 5: no name. */
const BAD_CSV = [
  HEADER,
  'GOOD-1,,Good one,1.00,EUR,,,,',
  'COLA-033,80614141123457,Cola 0.33 l,2.50,EUR,drinks,,350,6',
  'WATER-05,,Water 0.5 l,-1.80,EUR,drinks,,,',
  'TEA-1,,,3.00,EUR,drinks,,,',
].join('\n');
/** With the low-stock threshold: 6 colas. */
const GOOD_CSV = [
  `${HEADER},min_stock`,
  'COLA-033,80614141123458,Cola 0.33 l,2.50,EUR,drinks,,350,6,6',
  'WATER-05,,Water 0.5 l,1.80,EUR,drinks,,,,',
  'OOLONG,,烏龍茶,450,JPY,drinks,E2003412AABB;E20035*,,,',
].join('\n');

/**
 * A fridge on real ptys behind a real Mosquitto; in Chromium, a person imports a catalog CSV (a bad
 * one, every bad line shown, then a good one), records a customer's consent and sees their name on
 * the Now page while their session runs, and forgets another customer after typing the reference.
 */
describeInBrowser(
  import.meta.url,
  "the console's Catalog and Customers pages in a real browser",
  ({ cleanup, page: newPage }) => {
    it('imports a catalog, shows each bad line, records consent, names the customer on Now, and forgets', async () => {
      const {
        badge,
        collector: responses,
        gateway,
        ready,
      } = await ptyFridgeGateway(cleanup, { gatewayId: GATEWAY, collect: 'response/#' });
      await ready();
      const address = await consoleAddress(gateway);
      const api = async (command: string, body: unknown) =>
        (await (await postRequest(address, command, body)).json()) as {
          status: string;
          data?: unknown;
          error?: string;
        };
      /** A request over the real broker, as a back office would send it; its answer from the broker. */
      const overMqtt = async (command: string, transaction: string, body: Record<string, unknown> = {}) => {
        await responses.client.publishAsync(
          `rfid/${GATEWAY}/request/${command}`,
          JSON.stringify({ transaction, ...body }),
          { qos: 1 },
        );
        let answer: { status: string; data?: unknown } | undefined;
        await responses.waitFor((messages) => {
          const found = messages.find((message) =>
            message.payload.includes(`"transaction":"${transaction}"`),
          );
          answer = found && JSON.parse(found.payload);
          return found !== undefined;
        }, `the answer to ${command}`);
        return answer as { status: string; data?: unknown };
      };

      const page = await newPage({ locale: 'en-US', viewport: { width: 1100, height: 900 } });
      const artefacts = artefactDir('console');

      // A bad file: every bad line with its field and value, and nothing imported.
      await page.goto(`${address}/#/catalog`);
      await page.locator('[data-field="count"]').waitFor();
      const file = page.locator('input[type="file"]');
      await file.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD_CSV) });
      await page.locator('[data-action="import"]').click();
      const refused = page.locator('[data-import="refused"]');
      await refused.waitFor();
      const rows = await refused
        .locator('tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
        );
      expect(rows.map(([line, field, value]) => [line, field, value])).toEqual([
        ['3', 'gtin', '80614141123457'],
        ['4', 'price', '-1.80'],
        ['5', 'name', ''],
      ]);
      for (const row of rows) expect(row[3]?.length).toBeGreaterThan(0);
      expect(await page.locator('[data-sku]').count()).toBe(0);
      await page.screenshot({ path: join(artefacts, 'catalog-refused.png'), fullPage: true });

      // The good file: the counts, then the products in the table, prices per currency.
      await file.setInputFiles({ name: 'products.csv', mimeType: 'text/csv', buffer: Buffer.from(GOOD_CSV) });
      await page.locator('[data-action="import"]').click();
      await page.locator('[data-import="done"]').waitFor();
      expect(await page.locator('[data-import="done"]').textContent()).toContain(
        '3 added, 0 updated, 0 unchanged',
      );
      await page.locator('[data-sku="OOLONG"]').waitFor();
      expect(await page.locator('[data-sku="COLA-033"] [data-field="price"]').textContent()).toBe('€2.50');
      expect(await page.locator('[data-sku="OOLONG"] [data-field="price"]').textContent()).toBe('¥450');
      expect(await page.locator('[data-sku="COLA-033"] [data-field="min-stock"]').textContent()).toBe('6');
      expect(await page.locator('[data-sku="OOLONG"] [data-field="min-stock"]').textContent()).toBe('');
      expect(await page.locator('[data-sku="OOLONG"]').textContent()).toContain('烏龍茶');
      await page.locator('input[name="search"]').fill('water');
      await expect.poll(() => page.locator('[data-sku]').count()).toBe(1);
      expect(await page.locator('[data-sku="WATER-05"]').count()).toBe(1);
      await page.locator('input[name="search"]').fill('');
      await page.locator('[data-sku="OOLONG"]').waitFor();
      await page.screenshot({ path: join(artefacts, 'catalog.png'), fullPage: true });
      // In the gateway's catalog, as a back office asking over the broker sees it.
      expect(await overMqtt('catalog/get', 'c1', { sku: 'COLA-033' })).toMatchObject({
        status: 'ok',
        data: {
          products: [
            { sku: 'COLA-033', gtin: '80614141123458', unitPrice: 250, unitWeightG: 350, minStock: 6 },
          ],
        },
      });

      // The console's route reads a CSV far over the 64 KiB of other requests (a dry run: nothing
      // written), and still refuses a request that large to any other command.
      const many = Array.from({ length: 12_000 }, (_, n) => `BIG-${n},,Product ${n},1.00,EUR,,,,`);
      const csv = [HEADER, ...many].join('\n');
      expect(csv.length).toBeGreaterThan(256 * 1024);
      expect(await api('catalog/import', { csv, dryRun: true })).toMatchObject({
        status: 'ok',
        data: { dryRun: true, added: 12_000 },
      });
      const tooLarge = await postRequest(address, 'catalog/set', { products: [], remove: [csv] });
      expect(tooLarge.status).toBe(413);
      expect(await page.locator('[data-sku]').count()).toBe(3);

      // Two customers, neither consenting yet.
      expect(
        await api('customers/set', {
          customers: [
            { card: MEI_CARD, reference: 'cust-mei' },
            { card: OTHER_CARD, reference: 'cust-other' },
          ],
        }),
      ).toMatchObject({ status: 'ok' });
      await page.goto(`${address}/#/customers`);
      const mei = page.locator('[data-customer="cust-mei"]');
      await mei.waitFor();
      // Cards masked to their last 4 hex digits.
      expect((await mei.locator('[data-field="cards"]').textContent())?.trim()).toBe('••••7B32');
      expect(await page.locator('table.customers').textContent()).not.toContain(MEI_CARD);
      await mei.locator('input[name="name"]').fill('Mei Lin');
      await mei.locator('[data-action="consent"]').click();
      await mei.locator('[data-field="name"]', { hasText: 'Mei Lin' }).waitFor();
      expect(await api('customers/get', {})).toMatchObject({
        status: 'ok',
        data: expect.arrayContaining([
          { card: MEI_CARD, reference: 'cust-mei', name: 'Mei Lin', consent: true },
        ]),
      });

      // Forget the other customer: the button does nothing until the reference is typed.
      const other = page.locator('[data-customer="cust-other"]');
      await other.locator('[data-action="forget"]').click();
      const dialog = page.locator('[data-dialog="forget"]');
      await dialog.waitFor();
      expect(await dialog.locator('[data-action="confirm-forget"]').isDisabled()).toBe(true);
      await dialog.locator('input[name="reference"]').fill('cust-oth');
      expect(await dialog.locator('[data-action="confirm-forget"]').isDisabled()).toBe(true);
      await dialog.locator('input[name="reference"]').fill('cust-other');
      await page.screenshot({ path: join(artefacts, 'customers-forget.png'), fullPage: true });
      await dialog.locator('[data-action="confirm-forget"]').click();
      await other.waitFor({ state: 'detached' });
      await page.locator('[data-outcome="cust-other"]').waitFor();
      await page.screenshot({ path: join(artefacts, 'customers.png'), fullPage: true });
      // Gone from the allow-list as the broker's client sees it, and in the audit trail as forgotten.
      const listed = await overMqtt('customers/get', 'g1');
      expect(listed).toMatchObject({ status: 'ok' });
      expect(JSON.stringify(listed.data)).not.toContain('cust-other');
      expect(JSON.stringify(listed.data)).toContain('cust-mei');
      const audit = (await overMqtt('audit/get', 'a1')) as {
        data: { entries: Array<{ command: string; outcome: string; what: unknown }> };
      };
      const forgetEntry = audit.data.entries.find((entry) => entry.command === 'customers/forget');
      expect(forgetEntry).toMatchObject({ outcome: 'ok' });
      // The audit keeps the shape of the request, never the reference.
      expect(JSON.stringify(forgetEntry)).not.toContain('cust-other');
      expect(audit.data.entries.some((e) => e.command === 'catalog/import' && e.outcome === 'ok')).toBe(true);
      expect(
        audit.data.entries.some((e) => e.command === 'catalog/import' && e.outcome.startsWith('error')),
      ).toBe(true);

      // Mei holds her card: the Now page names her in the session (never the card id).
      badge.writeA(encodeId12Frame(Buffer.from(MEI_CARD, 'hex')));
      await gateway.waitForEvent(
        (e) => e.type === 'purchase.started' && e.customer === 'cust-mei',
        'the session',
      );
      await page.goto(`${address}/#/now`);
      const session = page.locator('[data-cabinet="fridge-1"] [data-field="session"]');
      await page
        .locator('[data-cabinet="fridge-1"] [data-field="session"]', { hasText: 'Mei Lin' })
        .waitFor();
      expect(await session.textContent()).not.toContain(MEI_CARD);
      await page.screenshot({ path: join(artefacts, 'now-customer-name.png'), fullPage: true });
      expect(await api('session/cancel', { cabinet: 'fridge-1' })).toMatchObject({ status: 'ok' });
      await expect.poll(() => session.textContent(), { timeout: 10_000 }).not.toContain('Mei');
    }, 90_000);
  },
);
