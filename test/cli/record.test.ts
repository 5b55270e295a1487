import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';

/** REAL command frames from protocols.md §1.4–1.5 (stop reading, get version, start reading). */
const STOP_READING = 'ff032f0000025e86';
const GET_VERSION = 'ff00031d0c';
const START_READING = 'ff102f00000122000005072210001b03e801ffdd2b';

describe('rfid-gateway record', () => {
  let pair: PtyPair | undefined;
  let simulator: CliProcess | undefined;
  afterEach(async () => {
    await simulator?.stop('SIGKILL');
    await pair?.close();
  });

  it('records the start-up exchange and the reads, and the capture replays to the simulated tags', async () => {
    pair = await createPtyPair();
    simulator = new CliProcess([
      'simulate',
      '--driver',
      'thingmagic',
      '--port',
      pair.a,
      '--tags',
      '3',
      '--rate',
      '40',
    ]);
    // The simulated reader must be listening before the recorder sends its first command.
    await simulator.waitForLog(/simulated thingmagic online/);
    const out = join(mkdtempSync(join(tmpdir(), 'rfid-record-')), 'shelf.jsonl');
    const recorded = await runCli(
      ['record', '--port', pair.b, '--driver', 'thingmagic', '--out', out, '--seconds', '3', '--id', 'shelf'],
      { timeoutMs: 20_000 },
    );
    expect(recorded.code, recorded.stderr).toBe(0);

    const [headerLine, ...chunkLines] = readFileSync(out, 'utf8').trim().split('\n');
    const header = JSON.parse(headerLine ?? '{}');
    expect(header).toMatchObject({
      capture: 'rfid-gateway',
      version: 1,
      ports: [{ id: 'shelf', driver: 'thingmagic', baudRate: 115200 }],
    });
    const chunks = chunkLines.map((line) => JSON.parse(line) as { t: number; tx?: string; rx?: string });
    const sent = chunks.filter((chunk) => chunk.tx !== undefined).map((chunk) => chunk.tx);
    expect(sent[0]).toBe(STOP_READING);
    expect(sent).toContain(GET_VERSION);
    expect(sent).toContain(START_READING);
    expect(sent.indexOf(GET_VERSION)).toBeLessThan(sent.indexOf(START_READING));
    expect(sent.at(-1)).toBe(STOP_READING);
    expect(chunks.some((chunk) => chunk.rx !== undefined)).toBe(true);
    const times = chunks.map((chunk) => chunk.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const replayed = await runCli(['replay', out, '--stats']);
    expect(replayed.code).toBe(0);
    const arrivals = replayed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; tag: string; zone: string })
      .filter((event) => event.type === 'tag.arrived');
    // The simulator's three tags (seed 1): SGTIN-96 0614141, item 812345+i, serial 1000+i.
    expect(new Set(arrivals.map((event) => (event as { epc?: { uri: string } }).epc?.uri))).toEqual(
      new Set([
        'urn:epc:id:sgtin:0614141.812345.1000',
        'urn:epc:id:sgtin:0614141.812346.1001',
        'urn:epc:id:sgtin:0614141.812347.1002',
      ]),
    );
    expect(arrivals.every((event) => event.zone === 'shelf')).toBe(true);
    const stats = JSON.parse(replayed.stderr.trim().split('\n').at(-1) ?? '{}');
    expect(stats.ports.shelf.errors).toBe(0);
    expect(stats.ports.shelf.reads).toBeGreaterThan(20);
  });

  it('refuses bad usage with exit 2', async () => {
    expect((await runCli(['record', '--driver', 'thingmagic'])).code).toBe(2);
    expect((await runCli(['record', '--port', '/dev/null', '--driver', 'laser'])).code).toBe(2);
    expect(
      (await runCli(['record', '--port', '/dev/null', '--driver', 'thingmagic', '--baud', 'x'])).code,
    ).toBe(2);
  });
});
