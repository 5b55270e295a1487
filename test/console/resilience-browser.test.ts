import type { Page, Route } from 'playwright-core';
import { expect, it } from 'vitest';
import { acceptDialogs, describeInBrowser } from '../helpers/browser.js';
import { demoConsoleGateway, postRequest, startBroker } from '../helpers/console-gateways.js';
import { freePort } from '../helpers/mosquitto.js';

const TOKEN = 'correct-horse-battery-staple';
/** A second output on the demo's I/O board that allows only short pulses (shorter than the console's 1 s). */
const LIGHT = {
  id: 'light',
  driver: 'lines',
  device: 'io',
  channel: 'light',
  safeState: 'off',
  maxPulseMs: 400,
};
const BAD_CSV = [
  'sku,gtin,name,price,currency,category,tags,unit_weight_g,weight_tolerance_g',
  'CHECK-1,,Checked one,1.00,EUR,,,,',
  'CHECK-2,,Checked two,-1.00,EUR,,,,',
].join('\n');
const GOOD_CSV = [
  'sku,gtin,name,price,currency,category,tags,unit_weight_g,weight_tolerance_g',
  'CHECK-1,,Checked one,1.00,EUR,,,,',
].join('\n');

/** Requests the page makes to a path, counted from now on. */
function counter(page: Page, path: string): { count: () => number } {
  let count = 0;
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === path) count += 1;
  });
  return { count: () => count };
}

describeInBrowser(import.meta.url, 'the store console when things go wrong', ({ cleanup, page: newPage }) => {
  /**
   * config/demo.json's fridge replaying its capture, with `http`, the short-pulse light and a broker
   * (the console's requests go through the request router, which needs one); the demo's customers
   * left out, since those of the config cannot be changed from the console: these are added
   * through it instead.
   */
  const demoGateway = (http: Record<string, unknown>, mqtt: { url: string }) =>
    demoConsoleGateway(cleanup, {
      gatewayId: 'console-resilience',
      http,
      mqtt,
      customers: false,
      moreActuators: [LIGHT],
    });

  /** A broker, the gateway on it with the console on loopback, and a page: the console's address. */
  const started = async () => {
    const broker = await startBroker(cleanup);
    const { gateway, url } = demoGateway({ host: '127.0.0.1', port: 0 }, broker);
    const address = await url();
    const page = await newPage({ locale: 'en-US' });
    return { gateway, address, page };
  };

  it('keeps the console usable around a failing page and an unreachable gateway, pulses a short output, checks a CSV, and shows only the newest answer', async () => {
    const { gateway, address, page } = await started();

    // An answer the Inventory page cannot read: that page says so, the menu still works.
    await page.route('**/api/request/inventory/get', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: '{"status":"ok","data":{"fridge":{"zone":"fridge"}}}',
      }),
    );
    await page.goto(`${address}/#/inventory`);
    await page.locator('[data-page-error][role="alert"]').waitFor();
    await page.click('a[href="#/now"]');
    await page.locator('[data-cabinet="fridge-1"]').waitFor();
    await page.unroute('**/api/request/inventory/get');

    // A test pulse while the gateway cannot be reached: the row says so.
    await page.route('**/api/request/actuators/set', (route) => route.abort('connectionrefused'));
    await page.click('a[href="#/devices"]');
    const dialogs = acceptDialogs(page);
    await page.click('[data-actuator="lock"] [data-pulse="open"]');
    await expect
      .poll(() => page.textContent('[data-actuator="lock"] [role="status"]'))
      .toMatch(/^the gateway cannot be reached: /);
    await page.unroute('**/api/request/actuators/set');

    // An output that allows 400 ms is pulsed for 400 ms, and the confirmation says so.
    await page.click('[data-actuator="light"] [data-pulse="on"]');
    await page.locator('[data-actuator="light"] [role="status"]:has-text("pulsed")').waitFor();
    expect(dialogs.at(-1)).toBe('Pulse light → on (0.4 s)?');
    await gateway.waitForEvent(
      (event) => event.type === 'actuator.changed' && event.actuator === 'light' && event.pulseMs === 400,
      'the short pulse',
    );

    // Check: the bad line listed, then what a good file would do; nothing written either time.
    await page.click('a[href="#/catalog"]');
    const count = page.locator('[data-field="count"]');
    await count.waitFor();
    const before = await count.textContent();
    const file = page.locator('input[type="file"]');
    await file.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD_CSV) });
    await page.click('[data-action="check"]');
    await page.locator('[data-import="refused"][data-check] tr[data-line="3"]').waitFor();
    await file.setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(GOOD_CSV) });
    await page.click('[data-action="check"]');
    expect(await page.locator('[data-import="checked"]').textContent()).toMatch(/nothing written.* 1 added/);
    expect(await count.textContent()).toBe(before);
    expect(await page.locator('[data-sku="CHECK-1"]').count()).toBe(0);

    // Two changes, the first one's list answered last: the page keeps the newer list.
    const added = await postRequest(address, 'customers/set', {
      customers: [
        { card: '7800652CC9', reference: 'cust-0042', consent: false },
        { card: '4F0012A3B7', reference: 'cust-0051', consent: false },
      ],
    });
    expect(((await added.json()) as { status: string }).status).toBe('ok');
    await page.click('a[href="#/customers"]');
    await page.locator('[data-customer="cust-0051"]').waitFor();
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held: Promise<void> | undefined;
    await page.route('**/api/request/customers/get', async (route: Route) => {
      if (held) return route.continue();
      const response = await route.fetch();
      held = released.then(() => route.fulfill({ response }));
      await held;
    });
    const consent = async (reference: string, name: string) => {
      const row = page.locator(`[data-customer="${reference}"]`);
      await row.locator('input[name="name"]').fill(name);
      await row.locator('[data-action="consent"]').click();
    };
    await consent('cust-0042', 'Bo');
    await expect.poll(() => held !== undefined).toBe(true);
    await consent('cust-0051', 'Cy');
    const name = page.locator('[data-customer="cust-0051"] [data-field="name"]');
    await expect.poll(() => name.textContent()).toBe('Cy');
    const stale = page.waitForEvent('requestfinished');
    release();
    await stale;
    // Two frames: what the older answer would change is on the page by then.
    await page.evaluate(
      'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))',
    );
    expect(await name.textContent()).toBe('Cy');
    expect(await page.textContent('[data-customer="cust-0042"] [data-field="name"]')).toBe('Bo');
  }, 120_000);

  it('fetches every page again after a reconnect, and asks for the sign-in once the token is revoked', async () => {
    const broker = await startBroker(cleanup);
    const port = await freePort();
    const start = (token: string) => demoGateway({ host: '0.0.0.0', port, console: { token } }, broker);
    const first = start(TOKEN);
    const address = (await first.url()).replace('0.0.0.0', '127.0.0.1');
    const page = await newPage({ locale: 'en-US' });
    await page.goto(`${address}/#/catalog`);
    await page.fill('input[type="password"]', TOKEN);
    await page.click('button[type="submit"]');
    await page.locator('[data-field="count"]').waitFor();
    await page.waitForSelector('.live.on');

    // The Catalog page has no events of its own: it is fetched again because the stream reconnected.
    await first.gateway.stop('SIGTERM');
    await page.waitForSelector('.live:not(.on)');
    const catalog = counter(page, '/api/request/catalog/get');
    const second = start(TOKEN);
    await second.url();
    await page.waitForSelector('.live.on', { timeout: 20_000 });
    await expect.poll(() => catalog.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.locator('[data-field="count"]').waitFor();

    // The token changed: the stream is refused for good, and the sign-in page shows.
    await second.gateway.stop('SIGTERM');
    await page.waitForSelector('.live:not(.on)');
    const third = start('a-new-token-nobody-gave-this-page');
    await third.url();
    await page.locator('input[type="password"]').waitFor({ timeout: 20_000 });
  }, 120_000);

  it('fetches the stock and the Now state at most every 2 s and 1 s, however many tags move', async () => {
    const { address, page } = await started();
    await page.clock.install();
    await page.goto(`${address}/#/inventory`);
    await page.locator('[data-zone="fridge"]').waitFor();
    await page.waitForSelector('.live.on');
    // An observer of the same stream, to know when a stock event has reached the page.
    await page.evaluate(`{
      const seen = { count: 0 };
      window.stockEvents = seen;
      new EventSource('/api/events').onmessage = (message) => {
        if (JSON.parse(message.data).type === 'inventory.changed') seen.count += 1;
      };
    }`);
    const seen = async () => Number(await page.evaluate('window.stockEvents.count'));
    // The page's clock stands still from here; it moves only by runFor.
    await page.clock.pauseAt(Number(await page.evaluate('Date.now()')) + 1000);
    const stock = counter(page, '/api/request/inventory/get');
    const now = counter(page, '/api/now');
    // Three stock events, each followed by 100 ms of the page's time: 300 ms in all.
    for (let round = 0; round < 3; round++) {
      const before = await seen();
      await expect.poll(seen, { timeout: 60_000 }).toBeGreaterThan(before);
      // The page's own stream has it too by now (the same gateway, the same moment).
      await new Promise((resolve) => setTimeout(resolve, 200));
      await page.clock.runFor(100);
    }
    expect(stock.count()).toBeLessThanOrEqual(1);
    expect(now.count()).toBe(0);
    // The last change is fetched at the end of the wait.
    await page.clock.runFor(2000);
    await expect.poll(() => now.count()).toBeGreaterThan(0);
    await expect.poll(() => stock.count()).toBeGreaterThan(0);
    expect(stock.count()).toBeLessThanOrEqual(2);
  }, 120_000);
});
