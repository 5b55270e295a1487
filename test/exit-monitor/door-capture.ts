/**
 * The exit door scenario, as a capture of one ThingMagic reader (port `door`) with two antennas:
 * antenna 1 reads the zone `inside`, antenna 2 the zone `outside` (config/exit-door.json, door
 * `front` = [inside, outside]). Frames come from the Nano simulator after the gateway's start-up
 * exchange, one chunk per 200 ms inventory round. Regenerate the committed file after changing the
 * simulator or this scenario:  npx tsx test/exit-monitor/make-door-capture.ts
 *
 * What happens (t in ms from the start of the capture):
 * - 1000–3000: three items wait inside the door, each read every round on antenna 1 at -60 dBm.
 * - SOLD (a water, paid at the till): read outside on antenna 2, 3600–4400, then gone.
 * - UNSOLD (a cola nobody paid for): outside 3600–6000, back inside 6600–7400 (the customer turns
 *   round), outside again 8000–10000: two crossings and two dozen reads outside within a minute.
 * - UNKNOWN (a tag in no catalog): outside 3600–5000, then gone.
 * Each crossing has 600 ms without reads between the last read on one antenna and the first on the
 * other: more than the config's `crossRead.staleAfterMs` (500), so the first read on the other
 * antenna moves the tag, and less than `departAfterMs` (2000), so it does not depart in between.
 */
import { thingmagicDriver } from '../../src/protocols/thingmagic/index.js';
import type { Product } from '../../src/shared/commerce.js';
import { sgtin96 } from '../../src/shared/sgtin.js';

/** SGTIN-96 (company prefix 0614141, partition 5, filter 1) for an item reference and serial. */
export function sgtin(itemReference: number, serial: number): string {
  return sgtin96({ itemReference, serial });
}

/** GTINs per the TDS for item references 812345 and 812346 of 0614141 (see src/core/epc.test.ts). */
export const COLA: Product = {
  sku: 'COLA-033',
  gtin: '80614141123458',
  name: 'Cola 0.33 l',
  unitPrice: 250,
  currency: 'EUR',
};
export const WATER: Product = {
  sku: 'WATER-05',
  gtin: '80614141123465',
  name: 'Water 0.5 l',
  unitPrice: 180,
  currency: 'EUR',
};

export const SOLD = sgtin(812346, 1);
export const UNSOLD = sgtin(812345, 2);
/** Header 0xE2 is no EPC scheme: the catalog cannot know it by GTIN, and has no mapping for it. */
export const UNKNOWN = 'E280117000000208AB12CD34';

export const STARTED_AT = '2026-11-22T10:00:00.000Z';
export const PORT = 'door';
const INSIDE = 1;
const OUTSIDE = 2;
const ROUND_MS = 200;

/** [tag, antenna, from, to]: read on that antenna every round from `from` to `to`, both included. */
const SIGHTINGS: ReadonlyArray<readonly [string, number, number, number]> = [
  [SOLD, INSIDE, 1000, 3000],
  [UNSOLD, INSIDE, 1000, 3000],
  [UNKNOWN, INSIDE, 1000, 3000],
  [SOLD, OUTSIDE, 3600, 4400],
  [UNSOLD, OUTSIDE, 3600, 6000],
  [UNKNOWN, OUTSIDE, 3600, 5000],
  [UNSOLD, INSIDE, 6600, 7400],
  [UNSOLD, OUTSIDE, 8000, 10_000],
];
const RSSI: Record<number, number> = { [INSIDE]: -60, [OUTSIDE]: -55 };

/** The capture's lines (JSON, no newline): the header first. */
export function doorCaptureLines(): string[] {
  const header = {
    capture: 'rfid-gateway',
    version: 1,
    startedAt: STARTED_AT,
    ports: [{ id: PORT, driver: 'thingmagic', baudRate: thingmagicDriver.defaultBaudRate }],
  };
  const lines = [JSON.stringify(header)];
  const chunk = (t: number, direction: 'rx' | 'tx', bytes: Uint8Array[]) =>
    lines.push(
      JSON.stringify({
        t,
        port: PORT,
        [direction]: bytes.map((b) => Buffer.from(b).toString('hex')).join(''),
      }),
    );
  // The start-up exchange as `rfid-gateway record` captures it; the simulator streams only after it.
  const simulator = thingmagicDriver.createSimulator();
  let t = 0;
  for (const step of thingmagicDriver.startup({ antennas: [INSIDE, OUTSIDE] })) {
    chunk(t, 'tx', [step.bytes]);
    const answers = simulator.answer(step.bytes);
    if (answers.length > 0) chunk(t + 4, 'rx', answers);
    t += 20 + (step.settleMs ?? 0);
  }
  if (t >= 1000) throw new Error('the start-up exchange runs into the first round');
  const last = Math.max(...SIGHTINGS.map(([, , , to]) => to));
  for (let round = 1000; round <= last; round += ROUND_MS) {
    const frames: Uint8Array[] = [];
    for (const [tag, antenna, from, to] of SIGHTINGS) {
      if (round < from || round > to) continue;
      const frame = simulator.tagFrame(Buffer.from(tag, 'hex'), antenna, RSSI[antenna] as number);
      if (!frame) throw new Error('the simulated reader is not reading');
      frames.push(frame);
    }
    if (frames.length > 0) chunk(round, 'rx', frames);
  }
  return lines;
}

export function doorCaptureText(): string {
  return `${doorCaptureLines().join('\n')}\n`;
}
