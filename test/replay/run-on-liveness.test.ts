import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { writeSyntheticCapture } from '../helpers/synthetic-capture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const eventsOf = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('replay: the end of a capture is silence like any other', () => {
  it('stalls a ThingMagic reader whose capture ends mid-inventory: nothing departs after the end, the same on every run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rfid-run-on-'));
    dirs.push(dir);
    const file = join(dir, 'fridge.jsonl');
    await writeSyntheticCapture({
      file,
      driver: 'thingmagic',
      portId: 'fridge',
      seconds: 5,
      readsPerSecond: 40,
      tags: 6,
      seed: 7,
    });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const header = JSON.parse(lines[0] as string) as { startedAt: string };
    const lastT = (JSON.parse(lines.at(-1) as string) as { t: number }).t;
    const end = Date.parse(header.startedAt) + lastT;

    const first = await runCli(['replay', file]);
    expect(first.code, first.stderr).toBe(0);
    const events = eventsOf(first.stdout);
    const at = (event: Record<string, unknown>) => Date.parse(String(event.ts));
    const arrived = events.filter((event) => event.type === 'tag.arrived');
    expect(arrived.length).toBe(6);
    // The run-on goes past the reader's threshold: stalled 2.5 s after its last frame, before any
    // tag's 3 s hold-off runs out, so every tag is held.
    expect(events.filter((event) => event.type === 'tag.departed' && at(event) > end)).toEqual([]);
    const stalled = events.filter((event) => event.type === 'reader.status');
    expect(stalled).toHaveLength(1);
    expect(stalled[0]).toMatchObject({ reader: 'fridge', state: 'stalled' });
    expect(at(stalled[0] as Record<string, unknown>)).toBeGreaterThan(end);
    expect(events.at(-1)).toMatchObject({
      type: 'inventory.changed',
      zone: 'fridge',
      count: 6,
      stale: expect.stringMatching(/^reader fridge stalled: no traffic for 2500 ms/),
    });

    const second = await runCli(['replay', file]);
    const withoutIds = (stdout: string) => eventsOf(stdout).map(({ id: _id, ...rest }) => rest);
    expect(withoutIds(second.stdout)).toEqual(withoutIds(first.stdout));
  });
});
