import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayCapture } from '../../src/app/replay.js';
import { configSchema } from '../../src/config/schema.js';
import { decodeEpc } from '../../src/core/epc.js';
import { silentLogger } from '../../src/observability/logger.js';
import {
  generateFridgeScenario,
  gtinOf,
  scenarioGatewayConfig,
  sgtin96,
  writeFridgeScenario,
} from '../../src/scenarios/index.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import { type CaptureChunk, CaptureParser } from '../../src/transport/capture.js';

const dir = mkdtempSync(join(tmpdir(), 'fridge-scenario-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = { seed: 3, sessions: 6, items: 12, readProbability: 0.7, mix: { neverOpened: 0.2 } };

describe('fridge scenario identifiers', () => {
  it('encodes SGTIN-96 tags that decode to the product GTIN', () => {
    const tag = sgtin96(812_345, 6789);
    expect(tag).toBe('3034257BF7194E4000001A85');
    expect(decodeEpc(tag)).toMatchObject({
      scheme: 'sgtin-96',
      uri: 'urn:epc:id:sgtin:0614141.812345.6789',
      gtin: gtinOf(812_345),
    });
  });
});

describe('generateFridgeScenario', () => {
  it('is deterministic from its seed', () => {
    const first = [...generateFridgeScenario(options).chunkLines()];
    const again = [...generateFridgeScenario(options).chunkLines()];
    const other = [...generateFridgeScenario({ ...options, seed: 4 }).chunkLines()];
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('tells the truth of every session consistently', () => {
    const { truth } = generateFridgeScenario({ ...options, sessions: 60 });
    const items = new Set(truth.items.map((item) => item.tag));
    const gtins = new Set(truth.products.map((product) => product.gtin));
    for (const item of truth.items) expect(gtins.has(decodeEpc(item.tag)?.gtin ?? '')).toBe(true);
    const kinds = new Set(truth.sessions.map((session) => session.kind));
    expect(kinds).toEqual(new Set(['buy', 'buy_and_return', 'nothing', 'never_opened', 'put_in']));
    for (const session of truth.sessions) {
      for (const tag of [...session.basket, ...session.returned, ...session.added])
        expect(items.has(tag)).toBe(true);
      if (session.kind === 'never_opened') {
        expect(session.openedAtMs).toBeNull();
        expect(session.basket).toEqual([]);
        continue;
      }
      const opened = session.openedAtMs ?? Number.NaN;
      const closed = session.closedAtMs ?? Number.NaN;
      expect(opened - session.cardAtMs).toBeGreaterThanOrEqual(1000);
      expect(opened - session.cardAtMs).toBeLessThanOrEqual(5000);
      expect(closed - opened).toBeGreaterThanOrEqual(3000);
      expect(closed - opened).toBeLessThanOrEqual(20_000);
      for (const tag of session.returned) expect(session.basket).not.toContain(tag);
    }
  });

  it('writes a capture that parses, with all three devices', async () => {
    const scenario = generateFridgeScenario(options);
    const file = join(dir, 'parse.jsonl');
    const written = await writeFridgeScenario(file, scenario);
    const parser = new CaptureParser(file);
    const chunks: CaptureChunk[] = [];
    parser.push(readFileSync(file, 'utf8'), chunks);
    parser.end(chunks);
    expect(chunks.length + 1).toBe(written.lines);
    expect(parser.header?.ports.map((port) => [port.id, port.driver])).toEqual([
      ['fridge', 'thingmagic'],
      ['badge', 'em4100-ascii'],
      ['io', 'lines'],
    ]);
    const ports = new Set(chunks.filter((chunk) => chunk.dir === 'rx').map((chunk) => chunk.port));
    expect(ports).toEqual(new Set(['fridge', 'badge', 'io']));
    // ID-12LA frames: STX, 10 ID + 2 checksum digits, CR LF, ETX.
    const card = chunks.find((chunk) => chunk.port === 'badge');
    expect(card?.bytes.length).toBe(16);
    expect([card?.bytes[13], card?.bytes[14]]).toEqual([0x0d, 0x0a]);
  });

  it('replays through the gateway: items arrive, cards are read, the door opens and closes on time', async () => {
    const scenario = generateFridgeScenario(options);
    const { truth } = scenario;
    const file = join(dir, 'replay.jsonl');
    await writeFridgeScenario(file, scenario);
    const { config } = scenarioGatewayConfig(truth);
    const events: GatewayEvent[] = [];
    const result = await replayCapture({
      file,
      config: configSchema.parse(config),
      speed: 0,
      logger: silentLogger(),
      prepare: (controller) => {
        controller.bus.on('test', ['tag.arrived', 'sensor.changed'], (event) => {
          events.push(event);
        });
      },
    });
    expect(result.ports.fridge?.errors).toBe(0);
    expect(result.ports.badge?.errors).toBe(0);
    expect(result.ports.io?.errors).toBe(0);

    const arrived = new Set(
      events.flatMap((event) => (event.type === 'tag.arrived' && event.zone === 'fridge' ? [event.tag] : [])),
    );
    for (const item of truth.items) expect(arrived.has(item.tag)).toBe(true);
    const cards = events.flatMap((event) =>
      event.type === 'tag.arrived' && event.reader === 'badge' ? [event.tag] : [],
    );
    expect(new Set(cards)).toEqual(new Set(truth.sessions.map((session) => session.card)));

    const epoch = Date.parse(truth.startedAt);
    const door = events.flatMap((event) =>
      event.type === 'sensor.changed' && event.channel === 'door'
        ? [{ value: event.value, at: Date.parse(event.ts) - epoch }]
        : [],
    );
    const expected = truth.sessions.flatMap((session) =>
      session.openedAtMs === null || session.closedAtMs === null
        ? []
        : [
            { value: 'open', at: session.openedAtMs },
            { value: 'closed', at: session.closedAtMs },
          ],
    );
    // The first line reports the door closed at start-up.
    const changes = door.filter((change, index) => index > 0 || change.value !== 'closed');
    expect(changes.map((change) => change.value)).toEqual(expected.map((change) => change.value));
    changes.forEach((change, index) => {
      expect(Math.abs(change.at - (expected[index]?.at ?? Number.NaN))).toBeLessThanOrEqual(1);
    });
  });
});
