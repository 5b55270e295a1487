import { writeFileSync } from 'node:fs';
import { thingmagicDriver } from '../../src/protocols/thingmagic/index.js';

/**
 * Writes a capture (DESIGN.md "Capture file") of one ThingMagic reader on a shop shelf: the start-up
 * exchange as the simulator answers it, then one inventory round every `roundMs`, in which every
 * item on the shelf is read once on antenna 1 (no misses, so that the events can be derived by hand
 * from the item list: an item present on [from, to) is last read at the last round before `to`).
 */

export const SHELF_PORT = 'shelf-reader';
export const ROUND_MS = 250;

export interface ShelfItem {
  tag: string;
  /** Times (ms since `startedAt`) the item is on the shelf: [from, to) each. */
  on: Array<[number, number]>;
}

export interface ShelfCapture {
  startedAt: string;
  /** Rounds run from `firstRoundMs` up to, not including, `endMs`. */
  firstRoundMs: number;
  endMs: number;
  items: ShelfItem[];
}

/** SGTIN-96 tags as bytes for the simulator. */
function bytesOf(tag: string): Uint8Array {
  return Uint8Array.from(Buffer.from(tag, 'hex'));
}

export function writeShelfCapture(file: string, capture: ShelfCapture): void {
  const simulator = thingmagicDriver.createSimulator();
  const lines: string[] = [
    JSON.stringify({
      capture: 'rfid-gateway',
      version: 1,
      startedAt: capture.startedAt,
      ports: [{ id: SHELF_PORT, driver: 'thingmagic', baudRate: 115200 }],
    }),
  ];
  const chunk = (t: number, direction: 'rx' | 'tx', bytes: Uint8Array) =>
    lines.push(JSON.stringify({ t, port: SHELF_PORT, [direction]: Buffer.from(bytes).toString('hex') }));
  let t = 0;
  for (const step of thingmagicDriver.startup({})) {
    chunk(t, 'tx', step.bytes);
    for (const answer of simulator.answer(step.bytes)) chunk(t + 4, 'rx', answer);
    t += 20 + (step.settleMs ?? 0);
  }
  if (t >= capture.firstRoundMs) throw new Error(`the start-up exchange lasts until ${t} ms`);
  for (let at = capture.firstRoundMs; at < capture.endMs; at += ROUND_MS) {
    const frames: Uint8Array[] = [];
    for (const item of capture.items) {
      if (!item.on.some(([from, to]) => at >= from && at < to)) continue;
      const frame = simulator.tagFrame(bytesOf(item.tag), 1, -52);
      if (!frame) throw new Error('the simulated reader is not reading');
      frames.push(frame);
    }
    if (frames.length > 0) chunk(at, 'rx', Buffer.concat(frames));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}
