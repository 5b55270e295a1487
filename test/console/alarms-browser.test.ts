import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeSensorLine } from '../../src/protocols/lines/encode.js';
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
import { createPtyPair } from '../helpers/pty.js';

const GATEWAY = 'alarms-gw';

if (!CHROMIUM && !BROWSER_REQUIRED)
  console.warn(`test/console/alarms-browser.test.ts skipped: ${BROWSER_MISSING}`);

/**
 * A fridge's door and lock controller on a real pty, its door opened twice with no session (an
 * alarm each time); the gateway restarts, and the console in Chromium still shows both alarms open
 * (the alarm book is in the store); a person acknowledges one, then the rest, and
 * `alarm.acknowledged` reaches a real Mosquitto while the alarms leave Now.
 */
describe.skipIf(!CHROMIUM && !BROWSER_REQUIRED)("the console's Alarms page in a real browser", () => {
  const { browser, cleanup } = useBrowser({ beforeAll, afterAll, afterEach });

  it('shows alarms raised before a restart, acknowledges them, and the broker hears it', async () => {
    const io = await createPtyPair();
    cleanup.push(() => io.close());
    const broker = await startMosquitto();
    const collector = await MqttCollector.start(broker.url, `rfid/${GATEWAY}/events/#`);
    cleanup.push(() => collector.close());
    const dir = mkdtempSync(join(tmpdir(), 'rfid-alarms-'));
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: GATEWAY,
        dataDir: join(dir, 'data'),
        logLevel: 'info',
        mqtt: { url: broker.url },
        http: { host: '127.0.0.1', port: 0 },
        sensors: [{ id: 'io', driver: 'lines', port: io.b, zone: 'fridge' }],
        actuators: [{ id: 'lock', driver: 'lines', device: 'io', channel: 'lock', safeState: 'closed' }],
        cabinets: [{ id: 'fridge-1', zone: 'fridge', door: { sensor: 'io' }, lock: 'lock', currency: 'EUR' }],
      }),
    );
    const door = (value: 'open' | 'closed') => io.writeA(encodeSensorLine({ door: value }));

    // Nobody started a session: each opening of the door is an alarm.
    const first = new CliProcess(['run', '--config', config]);
    cleanup.push(() => first.stop('SIGKILL'));
    await consoleAddress(first);
    await first.waitForEvent((e) => e.type === 'actuator.changed' && e.actuator === 'lock', 'the lock set');
    door('closed');
    door('open');
    await first.waitForEvent((e) => e.type === 'security.alarm', 'the first alarm');
    door('closed');
    const closings = () => first.events().filter((e) => e.type === 'sensor.changed' && e.value === 'closed');
    await first.waitForEvent(() => closings().length === 2, 'the door closed again');
    door('open');
    await first.waitForEvent(
      () => first.events().filter((e) => e.type === 'security.alarm').length === 2,
      'the second alarm',
    );
    const raised = first.events().filter((e) => e.type === 'security.alarm');
    expect(raised.map((e) => e.kind)).toEqual(['door_opened_without_session', 'door_opened_without_session']);
    const [older, newer] = raised.map((e) => String(e.id)) as [string, string];
    door('closed');
    expect(await first.stop('SIGTERM')).toBe(0);

    // Restarted: the alarms are still open.
    const gateway = new CliProcess(['run', '--config', config]);
    cleanup.push(() => gateway.stop('SIGKILL'));
    const address = await consoleAddress(gateway);
    const page = await browser().newPage({ locale: 'en-US', viewport: { width: 1100, height: 800 } });
    cleanup.push(() => page.close());
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await page.goto(`${address}/#/now`);
    await page.locator(`li[data-alarm="${older}"]`).waitFor();
    await page.locator(`li[data-alarm="${newer}"]`).waitFor();
    expect(await page.locator(`li[data-alarm="${older}"]`).textContent()).toContain(
      'Door opened without a session',
    );
    await page.locator('nav [data-open-alarms="2"]').waitFor();

    await page.locator('nav a[href="#/alarms"]').click();
    const row = page.locator(`tr[data-alarm="${older}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('fridge-1');
    await row.locator('input').fill('staff restocking');
    await row.locator('[data-action="ack"]').click();
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    expect(dialogs).toEqual(['Acknowledge this alarm? (Door opened without a session)']);
    const acknowledged = page.locator(`tr[data-acknowledged="${older}"]`);
    await acknowledged.waitFor();
    expect(await acknowledged.textContent()).toContain('by console');
    expect(await acknowledged.textContent()).toContain('staff restocking');
    await page.locator('nav [data-open-alarms="1"]').waitFor();
    await page.screenshot({ path: join(artefactDir('console'), 'alarms.png'), fullPage: true });

    const topic = `rfid/${GATEWAY}/events/alarm/acknowledged`;
    await collector.waitFor(
      (messages) => messages.some((message) => message.topic === topic),
      'alarm.acknowledged on the broker',
    );
    const heard = collector.messages.filter((message) => message.topic === topic);
    expect(JSON.parse(heard[0]?.payload ?? '{}')).toMatchObject({
      type: 'alarm.acknowledged',
      alarm: older,
      kind: 'door_opened_without_session',
      cabinet: 'fridge-1',
      by: 'console',
      note: 'staff restocking',
    });

    // In Traditional Chinese, the kinds have their names too.
    await page.locator('header select').selectOption('zh-TW');
    await page.waitForSelector(`tr[data-acknowledged="${older}"] >> text=無交易時櫃門被開啟`);
    await page.locator('header select').selectOption('en');

    // The rest at once; Now has none left and the badge goes.
    await page.locator('[data-action="ack-all"]').click();
    await page.locator('[data-empty="open"]').waitFor();
    expect(dialogs.at(-1)).toBe('Acknowledge every open alarm listed? (1)');
    await collector.waitFor(
      (messages) => messages.filter((message) => message.topic === topic).length === 2,
      'the second alarm.acknowledged',
    );
    await page.locator('nav a[href="#/now"]').click();
    await page.waitForSelector('text=No alarms');
    expect(await page.locator('nav [data-open-alarms]').count()).toBe(0);
    // Audited as any state-changing request.
    const audit = (await (
      await fetch(`${address}/api/request/audit/get`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ command: 'alarms/ack' }),
      })
    ).json()) as { status: string; data: { entries: Array<{ command: string; outcome: string }> } };
    expect(audit.data.entries.map((entry) => entry.outcome)).toEqual(['ok', 'ok']);
  }, 90_000);
});
