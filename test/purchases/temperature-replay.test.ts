import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayCapture } from '../../src/app/replay.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/observability/logger.js';
import { encodeId12Frame } from '../../src/protocols/em4100-ascii/index.js';
import { encodeLine } from '../../src/protocols/lines/index.js';
import { thingmagicDriver } from '../../src/protocols/thingmagic/index.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import { UNSIGNED_CALLER } from '../../src/shared/request-caller.js';
import { CARD_ANA, COLA, COLA_REF, CYCLE_MS, fridgeConfig, sgtin } from './fridge-rig.js';

/**
 * The temperature guard through `replay`: hand-written captures of a fridge's three ports (the
 * ThingMagic reader inside, the ID-12 card reader at the door, the `lines` door controller that also
 * reports `temperature=<°C>`), replayed with a config whose cabinet stops selling above 8 °C for
 * 15 minutes and sells again after 10 minutes back down.
 */
const STARTED_AT = '2026-11-30T10:00:00.000Z';
const T0 = Date.parse(STARTED_AT);
const MIN = 60_000;
// Three colas: one stays inside, so that every session's close is followed by reads.
const TAGS = [sgtin(COLA_REF, 1), sgtin(COLA_REF, 2), sgtin(COLA_REF, 3)];

const dir = mkdtempSync(join(tmpdir(), 'rfid-temperature-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Step =
  | { at: number; temperature: number }
  | { at: number; door: 'open' | 'closed' }
  | { at: number; card: string }
  | { at: number; take: string };

/**
 * A capture: the fridge's inventory rounds (every tag inside read each round) in the three minutes
 * before each card and a minute after it, so that each session has its history; the controller's
 * lines and the card frames at their times.
 */
function writeCapture(name: string, steps: Step[]): string {
  const simulator = thingmagicDriver.createSimulator();
  for (const step of thingmagicDriver.startup({})) simulator.answer(step.bytes);
  const chunks: Array<{ t: number; port: string; bytes: Uint8Array }> = [];
  const inside = new Set(TAGS);
  const cards = steps.flatMap((step) => ('card' in step ? [step.at] : []));
  const end = Math.max(...steps.map((step) => step.at)) + MIN;
  const ordered = [...steps].sort((a, b) => a.at - b.at);
  let next = 0;
  for (let t = 0; t <= end; t += CYCLE_MS) {
    for (; next < ordered.length && (ordered[next] as Step).at <= t; next++) {
      const step = ordered[next] as Step;
      if ('temperature' in step)
        chunks.push({ t: step.at, port: 'io', bytes: encodeLine('temperature', step.temperature) });
      else if ('door' in step) chunks.push({ t: step.at, port: 'io', bytes: encodeLine('door', step.door) });
      else if ('card' in step)
        chunks.push({ t: step.at, port: 'badge', bytes: encodeId12Frame(Buffer.from(step.card, 'hex')) });
      else inside.delete(step.take);
    }
    if (!cards.some((at) => t >= at - 3 * MIN && t <= at + MIN)) continue;
    for (const tag of inside) {
      const frame = simulator.tagFrame(Buffer.from(tag, 'hex'), 1, -50);
      if (frame) chunks.push({ t: t + 1, port: 'fridge', bytes: frame });
    }
  }
  chunks.sort((a, b) => a.t - b.t);
  const header = {
    capture: 'rfid-gateway',
    version: 1,
    startedAt: STARTED_AT,
    ports: [
      { id: 'fridge', driver: 'thingmagic', baudRate: 115200 },
      { id: 'badge', driver: 'em4100-ascii', baudRate: 9600 },
      { id: 'io', driver: 'lines', baudRate: 115200 },
    ],
  };
  const lines = chunks.map((chunk) =>
    JSON.stringify({ t: chunk.t, port: chunk.port, rx: Buffer.from(chunk.bytes).toString('hex') }),
  );
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, `${[JSON.stringify(header), ...lines].join('\n')}\n`);
  return file;
}

async function replay(file: string): Promise<GatewayEvent[]> {
  const base = fridgeConfig();
  const config = configSchema.parse(
    fridgeConfig({
      readers: (base.readers ?? []).map((reader) => ({ ...reader, port: `capture:${reader.id}` })),
      sensors: (base.sensors ?? []).map((sensor) => ({ ...sensor, port: `capture:${sensor.id}` })),
      cabinets: (base.cabinets ?? []).map((cabinet) => ({
        ...cabinet,
        temperature: { sensor: 'io', maxC: 8, forMs: 15 * MIN, resumeAfterMs: 10 * MIN },
      })),
    }),
  );
  const events: GatewayEvent[] = [];
  await replayCapture({
    file,
    config,
    speed: 0,
    logger: silentLogger(),
    prepare: async (controller) => {
      const catalogSet = controller.requests.get('catalog/set');
      await catalogSet?.handler(catalogSet.schema.parse({ products: [COLA] }) as never, UNSIGNED_CALLER);
      controller.bus.on('test', '*', (event) => void events.push(event));
    },
  });
  return events;
}

/** A session: the card, the door opened 2 s later, one cola taken, the door closed 5 s after. */
function session(at: number, tag: string): Step[] {
  return [
    { at, card: CARD_ANA },
    { at: at + 2000, door: 'open' },
    { at: at + 4000, take: tag },
    { at: at + 7000, door: 'closed' },
  ];
}

const minute = (event: GatewayEvent) => (Date.parse(event.ts) - T0) / MIN;
const purchases = (events: GatewayEvent[]) =>
  events.flatMap((event) =>
    event.type === 'purchase.refused'
      ? [`${minute(event)} refused ${event.reason}`]
      : event.type === 'purchase.completed'
        ? [`completed ${event.total} ${event.currency}`]
        : event.type === 'purchase.started' || event.type === 'purchase.cancelled'
          ? [event.type]
          : [],
  );

describe('replay of a fridge that gets too warm', () => {
  it('sells through an excursion shorter than forMs', async () => {
    const file = writeCapture('short', [
      { at: 0, door: 'closed' },
      { at: 0, temperature: 4.5 },
      { at: 1 * MIN, temperature: 9.5 }, // restocking with the door held open: 14 minutes above
      ...session(10 * MIN, TAGS[0] as string),
      { at: 15 * MIN, temperature: 6 },
      ...session(20 * MIN, TAGS[1] as string),
    ]);
    const events = await replay(file);
    expect(purchases(events)).toEqual([
      'purchase.started',
      'completed 250 EUR',
      'purchase.started',
      'completed 250 EUR',
    ]);
    expect(events.filter((event) => event.type === 'security.alarm')).toEqual([]);
  });

  it('refuses cards through a longer excursion, raises one alarm, and sells again once cooled down', async () => {
    const file = writeCapture('long', [
      { at: 0, door: 'closed' },
      { at: 0, temperature: 4.5 },
      { at: 1 * MIN, temperature: 9.5 },
      { at: 10 * MIN, temperature: 11 },
      { at: 20 * MIN, card: CARD_ANA }, // too warm since 1 min, for 15 min: refused
      { at: 25 * MIN, temperature: 7.5 },
      { at: 30 * MIN, card: CARD_ANA }, // cooling for 5 of 10 minutes: refused
      ...session(40 * MIN, TAGS[0] as string), // 15 minutes back down: sells
    ]);
    const events = await replay(file);
    expect(purchases(events)).toEqual([
      '20 refused temperature',
      '30 refused temperature',
      'purchase.started',
      'completed 250 EUR',
    ]);
    const alarms = events.filter((event) => event.type === 'security.alarm');
    expect(alarms).toEqual([
      expect.objectContaining({
        kind: 'temperature',
        cabinet: 'fridge-1',
        zone: 'fridge',
        temperatureC: 11,
        limitC: 8,
        since: '2026-11-30T10:01:00.000Z',
        ts: '2026-11-30T10:16:00.000Z',
      }),
    ]);
  });
});
