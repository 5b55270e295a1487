/**
 * Writes hardware/captures/fridge-demo.jsonl, the capture `npm start` replays: one minute of a
 * smart fridge (ThingMagic M6e Nano, 7 items read in 250 ms rounds), the card reader at its door
 * (ID-20LA) and the door/lock controller (`lines`): two purchases and a refused card. Frames come from the drivers' simulators and the real frames of
 * protocols.md; run again after changing a simulator:  npx tsx test/tools/make-demo-capture.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../src/app/read-plan.js';
import { encodeId12Frame } from '../../src/protocols/em4100-ascii/index.js';
import { encodeLine } from '../../src/protocols/lines/index.js';
import { thingmagicDriver } from '../../src/protocols/thingmagic/index.js';

const out = fileURLToPath(new URL('../../hardware/captures/fridge-demo.jsonl', import.meta.url));
const random = seededRandom(2026);
const lines: Array<{ t: number; port: string; dir: 'rx' | 'tx'; bytes: Uint8Array }> = [];
const rx = (t: number, port: string, bytes: Uint8Array) => lines.push({ t, port, dir: 'rx', bytes });
const tx = (t: number, port: string, bytes: Uint8Array) => lines.push({ t, port, dir: 'tx', bytes });

// The gateway's start-up exchange with the Nano, as the simulator answers it.
const simulator = thingmagicDriver.createSimulator();
let t = 0;
for (const step of thingmagicDriver.startup({})) {
  tx(t, 'fridge', step.bytes);
  for (const answer of simulator.answer(step.bytes)) rx(t + 4, 'fridge', answer);
  t += 20 + (step.settleMs ?? 0);
}

/** SGTIN-96, company prefix 0614141, filter 1: the items on the fridge's shelves. */
function item(itemReference: number, serial: number): Uint8Array {
  let bits = (((((0x30n << 3n) | 1n) << 3n) | 5n) << 24n) | 614141n;
  bits = (((bits << 20n) | BigInt(itemReference)) << 38n) | BigInt(serial);
  return Uint8Array.from({ length: 12 }, (_, i) => Number((bits >> BigInt(88 - 8 * i)) & 0xffn));
}
/**
 * The fridge's stock, each item with its own per-round read probability (liquids read worse), and
 * when it is in the fridge. Two customers: Ana takes a cola and an orange juice, Ben a sandwich.
 */
const items = [
  { tag: item(812345, 6789), p: 0.95, rssi: -48, from: 0, to: 60_000, grams: 352.1 },
  { tag: item(812345, 6790), p: 0.9, rssi: -55, from: 0, to: 21_000, grams: 348.6 }, // Ana takes it at 21 s
  { tag: item(812346, 101), p: 0.8, rssi: -61, from: 0, to: 60_000, grams: 533.4 },
  { tag: item(812347, 2001), p: 0.9, rssi: -52, from: 0, to: 60_000, grams: 268.9 },
  { tag: item(812347, 2002), p: 0.85, rssi: -58, from: 0, to: 21_500, grams: 271.5 }, // Ana takes it at 21.5 s
  { tag: item(812348, 77), p: 0.95, rssi: -50, from: 0, to: 60_000, grams: 318.2 },
  { tag: item(812349, 5), p: 0.95, rssi: -50, from: 0, to: 43_000, grams: 243.7 }, // Ben takes it at 43 s
];
const KEEPALIVE = Uint8Array.from([0xff, 0x00, 0x22, 0x04, 0x00, 0x84, 0xe0]); // protocols.md §1.5, REAL
const ROUND_MS = 250;

// Inventory rounds: in each, every item in the fridge is read with its probability.
for (let round = 4; round * ROUND_MS < 60_000; round++) {
  const at = round * ROUND_MS;
  for (const entry of items) {
    if (at < entry.from || at >= entry.to || random() >= entry.p) continue;
    const rssi = entry.rssi + Math.round((random() - 0.5) * 6);
    const frame = simulator.tagFrame(entry.tag, 1, rssi);
    if (frame) rx(at + Math.round(random() * 200), 'fridge', frame);
  }
  if (at % 1000 === 0) rx(at + 20, 'fridge', KEEPALIVE);
}
// Line noise on the reader's cable: the decoder counts it and resynchronises.
rx(30_010, 'fridge', Uint8Array.from([0xff, 0x28, 0x22, 0x00, 0x13, 0x37, 0xff, 0x00]));

// Cards at the fridge's reader: Ana (REAL frame E1's ID, protocols.md §2.2), Ben, and a stranger.
const ana = Uint8Array.from([0x05, 0x00, 0x20, 0x7b, 0x32]);
const ben = Uint8Array.from([0x78, 0x00, 0x65, 0x2c, 0xc9]);
const stranger = Uint8Array.from([0x0a, 0x0b, 0x0c, 0x0d, 0x0e]);
rx(18_000, 'badge', encodeId12Frame(ana));
rx(38_000, 'badge', encodeId12Frame(ben));
rx(54_000, 'badge', encodeId12Frame(stranger));

// The door controller: the gateway's unlock pulse and relock, the door opening and closing.
tx(18_010, 'io', encodeLine('lock', 'open:5000'));
rx(19_500, 'io', encodeLine('door', 'open'));
rx(24_000, 'io', encodeLine('door', 'closed'));
tx(24_010, 'io', encodeLine('lock', 'closed'));
tx(38_010, 'io', encodeLine('lock', 'open:5000'));
rx(39_500, 'io', encodeLine('door', 'open'));
rx(45_000, 'io', encodeLine('door', 'closed'));
tx(45_010, 'io', encodeLine('lock', 'closed'));
rx(50, 'io', new TextEncoder().encode('# fridge controller v1.4 booted\n'));
for (let at = 0; at < 60_000; at += 2000) {
  const open = (at > 19_500 && at < 24_000) || (at > 39_500 && at < 45_000);
  rx(at + 100, 'io', encodeLine('temp', Math.round(((open ? 6 : 4) + random()) * 10) / 10));
}

// The scale under the shelves (an HX711 on the same controller, tared empty), five samples a second
// with about 1 g of noise; hands on the shelves while the door is open, the cabinet rocking after it
// closes. Its units' weights are within the catalog's tolerances.
const doorOpen = (at: number) => (at > 19_500 && at < 24_000) || (at > 39_500 && at < 45_000);
for (let at = 1000; at < 60_000; at += 200) {
  let grams = 0;
  for (const entry of items) if (at >= entry.from && at < entry.to) grams += entry.grams;
  grams += (random() - 0.5) * 3.4;
  if (doorOpen(at)) grams += (random() - 0.5) * 300;
  const sinceClose = Math.min(
    ...[24_000, 45_000].map((close) => (at >= close ? at - close : Number.POSITIVE_INFINITY)),
  );
  if (sinceClose < 1000) grams += 40 * Math.exp(-sinceClose / 120) * (at % 400 === 0 ? 1 : -1);
  rx(at + 50, 'io', encodeLine('weight', Math.round(grams * 10) / 10));
}

lines.sort((a, b) => a.t - b.t);
const header = {
  capture: 'rfid-gateway',
  version: 1,
  startedAt: '2026-11-22T10:00:00.000Z',
  ports: [
    { id: 'fridge', driver: 'thingmagic', baudRate: 115200 },
    { id: 'badge', driver: 'em4100-ascii', baudRate: 9600 },
    { id: 'io', driver: 'lines', baudRate: 115200 },
  ],
};
lines.sort((a, b) => a.t - b.t || a.port.localeCompare(b.port));
const text = [JSON.stringify(header)]
  .concat(
    lines.map((l) => JSON.stringify({ t: l.t, port: l.port, [l.dir]: Buffer.from(l.bytes).toString('hex') })),
  )
  .join('\n');
writeFileSync(out, `${text}\n`);
console.log(`${out}: ${lines.length} chunks`);
