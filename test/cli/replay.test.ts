import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';

const golden = (name: string) => fileURLToPath(new URL(`../golden/${name}`, import.meta.url));
const CAPTURE = golden('real-frames.jsonl');

function eventsOf(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function withoutIds(events: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return events.map(({ id: _id, ...rest }) => rest);
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rfid-replay-'));
}

describe('rfid-gateway replay', () => {
  it('turns the real frames of protocols.md into the hand-reviewed events', async () => {
    const result = await runCli(['replay', CAPTURE]);
    expect(result.code).toBe(0);
    const expected = eventsOf(readFileSync(golden('real-frames.events.jsonl'), 'utf8'));
    expect(withoutIds(eventsOf(result.stdout))).toEqual(expected);
  });

  it('is deterministic apart from ids, which are unique', async () => {
    const [first, second] = await Promise.all([runCli(['replay', CAPTURE]), runCli(['replay', CAPTURE])]);
    const a = eventsOf(first.stdout);
    const b = eventsOf(second.stdout);
    expect(withoutIds(a)).toEqual(withoutIds(b));
    const ids = new Set([...a, ...b].map((event) => event.id));
    expect(ids.size).toBe(a.length + b.length);
  });

  it('prints per-port counters as the last stderr line with --stats', async () => {
    const result = await runCli(['replay', CAPTURE, '--stats']);
    const lastLine = result.stderr.trim().split('\n').at(-1) ?? '';
    // Counted by hand from the capture: shelf has 7 good frames (6 tag reads and a keep-alive), a
    // 4-byte garbage run and a frame with a broken CRC; door one bad checksum among 3 frames.
    expect(JSON.parse(lastLine)).toEqual({
      ports: {
        shelf: { bytes: 324, frames: 7, reads: 6, errors: 2 },
        door: { bytes: 46, frames: 2, reads: 2, errors: 1 },
        io: { bytes: 66, frames: 5, reads: 0, errors: 0 },
      },
      // No actuator or display in the config derived from the header: nothing was written.
      outputs: {},
    });
  });

  it('uses a given config: zones, debounce and the gateway id', async () => {
    const dir = tempDir();
    const config = join(dir, 'gw.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: 'store-7',
        readers: [
          { id: 'shelf', driver: 'thingmagic', port: '/dev/null', antennaZones: { '2': 'cooler' } },
          { id: 'door', driver: 'em4100-ascii', port: '/dev/null' },
        ],
        zones: [{ id: 'shelf', arriveAfterReads: 2 }],
      }),
    );
    const result = await runCli(['replay', CAPTURE, '--config', config]);
    expect(result.code).toBe(0);
    const arrivals = eventsOf(result.stdout).filter((event) => event.type === 'tag.arrived');
    // Only …1545 is read twice on the shelf; antenna 2 maps to "cooler" (arrives on one read there).
    expect(arrivals.map((event) => [event.zone, event.tag, event.gateway])).toEqual([
      ['door', '0500207B32', 'store-7'],
      ['door', '7800652CC9', 'store-7'],
      ['shelf', '000000000000000000001545', 'store-7'],
      ['cooler', '4444', 'store-7'],
    ]);
    // The io port is not in this config: skipped with a warning, not an error.
    expect(result.stderr).toMatch(/capture port is not in the config/);
  });

  it('stops at a truncated capture with exit 2, naming the file and line, after the events before it', async () => {
    const dir = tempDir();
    const file = join(dir, 'cut.jsonl');
    const lines = readFileSync(CAPTURE, 'utf8').trim().split('\n');
    // Header, then the first two chunks, then half of the third.
    writeFileSync(file, `${lines.slice(0, 3).join('\n')}\n${lines[3]?.slice(0, 40)}`);
    const result = await runCli(['replay', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:4: truncated capture`);
    const events = eventsOf(result.stdout);
    // The reader's silence after its one chunk is a stall 2.5 s later, before the tag's 3 s
    // hold-off runs out: the tag is held, not departed.
    expect(events.map((event) => [event.type, event.tag ?? event.state ?? event.count])).toEqual([
      ['tag.arrived', '000000000000000000001545'],
      ['inventory.changed', 1],
      ['reader.status', 'stalled'],
      ['inventory.changed', 1],
    ]);
  });

  it('plays the events before a corrupt line in the middle of a short capture, then exits 2 naming it', async () => {
    const dir = tempDir();
    const file = join(dir, 'corrupt.jsonl');
    const lines = readFileSync(CAPTURE, 'utf8').trim().split('\n');
    // Header, two chunks, a line that is not JSON, then the rest: all within the first read block.
    writeFileSync(file, `${[...lines.slice(0, 3), '{"t": 12, "port"', ...lines.slice(3)].join('\n')}\n`);
    const result = await runCli(['replay', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:4:`);
    expect(eventsOf(result.stdout).map((event) => [event.type, event.tag ?? event.state])).toEqual([
      ['tag.arrived', '000000000000000000001545'],
      ['inventory.changed', undefined],
      ['reader.status', 'stalled'],
      ['inventory.changed', undefined],
    ]);
  });

  it.each([
    ['a missing file', null, /cannot read/],
    ['not JSON', 'hello\n', /:1: not JSON/],
    ['a bad header', '{"capture":"other","version":1}\n', /:1: bad header/],
    [
      'an unknown driver',
      '{"capture":"rfid-gateway","version":1,"startedAt":"2026-11-22T10:00:00.000Z","ports":[{"id":"x","driver":"laser"}]}\n',
      /:1: cannot derive a config from the header: ports\[0\]\.driver: Invalid option: expected one of "thingmagic"\|"r2000"\|"chafon"\|"pn532"\|"em4100-ascii"\|"lines"\|"openscale", got "laser"$/m,
    ],
    [
      'an absurd chunk time',
      '{"capture":"rfid-gateway","version":1,"startedAt":"2026-11-22T10:00:00.000Z","ports":[{"id":"x","driver":"lines"}]}\n{"t":1e300,"port":"x","rx":"0a"}\n',
      /:2: chunk\.t must be at most/,
    ],
    [
      'bad hex',
      '{"capture":"rfid-gateway","version":1,"startedAt":"2026-11-22T10:00:00.000Z","ports":[{"id":"x","driver":"lines"}]}\n{"t":0,"port":"x","rx":"zz"}\n',
      /:2: chunk\.rx must be hex/,
    ],
  ])('refuses %s with exit 2', async (_what, content, message) => {
    const file = join(tempDir(), 'capture.jsonl');
    if (content !== null) writeFileSync(file, content);
    const result = await runCli(['replay', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain(file);
  });

  it('ends cleanly when its reader closes the pipe (| head -1)', async () => {
    const child = spawn(process.execPath, [CLI, 'replay', CAPTURE]);
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });

  it('rejects bad usage with exit 2', async () => {
    expect((await runCli(['replay'])).code).toBe(2);
    expect((await runCli(['replay', CAPTURE, '--speed', 'fast'])).code).toBe(2);
    expect((await runCli(['replay', CAPTURE, '--bogus'])).code).toBe(2);
    expect((await runCli(['frobnicate'])).code).toBe(2);
  });
});
