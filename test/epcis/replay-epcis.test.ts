/**
 * `rfid-gateway replay CAPTURE --config F --epcis OUT.jsonld` end to end on the demo fridge: the
 * replay command (src/cli/replay-command.ts) with the committed capture and config/demo.json plus an
 * `epcis` section, its document validated against GS1's schema. The command is called in-process
 * with its parsed options (the event lines it prints on stdout are collected); the expected events
 * are written by hand from the scenario of test/cli/replay-fridge.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { replayCommand } from '../../src/cli/replay-command.js';
import { doorReadPointFor } from '../../src/integrations/epcis/index.js';
import type { EpcisDocumentJson } from '../../src/shared/events.js';
import { expectValidDocument } from './epcis-schema.js';
import { EVENT_ID } from './gateway.js';

const CAPTURE = fileURLToPath(new URL('../../hardware/captures/fridge-demo.jsonl', import.meta.url));
const DEMO = fileURLToPath(new URL('../../config/demo.json', import.meta.url));
const CATALOG = fileURLToPath(new URL('../../config/demo-catalog.csv', import.meta.url));
const FRIDGE = 'urn:epc:id:sgln:0614141.00777.0';
const EXIT_DOOR = fileURLToPath(new URL('../../config/exit-door.json', import.meta.url));
const DOOR_CAPTURE = fileURLToPath(new URL('../exit-monitor/door-exit.jsonl', import.meta.url));

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rfid-replay-epcis-'));
  dirs.push(dir);
  return dir;
}

/**
 * config/demo.json in a temporary directory (its catalog by absolute path), with `epcis` when given;
 * logging errors only (the capture has a frame with a bad CRC, logged as a warning).
 */
function demoConfig(dir: string, epcis?: unknown): string {
  const demo = JSON.parse(readFileSync(DEMO, 'utf8')) as Record<string, unknown>;
  const file = join(dir, 'gateway.json');
  const config = { ...demo, catalogFile: CATALOG, logLevel: 'error', ...(epcis ? { epcis } : {}) };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Runs the command with its stdout collected: the exit code and the event lines. */
async function replay(
  options: Record<string, string>,
  capture = CAPTURE,
): Promise<{ code: number; lines: Array<Record<string, unknown>> }> {
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    const code = await replayCommand(capture, options);
    const lines = out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { code, lines };
  } finally {
    write.mockRestore();
  }
}

const readDocument = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as EpcisDocumentJson;

describe('rfid-gateway replay --epcis', () => {
  it('writes one valid EPCIS document with the two purchases and the fridge counts', async () => {
    const dir = tempDir();
    const out = join(dir, 'fridge.jsonld');
    const config = demoConfig(dir, {
      countZones: ['fridge'],
      cycleCountIntervalMs: 60_000,
      locations: { fridge: FRIDGE },
    });
    const { code, lines } = await replay({ config, epcis: out });
    expect(code).toBe(0);

    const document = readDocument(out);
    expectValidDocument(document);
    expect(document).toMatchObject({
      '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
    });
    const at = { readPoint: { id: FRIDGE }, bizLocation: { id: FRIDGE } };
    const sale = (eventTime: string, epcList: string[]) => ({
      type: 'ObjectEvent',
      eventTime,
      eventTimeZoneOffset: '+00:00',
      eventID: expect.stringMatching(EVENT_ID),
      action: 'OBSERVE',
      epcList: expect.arrayContaining(epcList),
      bizStep: 'retail_selling',
      disposition: 'retail_sold',
      ...at,
    });
    const count = (eventTime: string, epcList: string[]) => ({
      type: 'ObjectEvent',
      eventTime,
      eventTimeZoneOffset: '+00:00',
      eventID: expect.stringMatching(EVENT_ID),
      action: 'OBSERVE',
      epcList,
      bizStep: 'cycle_counting',
      ...at,
    });
    // Ana (door closed 10:00:24, settled 10:00:25.25 with the scale) took the cola …6790 and the orange juice …2002;
    // Ben (door closed 10:00:45, settled 10:00:46.25) the club sandwich …5. At 10:01 the other five are still in the
    // fridge, the sparkling water …102 at the back among them. Dan took nothing (no sale), and
    // Carla's session, in which …102 left, is uncertain: no sale either, but at 10:02 the reads no
    // longer count …102 in the fridge. The replay's run-on after the capture (10:01:59.9) goes as
    // far as the last departure (5 s after the last reads), so the 10:02 count is there, and no later one.
    expect(document.epcisBody.eventList).toEqual([
      sale('2026-11-22T10:00:25.250Z', [
        'urn:epc:id:sgtin:0614141.812345.6790',
        'urn:epc:id:sgtin:0614141.812347.2002',
      ]),
      sale('2026-11-22T10:00:46.250Z', ['urn:epc:id:sgtin:0614141.812349.5']),
      count('2026-11-22T10:01:00.000Z', [
        'urn:epc:id:sgtin:0614141.812345.6789',
        'urn:epc:id:sgtin:0614141.812346.101',
        'urn:epc:id:sgtin:0614141.812346.102',
        'urn:epc:id:sgtin:0614141.812347.2001',
        'urn:epc:id:sgtin:0614141.812348.77',
      ]),
      count('2026-11-22T10:02:00.000Z', [
        'urn:epc:id:sgtin:0614141.812345.6789',
        'urn:epc:id:sgtin:0614141.812346.101',
        'urn:epc:id:sgtin:0614141.812347.2001',
        'urn:epc:id:sgtin:0614141.812348.77',
      ]),
    ]);
    expect(document.epcisBody.eventList.map((event) => event.epcList.length)).toEqual([2, 1, 5, 4]);
    expect(Date.parse(document.creationDate)).toBeGreaterThanOrEqual(Date.parse('2026-11-22T10:02:00.000Z'));

    // The same events are on stdout as `epcis.event` lines, each with its one-event document, after
    // the purchase it records.
    const epcisLines = lines.filter((line) => line.type === 'epcis.event');
    expect(epcisLines.map((line) => [line.kind, line.zone, line.ts])).toEqual([
      ['sale', 'fridge', '2026-11-22T10:00:25.250Z'],
      ['sale', 'fridge', '2026-11-22T10:00:46.250Z'],
      ['cycle_count', 'fridge', '2026-11-22T10:01:00.000Z'],
      ['cycle_count', 'fridge', '2026-11-22T10:02:00.000Z'],
    ]);
    expect(epcisLines.flatMap((line) => (line.document as EpcisDocumentJson).epcisBody.eventList)).toEqual(
      document.epcisBody.eventList,
    );
    // Dan's purchase, with nothing taken, sold nothing.
    const purchases = lines.filter(
      (line) => line.type === 'purchase.completed' && (line.items as unknown[]).length > 0,
    );
    expect(purchases.map((line) => line.customer)).toEqual(['cust-0017', 'cust-0042']);
    expect(epcisLines.slice(0, 2).map((line) => line.source)).toEqual(purchases.map((line) => line.id));
    for (const [index, line] of epcisLines.slice(0, 2).entries()) {
      expect(line.seq as number).toBeGreaterThan(purchases[index]?.seq as number);
    }
  });

  it('turns EPCIS on for the replay when the config has no epcis section (the defaults: sales, no counts)', async () => {
    const dir = tempDir();
    const out = join(dir, 'fridge.jsonld');
    const { code } = await replay({ config: demoConfig(dir), epcis: out });
    expect(code).toBe(0);
    const document = readDocument(out);
    expectValidDocument(document);
    expect(
      document.epcisBody.eventList.map((event) => [event.action, event.bizStep, [...event.epcList].sort()]),
    ).toEqual([
      [
        'OBSERVE',
        'retail_selling',
        ['urn:epc:id:sgtin:0614141.812345.6790', 'urn:epc:id:sgtin:0614141.812347.2002'],
      ],
      ['OBSERVE', 'retail_selling', ['urn:epc:id:sgtin:0614141.812349.5']],
    ]);
    // No locations configured: no readPoint, no bizLocation.
    expect(document.epcisBody.eventList.every((event) => !event.readPoint && !event.bizLocation)).toBe(true);
  });

  it("tells an exit from an entry without locations: each ends at the door's read point on its side", async () => {
    const dir = tempDir();
    // config/exit-door.json as it is (no epcis section, no locations), in a temporary directory.
    const door = JSON.parse(readFileSync(EXIT_DOOR, 'utf8')) as Record<string, unknown>;
    const config = join(dir, 'exit-door.json');
    writeFileSync(config, JSON.stringify({ ...door, dataDir: dir, logLevel: 'error' }));
    const out = join(dir, 'door.jsonld');
    const { code } = await replay({ config, epcis: out }, DOOR_CAPTURE);
    expect(code).toBe(0);
    const document = readDocument(out);
    expectValidDocument(document);
    const OUTSIDE = doorReadPointFor('exit-gw', 'front', 'outside');
    const INSIDE = doorReadPointFor('exit-gw', 'front', 'inside');
    expect(OUTSIDE).not.toBe(INSIDE);
    // The scenario (test/exit-monitor/door-capture.ts): the cola …2 leaves at 3.6 s, comes back at
    // 6.6 s and leaves again at 8 s.
    const cola = document.epcisBody.eventList.filter((event) =>
      event.epcList.includes('urn:epc:id:sgtin:0614141.812345.2'),
    );
    expect(cola.map((event) => [event.eventTime, event.bizStep, event.readPoint, event.bizLocation])).toEqual(
      [
        ['2026-11-22T10:00:03.600Z', 'entering_exiting', { id: OUTSIDE }, undefined],
        ['2026-11-22T10:00:06.600Z', 'entering_exiting', { id: INSIDE }, undefined],
        ['2026-11-22T10:00:08.000Z', 'entering_exiting', { id: OUTSIDE }, undefined],
      ],
    );
  });

  it('writes nothing and prints no events without --epcis', async () => {
    const dir = tempDir();
    const { code, lines } = await replay({ config: demoConfig(dir) });
    expect(code).toBe(0);
    expect(lines.filter((line) => line.type === 'epcis.event')).toEqual([]);
  });

  it('writes the events before a broken line of the capture (exit 2), and no file for a missing capture', async () => {
    const dir = tempDir();
    // The demo capture up to 30 s (Ana's purchase is settled at 25.25 s), then a line that is no JSON.
    // In between, over 1 MiB of bytes sent to the io port (nothing to decode): replay.ts reads 1 MiB
    // blocks, and plays what came before a broken line when that line is not in the first block.
    const lines = readFileSync(CAPTURE, 'utf8').trim().split('\n');
    const kept = lines.filter(
      (line, index) => index === 0 || (JSON.parse(line) as { t: number }).t <= 30_000,
    );
    const padding = Array.from({ length: 40_000 }, () => '{"t":30000,"port":"io","tx":"00"}');
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, `${[...kept, ...padding].join('\n')}\nnot json\n`);
    const out = join(dir, 'broken.jsonld');
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { code } = await replay({ config: demoConfig(dir), epcis: out }, broken);
      expect(code).toBe(2);
      const document = readDocument(out);
      expectValidDocument(document);
      expect(document.epcisBody.eventList.map((event) => [...event.epcList].sort())).toEqual([
        ['urn:epc:id:sgtin:0614141.812345.6790', 'urn:epc:id:sgtin:0614141.812347.2002'],
      ]);

      const missing = join(dir, 'missing.jsonld');
      expect(
        (await replay({ config: demoConfig(dir), epcis: missing }, join(dir, 'no-such.jsonl'))).code,
      ).toBe(2);
      expect(existsSync(missing)).toBe(false);
    } finally {
      error.mockRestore();
    }
  });

  it('is a usage error (exit 2) when FILE cannot be written, before anything runs', async () => {
    const dir = tempDir();
    const out = join(dir, 'no-such-dir', 'fridge.jsonld');
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { code, lines } = await replay({ config: demoConfig(dir), epcis: out });
      expect(code).toBe(2);
      expect(lines).toEqual([]);
      expect(String(error.mock.calls[0]?.[0])).toContain(`--epcis ${out}: cannot write`);
    } finally {
      error.mockRestore();
    }
    expect(existsSync(out)).toBe(false);
  });
});
