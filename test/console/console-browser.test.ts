import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { artefactDir, describeInBrowser, pageProblems } from '../helpers/browser.js';
import { demoConsoleGateway, postRequest, startBroker } from '../helpers/console-gateways.js';
import { freePort } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';

const TOKEN = 'correct-horse-battery-staple';

describeInBrowser(import.meta.url, 'the store console in a real browser', ({ cleanup, page: newPage }) => {
  /**
   * config/demo.json's fridge without its broker (unless given one), with the console on `http`,
   * the same store across a restart (a demo starts afresh; a shop does not).
   */
  const demoGateway = (http: Record<string, unknown>, mqtt?: { url: string }, dir?: string) =>
    demoConsoleGateway(cleanup, { gatewayId: 'console-demo', http, mqtt, dir, resetStoreAtStart: false });

  it('shows the fridge, its readers and a sale as it happens, with its receipt, in English and in Traditional Chinese', async () => {
    const broker = await startBroker(cleanup);
    const { gateway, url } = demoGateway({ host: '127.0.0.1', port: 0 }, broker);
    const address = await url();
    const page = await newPage({ locale: 'en-US', viewport: { width: 1100, height: 900 } });
    const problems = pageProblems(page);
    await page.goto(address);
    await expect.poll(() => page.textContent('h1')).toContain('Store console');
    await page.waitForSelector('[data-device="fridge"] .state.online');
    await page.waitForSelector('[data-cabinet="fridge-1"]');
    // The sale, live: on the Events page as it is published, then on the cabinet's card.
    await page.click('a[href="#/events"]');
    await page.waitForSelector('li[data-type="purchase.completed"]', { timeout: 60_000 });
    const dir = artefactDir('console');
    await page.screenshot({ path: join(dir, 'events.png') });
    await page.click('a[href="#/now"]');
    const last = page.locator('[data-cabinet="fridge-1"] [data-field="last"]');
    await expect.poll(() => last.textContent(), { timeout: 15_000 }).toMatch(/sold €\d+\.\d\d \(\d+ items/);
    await page.screenshot({ path: join(dir, 'now.png'), fullPage: true });
    // Its receipt on the Sessions page, read through the gateway's request router (sessions/get),
    // the total as the sale's event says.
    const sale = await gateway.waitForEvent((event) => event.type === 'purchase.completed', 'the sale');
    await page.click('a[href="#/sessions"]');
    const total = page.locator(`[data-session="${String(sale.session)}"] [data-field="total"]`);
    await expect
      .poll(() => total.textContent(), { timeout: 15_000 })
      .toBe(`€${(Number(sale.total) / 100).toFixed(2)}`);
    await page.screenshot({ path: join(dir, 'sessions.png'), fullPage: true });
    // The stock per zone as inventory/get answers it, and its CSV export one line per tag.
    await page.click('a[href="#/inventory"]');
    await page.waitForSelector('[data-zone="fridge"] [data-field="count"]');
    const stock = (await (await postRequest(address, 'inventory/get', { zone: 'fridge' })).json()) as {
      status: string;
      data: { fridge: { count: number; tags: unknown[] } };
    };
    expect(stock.status).toBe('ok');
    const shown = page.locator('[data-zone="fridge"] [data-field="count"]');
    await expect.poll(async () => Number(await shown.textContent()), { timeout: 10_000 }).toBeGreaterThan(0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Export as CSV')]);
    const csv = readFileSync((await download.path()) as string, 'utf8')
      .trim()
      .split('\r\n');
    expect(csv[0]).toBe('zone,tag,sku,gtin,since,last_seen');
    expect(csv.filter((line) => line.startsWith('fridge,')).length).toBe(Number(await shown.textContent()));
    // Low stock: the demo catalog's min_stock (config/demo-catalog.csv: cola 3, water 1, sandwich 2)
    // against the units inventory/get counts, an empty shelf included.
    const lowByCatalog = async () => {
      const answer = (await (await postRequest(address, 'inventory/get', {})).json()) as {
        data: Record<string, { products: Array<{ sku?: string; count: number }> }>;
      };
      const onHand = (sku: string) =>
        Object.values(answer.data)
          .flatMap((zone) => zone.products)
          .filter((product) => product.sku === sku)
          .reduce((sum, product) => sum + product.count, 0);
      const minimum = { 'COLA-033': 3, 'WATER-05': 1, 'SAND-01': 2 };
      return Object.entries(minimum)
        .filter(([sku, min]) => onHand(sku) < min)
        .map(([sku]) => sku)
        .sort();
    };
    const lowShown = async () =>
      (
        await page
          .locator('.low-stock tr[data-sku]')
          .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-sku')))
      )
        .map(String)
        .sort();
    await expect
      .poll(async () => (await lowShown()).join() === (await lowByCatalog()).join(), { timeout: 15_000 })
      .toBe(true);
    // After the demo's first sale, the cola and the sandwich are under their minimum.
    expect((await lowShown()).length).toBeGreaterThan(0);
    await page.screenshot({ path: join(dir, 'inventory.png'), fullPage: true });
    // A test pulse of the lock, confirmed, through actuators/set: the gateway drives it and says so.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('a[href="#/devices"]');
    await page.click('[data-actuator="lock"] [data-pulse="open"]');
    await page.waitForSelector('[data-actuator="lock"] [role="status"]:has-text("pulsed")');
    await gateway.waitForEvent(
      (event) => event.type === 'actuator.changed' && event.reason === 'request' && event.pulseMs === 1000,
      'the test pulse',
    );
    // The cabinet's screen as its screen app is given it (the retained MQTT display topic).
    const screens = await MqttCollector.start(broker.url, 'rfid/console-demo/displays/fridge-1');
    cleanup.push(() => screens.close());
    const preview = page.locator('[data-display="fridge-1"] pre');
    await expect
      .poll(
        async () => {
          const retained = screens.messages.at(-1);
          const lines = retained ? (JSON.parse(retained.payload) as { lines: string[] }).lines : undefined;
          return lines !== undefined && lines.join('\n') === (await preview.textContent());
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    await page.screenshot({ path: join(dir, 'devices.png'), fullPage: true });
    expect(problems).toEqual([]);

    const chinese = await newPage({ locale: 'zh-TW', viewport: { width: 420, height: 900 } });
    await chinese.goto(address);
    await expect.poll(() => chinese.textContent('h1')).toContain('門市主控台');
    await chinese.waitForSelector('[data-device="fridge"] .state.online');
    expect(await chinese.textContent('[data-device="fridge"] .state')).toBe('連線中');
    expect(await chinese.getAttribute('html', 'lang')).toBe('zh-TW');
    await chinese.screenshot({ path: join(dir, 'now-zh-TW-phone.png'), fullPage: true });
  }, 120_000);

  it('asks for the token off loopback, and lets in whoever gives it', async () => {
    const { url } = demoGateway({ host: '0.0.0.0', port: 0, console: { token: TOKEN } });
    const address = (await url()).replace('0.0.0.0', '127.0.0.1');
    expect((await fetch(`${address}/api/now`)).status).toBe(401);
    expect(
      (await fetch(`${address}/api/now`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status,
    ).toBe(200);
    const page = await newPage({ locale: 'en-US' });
    await page.goto(address);
    await page.fill('input[type="password"]', 'not-the-token-at-all');
    await page.click('button[type="submit"]');
    await page.waitForSelector('[role="alert"]');
    await page.fill('input[type="password"]', TOKEN);
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-device="fridge"]');
    await page.screenshot({ path: join(artefactDir('console'), 'login-then-now.png') });
    // Signing out ends the session: the sign-in page again, and the API refuses this browser.
    await page.click('[data-action="logout"]');
    await page.waitForSelector('input[type="password"]');
    expect(await page.evaluate(async () => (await fetch('/api/now')).status)).toBe(401);
  }, 60_000);

  it('serves no console off loopback without a token, and /metrics as before', async () => {
    const { url } = demoGateway({ host: '0.0.0.0', port: 0 });
    const address = (await url()).replace('0.0.0.0', '127.0.0.1');
    const refused = await fetch(`${address}/api/now`);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(/no http.console.token/);
    expect((await fetch(`${address}/metrics`)).status).toBe(200);
  }, 60_000);

  it('reconnects by itself after the gateway restarts, and catches up', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'rfid-console-restart-'));
    const first = demoGateway({ host: '127.0.0.1', port }, undefined, dir);
    const address = await first.url();
    const page = await newPage({ locale: 'en-US' });
    await page.goto(`${address}/#/events`);
    await page.waitForSelector('.live.on');
    const opened = Date.now();
    const before = await first.gateway.waitForEvent(
      (event) => event.type === 'sensor.changed' && Date.parse(String(event.ts)) > opened + 500,
      'an event while the page is open',
    );
    await page.waitForSelector(`li[data-id="${String(before.id)}"]`);
    await first.gateway.stop('SIGTERM');
    await page.waitForSelector('.live:not(.on)');
    // The same gateway again, on its store: the page must reconnect by itself to show what it does
    // now (an event only the restarted process made), and keep what it had.
    const second = demoGateway({ host: '127.0.0.1', port }, undefined, dir);
    await second.url();
    await page.waitForSelector('.live.on', { timeout: 20_000 });
    const after = await second.gateway.waitForEvent(
      (event) => event.type === 'purchase.started',
      'a session after the restart',
    );
    await page.waitForSelector(`li[data-id="${String(after.id)}"]`, { timeout: 20_000 });
    expect(await page.locator(`li[data-id="${String(before.id)}"]`).count()).toBe(1);
    await page.click('a[href="#/now"]');
    await page.waitForSelector('[data-device="fridge"] .state.online');
  }, 120_000);
});
