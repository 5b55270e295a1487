import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { SHELF_PORT, type ShelfItem, writeShelfCapture } from '../engagement/shelf-capture.js';
import { artefactDir, consoleAddress, describeInBrowser, pageProblems } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { postRequest, runGateway, startBroker, writeGatewayConfig } from '../helpers/console-gateways.js';
import { colaTag, juiceTag } from '../kits/domain/engagement-rig.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GATEWAY = 'engagement-gw';
const ZONE = 'Asia/Taipei';
/** demo-catalog.csv's names of the tags' products. */
const COLA = 'COLA-033';
const JUICE = 'OJ-025';

/** Today on the store's wall clock, and whole days before it. */
function storeDay(daysBefore = 0): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(Date.now());
  return new Date(Date.parse(`${today}T00:00:00Z`) - daysBefore * 86_400_000).toISOString().slice(0, 10);
}

type Row = [pickedUp: string, putBack: string, bought: string, conversion: string];

/** The figures of a row of the page's tables, as shown. */
async function row(page: Page, selector: string): Promise<Row | undefined> {
  const cells = page.locator(`${selector} td`);
  if ((await cells.count()) !== 4) return undefined;
  return (await cells.allTextContents()) as Row;
}

/**
 * A shelf (one ThingMagic reader, antenna 1 = zone `shelf`, a tag departs 3 s after its last read)
 * whose engagement figures span three store days in Taipei. Each round reads every item on the
 * shelf, so what happens follows from the item list alone (at the end of a capture the reader falls
 * silent and is stalled 2.5 s later, before the items still on the shelf could depart: they are held,
 * not picked up):
 *
 *   10 days ago (replayed at noon): cola …1001 taken and not brought back; juice …2001 taken and put
 *     back: cola 1 picked up; juice 1 picked up, 1 put back.
 *   3 days ago (replayed at noon): cola …1001 taken and put back, twice: 2 picked up, 2 put back.
 *   today (the running gateway, its reader replaying in real time): juice …2001 taken, then paid at
 *     the till (tags/paid): 1 picked up, 1 bought.
 *
 * Over the last 7 days: cola 2 / 2 / 0 (0 %), juice 1 / 0 / 1 (100 %), together 3 / 2 / 1 (33.3 %);
 * over 30 days: cola 3 / 2 / 0 (0 %), juice 2 / 1 / 1 (50 %), together 5 / 3 / 1 (20 %).
 */
describeInBrowser(
  import.meta.url,
  "the console's Engagement page in a real browser",
  ({ cleanup, page: newPage }) => {
    it('charts the funnel per day, tables it per product, follows the range and the product, in English and Traditional Chinese', async () => {
      const broker = await startBroker(cleanup);
      const dir = mkdtempSync(join(tmpdir(), 'rfid-engagement-console-'));
      const dataDir = join(dir, 'data');
      const capture = (name: string, startedAt: string, endMs: number, items: ShelfItem[]) => {
        const file = join(dir, `${name}.jsonl`);
        writeShelfCapture(file, { startedAt, firstRoundMs: 1000, endMs, items });
        return file;
      };
      const today = capture('today', new Date().toISOString(), 8000, [
        { tag: juiceTag(2001), on: [[1000, 4000]] },
        { tag: colaTag(1002), on: [[1000, 8000]] },
      ]);
      const config = writeGatewayConfig(dir, {
        gatewayId: GATEWAY,
        dataDir,
        logLevel: 'info',
        catalogFile: join(ROOT, 'config/demo-catalog.csv'),
        mqtt: { url: broker.url },
        http: { host: '127.0.0.1', port: 0 },
        readers: [
          { id: SHELF_PORT, driver: 'thingmagic', port: `replay:${today}`, antennaZones: { '1': 'shelf' } },
        ],
        zones: [{ id: 'shelf', departAfterMs: 3000 }],
        engagement: { zones: ['shelf'], putBackWithinMs: 60_000, timeZone: ZONE },
      });
      // The earlier days, replayed through the same pipeline into the gateway's store (noon in Taipei
      // is 04:00 UTC).
      const past = [
        capture('ten-days-ago', `${storeDay(10)}T04:00:00.000Z`, 30_000, [
          { tag: colaTag(1001), on: [[1000, 6000]] },
          {
            tag: juiceTag(2001),
            on: [
              [1000, 8000],
              [15_000, 30_000],
            ],
          },
          { tag: colaTag(1002), on: [[1000, 30_000]] },
        ]),
        capture('three-days-ago', `${storeDay(3)}T04:00:00.000Z`, 40_000, [
          {
            tag: colaTag(1001),
            on: [
              [1000, 6000],
              [12_000, 18_000],
              [25_000, 40_000],
            ],
          },
          { tag: colaTag(1002), on: [[1000, 40_000]] },
        ]),
      ];
      for (const file of past) {
        const replay = await runCli(
          [
            'replay',
            file,
            '--config',
            config,
            '--mqtt',
            broker.url,
            '--data-dir',
            dataDir,
            '--gateway-id',
            GATEWAY,
          ],
          { timeoutMs: 60_000 },
        );
        expect(replay.code, replay.stderr).toBe(0);
      }

      const gateway = runGateway(cleanup, config);
      const address = await consoleAddress(gateway);
      const page = await newPage({ locale: 'en-US', viewport: { width: 1100, height: 1400 } });
      const problems = pageProblems(page);
      await page.goto(`${address}/#/engagement`);
      await expect.poll(() => page.textContent('h2'), { timeout: 10_000 }).toBe('Engagement');

      // Today's pick-up, live; then the till's payment makes it bought.
      await gateway.waitForEvent(
        (event) => event.type === 'product.pickedUp' && event.tag === juiceTag(2001),
        'the pick-up of the juice',
      );
      const products = 'table[data-table="products"]';
      await expect
        .poll(() => row(page, `${products} [data-sku="${JUICE}"]`), { timeout: 10_000 })
        .toEqual(['1', '0', '0', '0%']);
      const paid = await postRequest(address, 'tags/paid', { tags: [juiceTag(2001)], reference: 'TILL-1' });
      expect(((await paid.json()) as { status: string }).status).toBe('ok');

      // The last 7 store days, by default.
      expect(await page.inputValue('input[type="date"] >> nth=0')).toBe(storeDay(6));
      expect(await page.inputValue('input[type="date"] >> nth=1')).toBe(storeDay(0));
      await expect
        .poll(() => row(page, `${products} [data-sku="${JUICE}"]`), { timeout: 15_000 })
        .toEqual(['1', '0', '1', '100%']);
      expect(await row(page, `${products} [data-sku="${COLA}"]`)).toEqual(['2', '2', '0', '0%']);
      expect(await row(page, `${products} tfoot tr`)).toEqual(['3', '2', '1', '33.3%']);
      // Every day of the range in the day table, those without figures at zero.
      const days = 'table[data-table="days"] tbody tr';
      expect(await page.locator(days).count()).toBe(7);
      expect(await row(page, `[data-day="${storeDay(3)}"]`)).toEqual(['2', '2', '0', '0%']);
      expect(await row(page, `[data-day="${storeDay(0)}"]`)).toEqual(['1', '0', '1', '100%']);
      expect(await row(page, `[data-day="${storeDay(1)}"]`)).toEqual(['0', '0', '0', '–']);
      // The chart: drawn on its canvas, described for a screen reader.
      await page.waitForSelector('.funnel-chart canvas');
      await expect.poll(() => inked(page), { timeout: 10_000 }).toBeGreaterThan(1000);
      expect(await page.getAttribute('.funnel-chart', 'aria-label')).toMatch(/^Chart of the items picked up/);
      expect(await page.locator('.funnel-chart .u-legend .u-series').allTextContents()).toEqual(
        expect.arrayContaining([expect.stringContaining('Picked up'), expect.stringContaining('Conversion')]),
      );
      await page.screenshot({ path: join(artefactDir('console'), 'engagement.png'), fullPage: true });

      // 30 days take in the day ten days ago.
      await page.click('button[data-days="30"]');
      await expect
        .poll(() => row(page, `${products} tfoot tr`), { timeout: 10_000 })
        .toEqual(['5', '3', '1', '20%']);
      expect(await row(page, `${products} [data-sku="${COLA}"]`)).toEqual(['3', '2', '0', '0%']);
      expect(await row(page, `${products} [data-sku="${JUICE}"]`)).toEqual(['2', '1', '1', '50%']);
      expect(await page.inputValue('input[type="date"] >> nth=0')).toBe(storeDay(29));
      expect(await page.locator(days).count()).toBe(30);
      // One product: its figures alone, per day too.
      await page.selectOption('select >> nth=1', { label: 'Orange juice 0.25 l' });
      await expect.poll(() => page.locator(`${products} tbody tr`).count(), { timeout: 10_000 }).toBe(1);
      expect(await row(page, `${products} tfoot tr`)).toEqual(['2', '1', '1', '50%']);
      expect(await row(page, `[data-day="${storeDay(10)}"]`)).toEqual(['1', '1', '0', '0%']);
      // A range the gateway refuses: its own words.
      await page.fill('input[type="date"] >> nth=0', storeDay(400));
      await expect
        .poll(() => page.textContent('[data-field="error"]'), { timeout: 10_000 })
        .toBe(`to: the range is 401 days, at most 366 (from ${storeDay(400)}, to ${storeDay(0)})`);
      await page.click('button[data-days="7"]');
      await page.waitForSelector('[data-field="error"]', { state: 'detached' });

      // In Traditional Chinese.
      await page.selectOption('header select', 'zh-TW');
      await expect.poll(() => page.textContent('h2')).toBe('商品互動');
      expect(await page.locator('table[data-table="products"] thead th').allTextContents()).toEqual([
        '商品',
        '拿起',
        '放回',
        '購買',
        '轉換率',
      ]);
      await expect
        .poll(() => row(page, `${products} [data-sku="${JUICE}"]`))
        .toEqual(['1', '0', '1', '100%']);
      await page.screenshot({ path: join(artefactDir('console'), 'engagement-zh-TW.png'), fullPage: true });
      expect(problems).toEqual([]);
    }, 120_000);
  },
);

/**
 * Pixels the chart's canvas has drawn on (a blank canvas has none); run in the page, written as
 * text since the tests are typed without the DOM's names.
 */
function inked(page: Page): Promise<number> {
  return page.evaluate<number>(`(() => {
    const canvas = document.querySelector('.funnel-chart canvas');
    const context = canvas && canvas.getContext('2d');
    if (!context) return 0;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let alpha = 3; alpha < data.length; alpha += 4) if (data[alpha] > 0) count++;
    return count;
  })()`);
}
