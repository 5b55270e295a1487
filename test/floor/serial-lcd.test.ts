import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceTap } from './floor-harness.js';
import { deviceOnline, Floor, stillRunning, TEST_TIMEOUT_MS, WAIT_MS } from './floor-harness.js';
import { decodeSerLcd, type LcdState, screenOf } from './serlcd-screen.js';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

/**
 * The shipped English texts a 16x2 screen shows, copied by hand (src/domain/displays/texts.ts):
 * idle is `Hold your card / to the reader`, out_of_order is `Out of order / Please ask staff`.
 */
const IDLE = screenOf(['Hold your card', 'to the reader']);
const OUT_OF_ORDER = screenOf(['Out of order', 'Please ask staff']);

/** Waits until the display, as decoded from every byte it got, shows `lines`. */
async function shows(tap: DeviceTap, lines: string[], what: string): Promise<LcdState> {
  let state: LcdState | undefined;
  await tap.waitUntil(
    (bytes) => {
      state = decodeSerLcd(bytes);
      return !state.partial && state.lines.join('\n') === lines.join('\n');
    },
    () =>
      `${what} (screen so far: ${JSON.stringify(state?.lines)}, problems: ${JSON.stringify(state?.problems)})`,
    WAIT_MS,
  );
  return state as LcdState;
}

/**
 * SparkFun SerLCD 16x2 displays driven by the displays extension, on real ptys. What they show is
 * worked out by a small SerLCD interpreter written from devices.md §2 (test/floor/serlcd-screen.ts),
 * not by the driver under test: clear, cursor addresses per row (`80|00`, `80|40`), printable
 * characters. A rule turns a sensor change into the out_of_order screen.
 */
describe('floor: serial LCDs through the displays extension (real ptys, real gateway process)', () => {
  let floor: Floor;
  beforeEach(() => {
    floor = new Floor();
  });
  afterEach(() => floor.dispose());

  it(
    'shows idle at start, out_of_order on a rule, and English ASCII on a zh-TW display',
    async () => {
      const io = await floor.pty();
      const english = await floor.pty();
      const taiwan = await floor.pty();
      const lcd = floor.tap(english);
      const lcdTw = floor.tap(taiwan);
      const config = floor.config('lcd', {
        sensors: [{ id: 'io', driver: 'lines', port: io.b, zone: 'fridge' }],
        displays: [
          { id: 'lcd', driver: 'serial-lcd', model: 'serlcd', size: '16x2', port: english.b },
          {
            id: 'lcd-tw',
            driver: 'serial-lcd',
            model: 'serlcd',
            size: '16x2',
            port: taiwan.b,
            locale: 'zh-TW',
          },
        ],
        rules: [
          {
            id: 'compressor-fault',
            on: 'sensor.changed',
            when: { sensor: 'io', value: 'fault' },
            do: [
              { show: { display: 'lcd', template: 'out_of_order' } },
              { show: { display: 'lcd-tw', template: 'out_of_order' } },
            ],
          },
        ],
      });
      const gateway = floor.run(config);

      // At start: a clear, then the idle text, each line at its row's address.
      const idle = await shows(lcd, IDLE, 'the idle screen');
      const firstText = idle.ops.findIndex((op) => op.op === 'text');
      const firstClear = idle.ops.findIndex((op) => op.op === 'clear');
      expect(firstClear).toBeGreaterThanOrEqual(0);
      expect(firstClear).toBeLessThan(firstText);
      expect(idle.ops.filter((op) => op.op === 'cursor').map((op) => [op.row, op.column])).toEqual([
        [0, 0],
        [1, 0],
      ]);
      expect(idle.problems).toEqual([]);
      // The display stays on the screen (no EEPROM setting is sent for a screen).
      expect(idle.ops.filter((op) => op.op === 'setting')).toEqual([]);
      const idleBytes = lcd.length;

      // The zh-TW display cannot show Chinese: it shows the English screen, in ASCII only.
      const idleTw = await shows(lcdTw, IDLE, 'the idle screen on the zh-TW display');
      expect(idleTw.problems).toEqual([]);
      expect(idleTw.textBytes.filter((byte) => byte < 0x20 || byte > 0x7e)).toEqual([]);

      // A sensor change, through the rule, puts both on out_of_order.
      await deviceOnline(gateway, 'io');
      io.writeA(utf8('compressor=fault\n'));
      await gateway.waitForEvent(
        (event) => event.type === 'sensor.changed' && event.value === 'fault',
        'sensor.changed compressor=fault',
        WAIT_MS,
      );
      const broken = await shows(lcd, OUT_OF_ORDER, 'the out_of_order screen');
      expect(broken.problems).toEqual([]);
      // Painted over the idle screen, not cleared first (only the changed cells are sent).
      const update = decodeSerLcd(lcd.bytes.subarray(idleBytes));
      expect(update.ops.filter((op) => op.op === 'clear' || op.op === 'setting')).toEqual([]);

      const brokenTw = await shows(lcdTw, OUT_OF_ORDER, 'the out_of_order screen on the zh-TW display');
      expect(brokenTw.problems).toEqual([]);
      expect(brokenTw.textBytes.filter((byte) => byte < 0x20 || byte > 0x7e)).toEqual([]);

      expect(await gateway.stop('SIGTERM')).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'goes back to idle after a timed screen, and repaints in full after being unplugged',
    async () => {
      const io = await floor.pty();
      const display = await floor.pty();
      const lcd = floor.tap(display);
      const FOR_MS = 2000;
      const config = floor.config('lcd-replug', {
        sensors: [{ id: 'io', driver: 'lines', port: io.b, zone: 'door' }],
        displays: [{ id: 'lcd', driver: 'serial-lcd', model: 'serlcd', size: '16x2', port: display.b }],
        rules: [
          {
            id: 'alarm-screen',
            on: 'sensor.changed',
            when: { sensor: 'io', value: 'alarm' },
            do: [{ show: { display: 'lcd', template: 'alarm', forMs: FOR_MS } }],
          },
          {
            id: 'fault-screen',
            on: 'sensor.changed',
            when: { sensor: 'io', value: 'fault' },
            do: [{ show: { display: 'lcd', template: 'out_of_order' } }],
          },
        ],
      });
      const gateway = floor.run(config);
      await shows(lcd, IDLE, 'the idle screen');
      await deviceOnline(gateway, 'io');

      // The alarm screen (the event has no product nor reason: only its first line is left), then
      // idle again by itself, not before forMs.
      const raisedAt = performance.now();
      io.writeA(utf8('gate=alarm\n'));
      await shows(lcd, screenOf(['Please pay', '']), 'the alarm screen');
      const before = lcd.length;
      await shows(lcd, IDLE, 'idle again after the alarm');
      expect((lcd.arrivalOf(before) as number) - raisedAt).toBeGreaterThanOrEqual(FOR_MS - 1);

      // Unplugged: the screen asked for meanwhile cannot be written, but is kept.
      await display.kill();
      io.writeA(utf8('gate=fault\n'));
      await gateway.waitForEvent(
        (event) => event.type === 'sensor.changed' && event.value === 'fault',
        'sensor.changed gate=fault',
        WAIT_MS,
      );
      // Plugged back in (a display that lost power shows nothing): cleared and painted in full.
      const unplugged = lcd.length;
      await display.restart();
      await lcd.waitUntil((bytes) => {
        const state = decodeSerLcd(bytes.subarray(unplugged));
        return !state.partial && state.lines.join('\n') === OUT_OF_ORDER.join('\n');
      }, 'out_of_order painted on the display that came back');
      const repaint = decodeSerLcd(lcd.bytes.subarray(unplugged));
      expect(repaint.problems).toEqual([]);
      const clearAt = repaint.ops.findIndex((op) => op.op === 'clear');
      expect(clearAt).toBeGreaterThanOrEqual(0);
      expect(clearAt).toBeLessThan(repaint.ops.findIndex((op) => op.op === 'text'));
      expect(stillRunning(gateway)).toBe(true);
      expect(await gateway.stop('SIGTERM')).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});
