/**
 * Writes hardware/captures/fridge-demo.jsonl, the capture `npm start` replays: one minute of a
 * smart fridge (ThingMagic M6e Nano, 6 items), a badge reader at its door (ID-20LA) and the door
 * controller (`lines`). Frames come from the drivers' simulators and the real frames of
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
const items = [
  { tag: item(812345, 6789), from: 0, to: 60_000, rssi: -48 },
  { tag: item(812345, 6790), from: 0, to: 21_000, rssi: -55 }, // taken at 21 s
  { tag: item(812346, 101), from: 0, to: 60_000, rssi: -61 },
  { tag: item(812347, 2001), from: 0, to: 60_000, rssi: -52 },
  { tag: item(812347, 2002), from: 0, to: 21_500, rssi: -58 }, // taken at 21.5 s
  { tag: item(812348, 77), from: 0, to: 60_000, rssi: -66 },
  { tag: item(812349, 5), from: 41_000, to: 60_000, rssi: -50 }, // restocked at 41 s
];
const KEEPALIVE = Uint8Array.from([0xff, 0x00, 0x22, 0x04, 0x00, 0x84, 0xe0]); // protocols.md §1.5, REAL

for (let at = 1000; at < 60_000; at += 40) {
  const present = items.filter((entry) => entry.from <= at && at < entry.to);
  const entry = present[Math.floor(random() * present.length)];
  if (!entry) continue;
  const rssi = entry.rssi + Math.round((random() - 0.5) * 6);
  const frame = simulator.tagFrame(entry.tag, 1, rssi);
  if (frame) rx(at + Math.round(random() * 10), 'fridge', frame);
  if (at % 1000 === 0) rx(at + 20, 'fridge', KEEPALIVE);
}
// Line noise on the reader's cable: the decoder counts it and resynchronises.
rx(30_010, 'fridge', Uint8Array.from([0xff, 0x28, 0x22, 0x00, 0x13, 0x37, 0xff, 0x00]));

// A staff badge at the door, twice (the ID is REAL frame E1's, protocols.md §2.2).
const badge = Uint8Array.from([0x05, 0x00, 0x20, 0x7b, 0x32]);
rx(18_000, 'badge', encodeId12Frame(badge));
rx(58_000, 'badge', encodeId12Frame(badge));

// The door controller: unlocked after the badge, door opened, closed; a restock later.
tx(18_200, 'io', encodeLine('lock', 'open'));
rx(19_500, 'io', encodeLine('door', 'open'));
rx(24_000, 'io', encodeLine('door', 'closed'));
tx(24_100, 'io', encodeLine('lock', 'closed'));
rx(39_000, 'io', encodeLine('door', 'open'));
rx(43_000, 'io', encodeLine('door', 'closed'));
rx(50, 'io', new TextEncoder().encode('# fridge controller v1.4 booted\n'));
for (let at = 0; at < 60_000; at += 2000) {
  const open = (at > 19_500 && at < 24_000) || (at > 39_000 && at < 43_000);
  rx(at + 100, 'io', encodeLine('temp', Math.round(((open ? 6 : 4) + random()) * 10) / 10));
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
const text = [JSON.stringify(header)]
  .concat(
    lines.map((l) => JSON.stringify({ t: l.t, port: l.port, [l.dir]: Buffer.from(l.bytes).toString('hex') })),
  )
  .join('\n');
writeFileSync(out, `${text}\n`);
console.log(`${out}: ${lines.length} chunks`);
