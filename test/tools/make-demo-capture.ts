/**
 * Writes hardware/captures/fridge-demo.jsonl, the capture `npm start` replays (in a loop): two minutes
 * of a smart fridge (ThingMagic M6e Nano, 8 items read in 250 ms rounds), the card reader at its door
 * (ID-20LA) and the door/lock/temperature/scale controller (`lines`). The scenes, by second:
 * - 18–24: Ana takes a cola and an orange juice (charged 4.70); 38–45: Ben a club sandwich (4.50);
 *   54: a stranger's card, refused.
 * - 64–88: Dan opens the door and dithers with it open for 22.5 s: the cabinet's door-open alarm
 *   (config/demo.json, 15 s) goes off at 80.5 s; he takes nothing (a session charged nothing).
 * - 92–114: after that long opening the compressor runs and shakes the shelves: the scale gives no
 *   steady reading.
 * - 96–101: Carla takes the sparkling water lying at the back, whose tag reads in about one round in
 *   five. Without the scale, 10 s of unread rounds cannot prove that such a tag left: her session
 *   ends uncertain (read_rate_too_low, that bottle undecided), reported for review, not charged.
 * The first minute is drawn from its own seed and the rest (and the bottle at the back) from others,
 * so that a scene added after it leaves the first minute's reads, noise and times as they were.
 * Frames come from the drivers' simulators and the real frames of protocols.md; run again after
 * changing a simulator:
 *   npx tsx test/tools/make-demo-capture.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../src/app/read-plan.js';
import { encodeId12Frame } from '../../src/protocols/em4100-ascii/index.js';
import { encodeLine } from '../../src/protocols/lines/index.js';
import { thingmagicDriver } from '../../src/protocols/thingmagic/index.js';

const out = fileURLToPath(new URL('../../hardware/captures/fridge-demo.jsonl', import.meta.url));
const END_MS = 120_000;
/** The first minute (the two purchases and the refused card), as first recorded. */
const FIRST_MINUTE_MS = 60_000;
const firstMinute = seededRandom(2026);
const later = seededRandom(2027);
const randomAt = (at: number) => (at < FIRST_MINUTE_MS ? firstMinute : later);
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
 * when it is in the fridge. The last one lies at the back against the wall, where its tag reads
 * poorly; it draws from a stream of its own, so that the other items' reads in the first minute are
 * the ones first recorded.
 */
const items: Array<{
  tag: Uint8Array;
  p: number;
  rssi: number;
  from: number;
  to: number;
  grams: number;
  random?: () => number;
}> = [
  { tag: item(812345, 6789), p: 0.95, rssi: -48, from: 0, to: END_MS, grams: 352.1 },
  { tag: item(812345, 6790), p: 0.9, rssi: -55, from: 0, to: 21_000, grams: 348.6 }, // Ana takes it at 21 s
  { tag: item(812346, 101), p: 0.8, rssi: -61, from: 0, to: END_MS, grams: 533.4 },
  { tag: item(812347, 2001), p: 0.9, rssi: -52, from: 0, to: END_MS, grams: 268.9 },
  { tag: item(812347, 2002), p: 0.85, rssi: -58, from: 0, to: 21_500, grams: 271.5 }, // Ana takes it at 21.5 s
  { tag: item(812348, 77), p: 0.95, rssi: -50, from: 0, to: END_MS, grams: 318.2 },
  { tag: item(812349, 5), p: 0.95, rssi: -50, from: 0, to: 43_000, grams: 243.7 }, // Ben takes it at 43 s
  // Carla takes it at 99 s.
  {
    tag: item(812346, 102),
    p: 0.22,
    rssi: -70,
    from: 0,
    to: 99_000,
    grams: 527.9,
    random: seededRandom(102),
  },
];
const KEEPALIVE = Uint8Array.from([0xff, 0x00, 0x22, 0x04, 0x00, 0x84, 0xe0]); // protocols.md §1.5, REAL
const ROUND_MS = 250;

// Inventory rounds: in each, every item in the fridge is read with its probability.
for (let round = 4; round * ROUND_MS < END_MS; round++) {
  const at = round * ROUND_MS;
  for (const entry of items) {
    const random = entry.random ?? randomAt(at);
    if (at < entry.from || at >= entry.to || random() >= entry.p) continue;
    const rssi = entry.rssi + Math.round((random() - 0.5) * 6);
    const frame = simulator.tagFrame(entry.tag, 1, rssi);
    if (frame) rx(at + Math.round(random() * 200), 'fridge', frame);
  }
  if (at % 1000 === 0) rx(at + 20, 'fridge', KEEPALIVE);
}
// Line noise on the reader's cable: the decoder counts it and resynchronises.
rx(30_010, 'fridge', Uint8Array.from([0xff, 0x28, 0x22, 0x00, 0x13, 0x37, 0xff, 0x00]));

// Cards at the fridge's reader: Ana (REAL frame E1's ID, protocols.md §2.2), Ben, a stranger, Dan, Carla.
const ana = Uint8Array.from([0x05, 0x00, 0x20, 0x7b, 0x32]);
const ben = Uint8Array.from([0x78, 0x00, 0x65, 0x2c, 0xc9]);
const stranger = Uint8Array.from([0x0a, 0x0b, 0x0c, 0x0d, 0x0e]);
const dan = Uint8Array.from([0x4f, 0x00, 0x12, 0xa3, 0xb7]);
const carla = Uint8Array.from([0x3c, 0x00, 0x4e, 0x61, 0x2a]);
rx(18_000, 'badge', encodeId12Frame(ana));
rx(38_000, 'badge', encodeId12Frame(ben));
rx(54_000, 'badge', encodeId12Frame(stranger));
rx(64_000, 'badge', encodeId12Frame(dan));
rx(96_000, 'badge', encodeId12Frame(carla));

// The door controller: the gateway's unlock pulse and relock, the door opening and closing; `hands`:
// when the customer's hands are on the shelves (Dan reaches in, then stands holding the door).
const sessions: Array<{ card: number; open: number; close: number; hands: Array<[number, number]> }> = [
  { card: 18_000, open: 19_500, close: 24_000, hands: [[19_500, 24_000]] },
  { card: 38_000, open: 39_500, close: 45_000, hands: [[39_500, 45_000]] },
  {
    card: 64_000,
    open: 65_500,
    close: 88_000,
    hands: [
      [65_500, 69_000],
      [85_000, 88_000],
    ],
  },
  { card: 96_000, open: 97_500, close: 101_000, hands: [[97_500, 101_000]] },
];
for (const { card, open, close } of sessions) {
  tx(card + 10, 'io', encodeLine('lock', 'open:5000'));
  rx(open, 'io', encodeLine('door', 'open'));
  rx(close, 'io', encodeLine('door', 'closed'));
  tx(close + 10, 'io', encodeLine('lock', 'closed'));
}
const doorOpen = (at: number) => sessions.some(({ open, close }) => at > open && at < close);
const handsIn = (at: number) =>
  sessions.some(({ hands }) => hands.some(([from, to]) => at > from && at < to));
/** The compressor after Dan's long opening (its vibration reaches the scale: see below). */
const COMPRESSOR = { from: 92_000, to: 114_000 };
rx(50, 'io', new TextEncoder().encode('# fridge controller v1.4 booted\n'));
rx(COMPRESSOR.from, 'io', new TextEncoder().encode('# compressor on\n'));
rx(COMPRESSOR.to, 'io', new TextEncoder().encode('# compressor off\n'));
for (let at = 0; at < END_MS; at += 2000) {
  const random = randomAt(at);
  rx(at + 100, 'io', encodeLine('temp', Math.round(((doorOpen(at) ? 6 : 4) + random()) * 10) / 10));
}

// The scale under the shelves (an HX711 on the same controller, tared empty), five samples a second
// with about 1 g of noise; the customer's hands on the shelves (`hands`), the cabinet rocking after it
// closes, and the compressor's vibration while it runs (alternate samples 6–8 g either side: no 600 ms
// of them is ever steady, yet none moves the reported weight by its 20 g). Its units' weights are
// within the catalog's tolerances.
for (let at = 1000; at < END_MS; at += 200) {
  const random = randomAt(at);
  let grams = 0;
  for (const entry of items) if (at >= entry.from && at < entry.to) grams += entry.grams;
  grams += (random() - 0.5) * 3.4;
  if (handsIn(at)) grams += (random() - 0.5) * 300;
  const sinceClose = Math.min(
    ...sessions.map(({ close }) => (at >= close ? at - close : Number.POSITIVE_INFINITY)),
  );
  if (sinceClose < 1000) grams += 40 * Math.exp(-sinceClose / 120) * (at % 400 === 0 ? 1 : -1);
  if (at >= COMPRESSOR.from && at < COMPRESSOR.to) grams += (6 + 2 * random()) * (at % 400 === 0 ? 1 : -1);
  rx(at + 50, 'io', encodeLine('weight', Math.round(grams * 10) / 10));
}

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
