import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../shared/clock.js';
import type { LcdModel, LcdSize } from './commands.js';
import { SerialLcd } from './serial-lcd.js';

// Expected bytes are written out by hand from devices.md §2: hex for commands, text as its ASCII.
const hex = (text: string) => text.split(' ').map((byte) => Number.parseInt(byte, 16));
const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

/** SerLCD: display on without cursor, then the HD44780 clear. */
const SERLCD_REPAINT = hex('FE 0C FE 01');
/** Adafruit backpack: size 20x4, display on, underline and block cursor off, clear. */
const MO_20X4_REPAINT = hex('FE D1 14 04 FE 42 00 FE 4B FE 54 FE 58');
const MO_16X2_REPAINT = hex('FE D1 10 02 FE 42 00 FE 4B FE 54 FE 58');

const START = 5_000;

/** Lets pending promise callbacks run (the driver's awaits), without moving any clock. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Held {
  resolve(): void;
  reject(error: Error): void;
}

class FakePort {
  readonly writes: number[][] = [];
  readonly held: Held[] = [];
  hold = false;
  failWith: Error | undefined;

  readonly write = (bytes: Uint8Array): Promise<void> => {
    this.writes.push([...bytes]);
    if (this.failWith) return Promise.reject(this.failWith);
    if (!this.hold) return Promise.resolve();
    return new Promise((resolve, reject) => this.held.push({ resolve, reject }));
  };
}

function display(model: LcdModel, size: LcdSize) {
  const port = new FakePort();
  const clock = new VirtualClock(START);
  const lcd = new SerialLcd({ target: '/dev/ttyUSB2', model, size, write: port.write, clock });
  /** Shows the lines, moving the clock on through the clear wait if there is one. */
  const show = async (lines: readonly string[]) => {
    const shown = lcd.show(lines);
    await settle();
    clock.advanceTo(clock.now() + 5);
    await shown;
  };
  return { port, clock, lcd, show };
}

describe('SerialLcd', () => {
  it('has the size it was given', () => {
    const { lcd } = display('matrix-orbital', '20x4');
    expect([lcd.target, lcd.columns, lcd.rows]).toEqual(['/dev/ttyUSB2', 20, 4]);
    const small = display('serlcd', '16x2').lcd;
    expect([small.columns, small.rows]).toEqual([16, 2]);
  });

  it('clears first, waits 5 ms on the clock, then writes only the non-blank cells', async () => {
    const { port, clock, lcd } = display('serlcd', '16x2');
    const shown = lcd.show(['Hello', 'World']);
    await settle();
    expect(port.writes).toEqual([SERLCD_REPAINT]);
    clock.advanceTo(START + 4);
    await settle();
    expect(port.writes).toHaveLength(1);
    clock.advanceTo(START + 5);
    await shown;
    expect(port.writes).toEqual([
      SERLCD_REPAINT,
      [...hex('FE 80'), ...ascii('Hello'), ...hex('FE C0'), ...ascii('World')],
    ]);
  });

  it('sends only the cells that changed on later shows, with no clear and no wait', async () => {
    const { port, show, lcd } = display('serlcd', '16x2');
    await show(['Hello', 'World']);
    port.writes.length = 0;
    await lcd.show(['Hallo', 'Wordy']);
    expect(port.writes).toEqual([[...hex('FE 81'), ...ascii('a'), ...hex('FE C3'), ...ascii('dy')]]);
    // Blanking a row rewrites its old cells as spaces.
    await lcd.show(['Hallo']);
    expect(port.writes[1]).toEqual([...hex('FE C0'), ...ascii('     ')]);
    // Nothing changed, nothing sent.
    await lcd.show(['Hallo', '']);
    expect(port.writes).toHaveLength(2);
  });

  it('resends a few unchanged cells when that is shorter than a second cursor command', async () => {
    const serlcd = display('serlcd', '16x2');
    await serlcd.show(['Price 4.50', '0123456789']);
    serlcd.port.writes.length = 0;
    await serlcd.lcd.show(['Price 5.60', 'X123Y56789']);
    // SerLCD cursor = 2 bytes: the 1-cell gap "." is resent, the 3-cell gap "123" is not.
    expect(serlcd.port.writes).toEqual([
      [...hex('FE 86'), ...ascii('5.6'), ...hex('FE C0'), ...ascii('X'), ...hex('FE C4'), ...ascii('Y')],
    ]);

    const mo = display('matrix-orbital', '16x2');
    await mo.show(['Price 4.50', '0123456789']);
    mo.port.writes.length = 0;
    await mo.lcd.show(['Price 5.60', 'X123Y56789']);
    // Matrix Orbital cursor = 4 bytes: a 3-cell gap is resent too.
    expect(mo.port.writes).toEqual([
      [...hex('FE 47 07 01'), ...ascii('5.6'), ...hex('FE 47 01 02'), ...ascii('X123Y')],
    ]);
    await mo.lcd.show(['Price 5.60', 'A123YB6789']);
    expect(mo.port.writes[1]).toEqual([
      ...[...hex('FE 47 01 02'), ...ascii('A')],
      ...[...hex('FE 47 06 02'), ...ascii('B')],
    ]);
  });

  it('paints a 20x4 Matrix Orbital screen with 1-based column, row cursor commands', async () => {
    const { port, show, lcd } = display('matrix-orbital', '20x4');
    await show(['Welcome', 'Take what you like', '', 'Door closes in 30s']);
    expect(port.writes).toEqual([
      MO_20X4_REPAINT,
      [
        ...[...hex('FE 47 01 01'), ...ascii('Welcome')],
        ...[...hex('FE 47 01 02'), ...ascii('Take what you like')],
        ...[...hex('FE 47 01 04'), ...ascii('Door closes in 30s')],
      ],
    ]);
    await lcd.show(['Welcome!', 'Take what you like', '', 'Door closes in 25s']);
    expect(port.writes[2]).toEqual([...hex('FE 47 08 01 21'), ...hex('FE 47 10 04'), ...ascii('25')]);
  });

  it('addresses rows 2 and 3 of a 20x4 SerLCD at 14 and 54', async () => {
    const { port, show } = display('serlcd', '20x4');
    await show(['', '', 'third', 'fourth']);
    expect(port.writes[1]).toEqual([...hex('FE 94'), ...ascii('third'), ...hex('FE D4'), ...ascii('fourth')]);
  });

  it('cuts extra rows and long lines, and splits runs at two blank cells on SerLCD', async () => {
    const { port, show } = display('serlcd', '16x2');
    await show(['Hi  there', 'A very long line that is cut', 'a third line']);
    expect(port.writes[1]).toEqual([
      ...[...hex('FE 80'), ...ascii('Hi'), ...hex('FE 84'), ...ascii('there')],
      ...[...hex('FE C0'), ...ascii('A very long line')],
    ]);
  });

  it('never lets anything but printable ASCII reach the device', async () => {
    const { port, show } = display('serlcd', '16x2');
    await show(['Café 4,50 €', '謝謝 | ok']);
    expect(port.writes[1]).toEqual([
      ...[...hex('FE 80'), ...ascii('Cafe 4,50 EUR')],
      // `|` is the SerLCD settings prefix, sent doubled.
      ...[...hex('FE C0'), ...ascii('?? || ok')],
    ]);
  });

  it('leaves the bottom-right cell of a Matrix Orbital blank, so that the screen does not scroll', async () => {
    const mo = display('matrix-orbital', '16x2');
    await mo.show(['', '0123456789ABCDEF']);
    expect(mo.port.writes).toEqual([MO_16X2_REPAINT, [...hex('FE 47 01 02'), ...ascii('0123456789ABCDE')]]);
    const serlcd = display('serlcd', '16x2');
    await serlcd.show(['', '0123456789ABCDEF']);
    expect(serlcd.port.writes[1]).toEqual([...hex('FE C0'), ...ascii('0123456789ABCDEF')]);
  });

  it('repaints from a clear after invalidate', async () => {
    const { port, clock, lcd, show } = display('serlcd', '16x2');
    await show(['Hello', 'World']);
    lcd.invalidate();
    port.writes.length = 0;
    const shown = lcd.show(['Hello', 'World']);
    await settle();
    expect(port.writes).toEqual([SERLCD_REPAINT]);
    clock.advanceTo(clock.now() + 5);
    await shown;
    expect(port.writes[1]).toEqual([...hex('FE 80'), ...ascii('Hello'), ...hex('FE C0'), ...ascii('World')]);
  });

  it('repaints after an invalidate that came while a paint was on the wire', async () => {
    const { port, clock, lcd } = display('serlcd', '16x2');
    port.hold = true;
    const shown = lcd.show(['Hello']);
    await settle();
    port.held[0]?.resolve();
    await settle();
    clock.advanceTo(START + 5);
    await settle();
    expect(port.writes).toHaveLength(2);
    lcd.invalidate();
    port.held[1]?.resolve();
    await shown;
    port.hold = false;
    const again = lcd.show(['Hello']);
    await settle();
    expect(port.writes[2]).toEqual(SERLCD_REPAINT);
    clock.advanceTo(clock.now() + 5);
    await again;
  });

  it('repaints from a clear after a failed write, and reports the failure to the caller', async () => {
    const { port, show, lcd } = display('serlcd', '16x2');
    await show(['Hello', 'World']);
    port.failWith = new Error('port is offline');
    await expect(lcd.show(['Hello', 'Earth'])).rejects.toThrow('port is offline');
    port.failWith = undefined;
    port.writes.length = 0;
    await show(['Hello', 'Earth']);
    expect(port.writes).toEqual([
      SERLCD_REPAINT,
      [...hex('FE 80'), ...ascii('Hello'), ...hex('FE C0'), ...ascii('Earth')],
    ]);
  });

  it('paints one show at a time and collapses the shows that wait into the latest', async () => {
    const { port, clock, lcd } = display('serlcd', '16x2');
    port.hold = true;
    const done: string[] = [];
    const track = (name: string, shown: Promise<void>) => shown.then(() => done.push(name));
    const first = track('one', lcd.show(['one']));
    await settle();
    const second = track('two', lcd.show(['two']));
    const third = track('three', lcd.show(['three']));
    port.held[0]?.resolve();
    await settle();
    clock.advanceTo(START + 5);
    await settle();
    expect(port.writes).toEqual([SERLCD_REPAINT, [...hex('FE 80'), ...ascii('one')]]);
    expect(done).toEqual([]);
    port.held[1]?.resolve();
    await first;
    await settle();
    // "two" is never sent: the next paint goes straight from "one" to "three".
    expect(port.writes[2]).toEqual([...hex('FE 80'), ...ascii('three')]);
    expect(done).toEqual(['one']);
    port.held[2]?.resolve();
    await Promise.all([second, third]);
    expect(done).toEqual(['one', 'two', 'three']);
    expect(port.writes).toHaveLength(3);
  });
});
