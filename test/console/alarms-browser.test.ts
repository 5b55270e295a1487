import { join } from 'node:path';
import { expect, it } from 'vitest';
import { acceptDialogs, artefactDir, consoleAddress, describeInBrowser } from '../helpers/browser.js';
import { postRequest, ptyDoorGateway } from '../helpers/console-gateways.js';

const GATEWAY = 'alarms-gw';

/**
 * A fridge's door and lock controller on a real pty, its door opened twice with no session (an
 * alarm each time); the gateway restarts, and the console in Chromium still shows both alarms open
 * (the alarm book is in the store); a person acknowledges one, then the rest, and
 * `alarm.acknowledged` reaches a real Mosquitto while the alarms leave Now.
 */
describeInBrowser(
  import.meta.url,
  "the console's Alarms page in a real browser",
  ({ cleanup, page: newPage }) => {
    it('shows alarms raised before a restart, acknowledges them, and the broker hears it', async () => {
      const { collector, door, run } = await ptyDoorGateway(cleanup, {
        gatewayId: GATEWAY,
        collect: 'events/#',
      });

      // Nobody started a session: each opening of the door is an alarm.
      const first = run();
      await consoleAddress(first);
      await first.waitForEvent((e) => e.type === 'actuator.changed' && e.actuator === 'lock', 'the lock set');
      door('closed');
      door('open');
      await first.waitForEvent((e) => e.type === 'security.alarm', 'the first alarm');
      door('closed');
      const closings = () =>
        first.events().filter((e) => e.type === 'sensor.changed' && e.value === 'closed');
      await first.waitForEvent(() => closings().length === 2, 'the door closed again');
      door('open');
      await first.waitForEvent(
        () => first.events().filter((e) => e.type === 'security.alarm').length === 2,
        'the second alarm',
      );
      const raised = first.events().filter((e) => e.type === 'security.alarm');
      expect(raised.map((e) => e.kind)).toEqual([
        'door_opened_without_session',
        'door_opened_without_session',
      ]);
      const [older, newer] = raised.map((e) => String(e.id)) as [string, string];
      door('closed');
      expect(await first.stop('SIGTERM')).toBe(0);

      // Restarted: the alarms are still open.
      const address = await consoleAddress(run());
      const page = await newPage({ locale: 'en-US', viewport: { width: 1100, height: 800 } });
      const dialogs = acceptDialogs(page);
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
      const audit = (await (await postRequest(address, 'audit/get', { command: 'alarms/ack' })).json()) as {
        status: string;
        data: { entries: Array<{ command: string; outcome: string }> };
      };
      expect(audit.data.entries.map((entry) => entry.outcome)).toEqual(['ok', 'ok']);
    }, 90_000);
  },
);
