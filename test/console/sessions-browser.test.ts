import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Route } from 'playwright-core';
import { expect, it } from 'vitest';
import { SessionResolutions } from '../../src/domain/purchases/resolutions.js';
import { type SessionRecord, SessionStore } from '../../src/domain/purchases/session-store.js';
import { silentLogger } from '../../src/observability/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { sgtin96 } from '../../src/shared/sgtin.js';
import { Store } from '../../src/store/index.js';
import { artefactDir, consoleAddress, describeInBrowser } from '../helpers/browser.js';
import { runGateway, startBroker, writeGatewayConfig } from '../helpers/console-gateways.js';
import { createPtyPair } from '../helpers/pty.js';

const COLA = sgtin96({ itemReference: 812345, serial: 1 });
const MINUTE = 60_000;
/** Undecided uncertain sessions, older than every sale after them. */
const UNCERTAIN = 25;
/** Sales after them: more than the 100 the Review page used to fetch and filter. */
const SALES = 120;
const DAY_ONE = '2026-01-10';
const DAY_TWO = '2026-01-11';

function session(
  id: string,
  cabinet: string,
  customer: string,
  startedAt: number,
  uncertain: boolean,
): SessionRecord {
  const ids = { session: id, cabinet, customer };
  return {
    id,
    cabinet,
    customer,
    via: 'card',
    state: uncertain ? 'cancelled' : 'completed',
    startedAt,
    openedAt: startedAt + 1000,
    closedAt: startedAt + 5000,
    before: [{ tag: COLA, rounds: 20, hits: 4, pLower: 0.05 }],
    outcome: uncertain
      ? {
          type: 'purchase.cancelled',
          ...ids,
          reason: 'uncertain',
          confidence: 'uncertain',
          reasons: ['reader fridge stalled'],
          items: [],
          undecided: [{ tag: COLA, pUnread: 0.3 }],
        }
      : {
          type: 'purchase.completed',
          ...ids,
          items: [],
          returned: [],
          total: 0,
          currency: 'EUR',
          confidence: 'certain',
        },
    updatedAt: startedAt + 5000,
  };
}

/**
 * A store's history written into the gateway's own database before it starts (its real SQLite
 * file, through the stores the gateway uses): undecided uncertain sessions followed by many sales
 * in fridge-1; in fridge-2, one sale a day for two days long before, by two other customers.
 */
function seed(dataDir: string): void {
  const store = Store.open({ dataDir, clock: systemClock, logger: silentLogger() });
  try {
    const sessions = new SessionStore(store);
    new SessionResolutions(store);
    const write = (record: SessionRecord) => {
      sessions.insert(record);
      sessions.update(record);
    };
    write(session('day-one', 'fridge-2', 'cust-0017', Date.parse(`${DAY_ONE}T12:00:00Z`), false));
    write(session('day-two', 'fridge-2', 'cust-0018', Date.parse(`${DAY_TWO}T12:00:00Z`), false));
    const uncertainFrom = Date.parse('2026-01-12T10:00:00Z');
    for (let n = 0; n < UNCERTAIN; n++)
      write(session(`uncertain-${n}`, 'fridge-1', 'cust-0001', uncertainFrom + n * MINUTE, true));
    const salesFrom = Date.parse('2026-01-13T10:00:00Z');
    for (let n = 0; n < SALES; n++)
      write(session(`sale-${n}`, 'fridge-1', 'cust-0002', salesFrom + n * MINUTE, false));
  } finally {
    store.close();
  }
}

/** Counts the answers the page has read (its `request` reads each with `json()`). */
const COUNT_ANSWERS = `
  window.__answers = 0;
  const json = Response.prototype.json;
  Response.prototype.json = async function () {
    const value = await json.call(this);
    if (this.url.includes('/api/request/sessions/get')) window.__answers += 1;
    return value;
  };
`;

/** Until the page has read `n` answers to `sessions/get` and rendered what they said. */
async function answersRead(page: Page, n: number): Promise<void> {
  await page.waitForFunction(
    (count) => (globalThis as unknown as { __answers: number }).__answers >= count,
    n,
  );
  // A task boundary: the promise callbacks and Preact's render queued by that answer have run.
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
}

/**
 * Two cabinets on real ptys (nothing plays the readers: no session happens live), the console in
 * Chromium over a history written before the start: the Review page lists every undecided uncertain
 * session however many sales followed, and the Sessions page asks the gateway for a cabinet, a
 * customer or a day instead of filtering the newest hundred.
 */
describeInBrowser(
  import.meta.url,
  "the console's Review and Sessions pages over a long history",
  ({ cleanup, page: newPage }) => {
    async function gatewayWithHistory(): Promise<string> {
      const ptys = await Promise.all([1, 2, 3, 4].map(() => createPtyPair()));
      for (const pty of ptys) cleanup.push(() => pty.close());
      const [reader1, io1, reader2, io2] = ptys.map((pty) => pty.b);
      // The console's requests go through the request router, which runs with a broker.
      const broker = await startBroker(cleanup);
      const dir = mkdtempSync(join(tmpdir(), 'rfid-history-'));
      const dataDir = join(dir, 'data');
      seed(dataDir);
      const cabinet = (id: string, zone: string, io: string) => ({
        id,
        zone,
        door: { sensor: io },
        lock: `${io}-lock`,
        currency: 'EUR',
        search: { enabled: false },
      });
      const config = writeGatewayConfig(dir, {
        gatewayId: 'history-gw',
        dataDir,
        logLevel: 'info',
        mqtt: { url: broker.url },
        http: { host: '127.0.0.1', port: 0 },
        readers: [
          { id: 'reader-1', driver: 'em4100-ascii', port: reader1, zone: 'zone-1' },
          { id: 'reader-2', driver: 'em4100-ascii', port: reader2, zone: 'zone-2' },
        ],
        sensors: [
          { id: 'io-1', driver: 'lines', port: io1, zone: 'zone-1' },
          { id: 'io-2', driver: 'lines', port: io2, zone: 'zone-2' },
        ],
        actuators: [
          { id: 'io-1-lock', driver: 'lines', device: 'io-1', channel: 'lock', safeState: 'closed' },
          { id: 'io-2-lock', driver: 'lines', device: 'io-2', channel: 'lock', safeState: 'closed' },
        ],
        cabinets: [cabinet('fridge-1', 'zone-1', 'io-1'), cabinet('fridge-2', 'zone-2', 'io-2')],
      });
      const gateway = runGateway(cleanup, config);
      return consoleAddress(gateway);
    }

    it('reviews every undecided uncertain session, however many sales came after it, counted and paged', async () => {
      const address = await gatewayWithHistory();
      const page = await newPage({ locale: 'en-US', timezoneId: 'UTC' });
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(`${address}/#/review`);
      const count = page.locator('[data-field="unresolved"]');
      await expect.poll(() => count.getAttribute('data-count'), { timeout: 15_000 }).toBe(String(UNCERTAIN));
      expect(await count.textContent()).toBe(`${UNCERTAIN} to review`);
      // The newest twenty, then the rest on asking.
      const cards = page.locator('[data-review]');
      await expect.poll(() => cards.count()).toBe(20);
      expect(await cards.first().getAttribute('data-review')).toBe(`uncertain-${UNCERTAIN - 1}`);
      await page.click('[data-action="more"]');
      await expect.poll(() => cards.count()).toBe(UNCERTAIN);
      expect(await page.locator('[data-action="more"]').count()).toBe(0);
      await page.screenshot({ path: join(artefactDir('console'), 'review-queue.png'), fullPage: true });
      // The oldest, decided (nothing charged): gone from the queue, one fewer to review.
      const oldest = page.locator('[data-review="uncertain-0"]');
      await oldest.locator('[data-action="nothing"]').click();
      await oldest.waitFor({ state: 'detached' });
      await expect.poll(() => count.getAttribute('data-count')).toBe(String(UNCERTAIN - 1));
      expect(await cards.count()).toBe(UNCERTAIN - 1);
    }, 60_000);

    it('asks the gateway for a cabinet, a customer or a day, and keeps only the latest answer', async () => {
      const address = await gatewayWithHistory();
      const page = await newPage({ locale: 'en-US', timezoneId: 'UTC' });
      await page.addInitScript(COUNT_ANSWERS);
      await page.goto(`${address}/#/sessions`);
      const rows = page.locator('[data-session]');
      const latestOnly = page.locator('[data-field="latest-only"]');
      await expect.poll(() => rows.count()).toBe(100);
      expect(await latestOnly.textContent()).toContain('Showing the latest 100');
      // The cabinets are the gateway's, not those of the sessions listed (all fridge-1 here).
      expect(await page.locator('[data-filter="cabinet"] option').allTextContents()).toEqual([
        'all',
        'fridge-1',
        'fridge-2',
      ]);

      // A customer with one sale long before the newest hundred: found by its exact reference.
      const customer = page.locator('[data-filter="customer"]');
      await customer.fill('cust-0017');
      await customer.press('Enter');
      await expect.poll(() => rows.count()).toBe(1);
      expect(await rows.first().getAttribute('data-session')).toBe('day-one');
      expect(await latestOnly.count()).toBe(0);
      // Part of a reference is no reference.
      await customer.fill('cust-00');
      await customer.press('Enter');
      await page.waitForSelector('text=No sessions');
      await customer.fill('');
      await expect.poll(() => rows.count()).toBe(100);

      await page.selectOption('[data-filter="cabinet"]', 'fridge-2');
      await expect
        .poll(async () =>
          (await rows.evaluateAll((items) => items.map((item) => item.dataset.session))).join(),
        )
        .toBe('day-two,day-one');

      // Day one's answer held back until day two's has been shown: the late one must not replace it.
      let held: Route | undefined;
      let release: (() => void) | undefined;
      const heldBack = new Promise<void>((resolve) => {
        release = resolve;
      });
      await page.route('**/api/request/sessions/get', async (route) => {
        if (route.request().postData()?.includes(`"from":"${DAY_ONE}T00:00:00.000Z"`)) {
          held = route;
          await heldBack;
        }
        await route.continue();
      });
      const before = await page.evaluate(() => (globalThis as unknown as { __answers: number }).__answers);
      const day = page.locator('[data-filter="day"]');
      await day.fill(DAY_ONE);
      await expect.poll(() => held !== undefined).toBe(true);
      await day.fill(DAY_TWO);
      await answersRead(page, before + 1);
      expect(await rows.evaluateAll((items) => items.map((item) => item.dataset.session))).toEqual([
        'day-two',
      ]);
      release?.();
      await answersRead(page, before + 2);
      expect(await rows.evaluateAll((items) => items.map((item) => item.dataset.session))).toEqual([
        'day-two',
      ]);
      expect(await day.inputValue()).toBe(DAY_TWO);
    }, 60_000);
  },
);
