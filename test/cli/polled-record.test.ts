import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReadPlan } from '../../src/app/read-plan.js';
import { driverNamed } from '../../src/protocols/index.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';

interface Chunk {
  t: number;
  port: string;
  tx?: string;
  rx?: string;
}

interface Event {
  type: string;
  ts: string;
  state?: string;
  tag?: string;
  zone?: string;
}

function readCapture(file: string): { startedAt: number; chunks: Chunk[] } {
  const [headerLine, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const header = JSON.parse(headerLine ?? '{}') as { startedAt: string };
  return { startedAt: Date.parse(header.startedAt), chunks: lines.map((line) => JSON.parse(line) as Chunk) };
}

/** The tags in what the device sent, as the family's own decoder finds them in the capture. */
function tagsInCapture(driver: string, chunks: readonly Chunk[]): Set<string> {
  const tags = new Set<string>();
  const decoder = driverNamed(driver).createDecoder({
    tagRead: (tag, offset, length) =>
      tags.add(
        Buffer.from(tag.subarray(offset, offset + length))
          .toString('hex')
          .toUpperCase(),
      ),
    message: () => {},
    decodeError: () => {},
  });
  for (const chunk of chunks) if (chunk.rx !== undefined) decoder.push(Buffer.from(chunk.rx, 'hex'));
  return tags;
}

/** The field `simulate --tags N` (seed 1) gives the reader: its ReadPlan, made the same way. */
function simulatedField(driver: string, tags: number): string[] {
  const { tagLength } = driverNamed(driver).createSimulator();
  return new ReadPlan({ tags, tagLength, antennas: 4, seed: 1 }).field.map((tag) =>
    Buffer.from(tag).toString('hex').toUpperCase(),
  );
}

const FAMILIES = [
  { driver: 'r2000', baudRate: 115200, uhf: true },
  { driver: 'chafon', baudRate: 57600, uhf: true },
  { driver: 'pn532', baudRate: 115200, uhf: false },
] as const;

/**
 * Each polled family end to end without hardware: `simulate` plays the reader on one end of a pty,
 * `record` starts it and polls it from the other and writes both directions, and `replay`, with no
 * config, turns the capture into the simulated tags, judging the reader's liveness by its polls.
 */
describe('record, replay and simulate for polled readers', () => {
  let pair: PtyPair | undefined;
  let simulator: CliProcess | undefined;
  afterEach(async () => {
    await simulator?.stop('SIGKILL');
    await pair?.close();
    simulator = pair = undefined;
  });

  async function record(driver: string, extra: string[] = []): Promise<string> {
    pair = await createPtyPair();
    simulator = new CliProcess(['simulate', '--driver', driver, '--port', pair.a, '--tags', '3']);
    await simulator.waitForLog(new RegExp(`simulated ${driver} online`));
    const out = join(mkdtempSync(join(tmpdir(), `rfid-record-${driver}-`)), 'cap.jsonl');
    const recorded = await runCli(
      ['record', '--driver', driver, '--port', pair.b, '--seconds', '3', '--out', out, ...extra],
      { timeoutMs: 20_000 },
    );
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(recorded.stderr).toMatch(/ 0 errors/);
    return out;
  }

  async function replay(out: string): Promise<{ events: Event[]; errors: number }> {
    const replayed = await runCli(['replay', out, '--stats']);
    expect(replayed.code, replayed.stderr).toBe(0);
    const events = replayed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Event);
    const stats = JSON.parse(replayed.stderr.trim().split('\n').at(-1) ?? '{}');
    return { events, errors: stats.ports.reader.errors as number };
  }

  /** A reader stalled only once the capture is over (its end is silence), never in the middle. */
  function expectNoStallWithin(events: readonly Event[], startedAt: number, chunks: readonly Chunk[]): void {
    const end = startedAt + (chunks.at(-1)?.t ?? 0);
    const early = events.filter(
      (event) => event.type === 'reader.status' && event.state !== 'online' && Date.parse(event.ts) < end,
    );
    expect(early).toEqual([]);
  }

  it.each(FAMILIES)('$driver: the capture replays to the tags the simulator had', async (family) => {
    const out = await record(family.driver);
    const { startedAt, chunks } = readCapture(out);
    const header = JSON.parse(readFileSync(out, 'utf8').split('\n')[0] ?? '{}');
    expect(header.ports).toEqual([{ id: 'reader', driver: family.driver, baudRate: family.baudRate }]);
    // The start-up went out first, then polls, each answered.
    const sent = chunks.filter((chunk) => chunk.tx !== undefined);
    expect(sent.length).toBeGreaterThan(3);
    expect(chunks.some((chunk) => chunk.rx !== undefined)).toBe(true);

    const recorded = tagsInCapture(family.driver, chunks);
    const field = simulatedField(family.driver, 3);
    if (family.uhf) {
      // Every poll reports the whole field.
      expect(recorded).toEqual(new Set(field));
    } else {
      // A card reader sees one card at a time, held 3 s: the first, at least, within 3 s.
      expect(recorded.size).toBeGreaterThan(0);
      expect(field).toEqual(expect.arrayContaining([...recorded]));
    }

    const { events, errors } = await replay(out);
    expect(errors).toBe(0);
    const arrived = events.filter((event) => event.type === 'tag.arrived');
    expect(new Set(arrived.map((event) => event.tag))).toEqual(recorded);
    expect(arrived).toHaveLength(recorded.size);
    expect(arrived.every((event) => event.zone === 'reader')).toBe(true);
    expectNoStallWithin(events, startedAt, chunks);
    // Goods read to the end of the capture are held past it: the end of a capture is silence.
    if (family.uhf) expect(events.filter((event) => event.type === 'tag.departed')).toEqual([]);
  });

  it('starts the reader with --settings, and the capture replays without a stall', async () => {
    const out = await record('chafon', ['--settings', '{"scanTimeMs":300,"pollIntervalMs":400}']);
    const { startedAt, chunks } = readCapture(out);
    const sent = chunks.flatMap((chunk) => (chunk.tx === undefined ? [] : [chunk.tx]));
    // Set scan time (0x25) to 3 × 100 ms: LEN 05, broadcast FF, CMD 25, 03, then its CRC.
    expect(sent.some((tx) => tx.startsWith('05ff2503'))).toBe(true);
    // The header keeps them, for a replay without a config to judge silences as the recording did.
    const header = JSON.parse(readFileSync(out, 'utf8').split('\n')[0] ?? '{}') as {
      ports: Array<{ settings?: unknown }>;
    };
    expect(header.ports[0]?.settings).toEqual({ scanTimeMs: 300, pollIntervalMs: 400 });
    const { events } = await replay(out);
    expect(new Set(events.filter((e) => e.type === 'tag.arrived').map((e) => e.tag))).toEqual(
      new Set(simulatedField('chafon', 3)),
    );
    expectNoStallWithin(events, startedAt, chunks);
  });

  it.each([
    ['chafon', '{"readPowerDbm":31}', /readPowerDbm.*31/],
    ['r2000', '{"region":"EU"}', /region.*"EU"/],
    ['pn532', '{"pollIntervalMs":20}', /pollIntervalMs.*20/],
    ['pn532', '{"readPowerDbm":20}', /readPowerDbm/],
  ])('%s: record --settings %s exits 2 naming the value', async (driver, settings, named) => {
    const result = await runCli([
      'record',
      '--driver',
      driver,
      '--port',
      '/dev/null',
      '--settings',
      settings,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(named);
    expect(result.stderr).toMatch(/--settings\./);
  });
});
