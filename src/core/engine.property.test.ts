import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveEngineConfig } from './config.js';
import { PresenceEngine } from './engine.js';
import type { CoreEvent } from './events.js';
import { fromHex } from './hex.js';

interface Settings {
  arriveAfterReads: number;
  arriveWindowMs: number;
  departAfterMs: number;
}

type Outcome = [type: 'arrived' | 'departed', tag: string, atMs: number, reads: number, dwellMs: number];

interface ModelTag {
  present: boolean;
  /** Read times while a candidate. */
  times: number[];
  sinceMs: number;
  lastSeenMs: number;
  reads: number;
}

/**
 * The single-zone semantics written the obvious way (a Map and arrays), to check the engine against:
 * arrival on the Nth read within less than the window, departure at last read + hold-off, a candidate
 * forgotten a window after its last read, everything due at or before a read settled before it.
 */
function model(settings: Settings, reads: ReadonlyArray<[string, number]>, endMs: number): Outcome[] {
  const tags = new Map<string, ModelTag>();
  const out: Outcome[] = [];
  const settle = (now: number) => {
    const due: Array<[number, string]> = [];
    for (const [tag, state] of tags) {
      const at = state.lastSeenMs + (state.present ? settings.departAfterMs : settings.arriveWindowMs);
      if (at <= now) due.push([at, tag]);
    }
    for (const [at, tag] of due.sort((a, b) => a[0] - b[0])) {
      const state = tags.get(tag) as ModelTag;
      if (state.present) out.push(['departed', tag, at, state.reads, at - state.sinceMs]);
      tags.delete(tag);
    }
  };
  for (const [tag, now] of reads) {
    settle(now);
    const state = tags.get(tag) ?? { present: false, times: [], sinceMs: 0, lastSeenMs: now, reads: 0 };
    tags.set(tag, state);
    state.lastSeenMs = now;
    if (state.present) {
      state.reads++;
      continue;
    }
    state.times.push(now);
    const n = settings.arriveAfterReads;
    const first = state.times[state.times.length - n];
    if (first !== undefined && now - first < settings.arriveWindowMs) {
      Object.assign(state, { present: true, sinceMs: now, reads: n });
      out.push(['arrived', tag, now, n, 0]);
    }
  }
  settle(endMs);
  return out;
}

function outcomes(events: CoreEvent[]): Outcome[] {
  return events.flatMap((event): Outcome[] => {
    if (event.type === 'tag.arrived') return [['arrived', event.tag, event.atMs, event.reads, 0]];
    if (event.type === 'tag.departed') {
      return [['departed', event.tag, event.atMs, event.reads, event.dwellMs]];
    }
    return [];
  });
}

/** Equal-time events may come out in another order than the model's (the engine ties by record). */
function canonical(list: Outcome[]): Outcome[] {
  const rank = (type: string) => (type === 'departed' ? 0 : 1);
  return [...list].sort(
    (a, b) => a[2] - b[2] || rank(a[0]) - rank(b[0]) || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0),
  );
}

/** Four 96-bit EPCs and a 5-byte EM4100 id; several share a prefix so the hash table sees real keys. */
const TAGS = [
  '3074257BF7194E4000001A85',
  '3074257BF7194E4000001A86',
  'E2001026760E017915907125',
  '0500207B32',
];

/** Round numbers make reads land exactly on window and hold-off boundaries, where off-by-ones hide. */
const duration = (max: number) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(250, 500, 1000), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max }), weight: 1 },
  );
const settings = fc.record({
  arriveAfterReads: fc.integer({ min: 1, max: 4 }),
  arriveWindowMs: duration(3000),
  departAfterMs: duration(4000),
});
/** Reads as (tag, gap since the previous read); gaps of 0 give several reads at the same time. */
const gap = fc.oneof(
  { arbitrary: fc.constantFrom(0, 250, 500), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: 2500 }), weight: 1 },
);
const reads = fc.array(fc.tuple(fc.constantFrom(...TAGS), gap), { minLength: 10, maxLength: 100 });

/** A third read exactly one window after the first: no arrival (the window is exclusive). */
const BOUNDARY_READS: Array<[string, number]> = [
  [TAGS[3] as string, 0],
  [TAGS[3] as string, 250],
  [TAGS[3] as string, 250],
];

function run(
  config: Settings,
  script: ReadonlyArray<[string, number]>,
  endMs: number,
  sweeps: number[] = [],
) {
  const events: CoreEvent[] = [];
  const engine = new PresenceEngine(
    resolveEngineConfig({ capacity: TAGS.length, readers: [{ id: 'r' }], zoneDefaults: config }),
    (event) => events.push(event),
  );
  let sweep = 0;
  for (const [tag, atMs] of script) {
    while (sweep < sweeps.length && (sweeps[sweep] as number) <= atMs)
      engine.advance(sweeps[sweep++] as number);
    const bytes = fromHex(tag);
    engine.ingest(0, 1, bytes, 0, bytes.length, -50, atMs);
  }
  engine.advance(endMs);
  return { events, engine };
}

function absolute(gaps: ReadonlyArray<[string, number]>): Array<[string, number]> {
  let now = 0;
  return gaps.map(([tag, gap]) => {
    now += gap;
    return [tag, now];
  });
}

describe('PresenceEngine against a Map-based model (one zone)', () => {
  it('emits the same arrivals and departures, in time order', () => {
    fc.assert(
      fc.property(settings, reads, (config, gaps) => {
        // Capacity = number of tags: the table is often full, records are freed and reused.
        const script = absolute(gaps);
        const endMs = (script.at(-1)?.[1] ?? 0) + 10_000;
        const { events, engine } = run(config, script, endMs);
        const times = events.map((event) => event.atMs);
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(engine.stats.overflowDrops).toBe(0);
        expect(canonical(outcomes(events))).toEqual(canonical(model(config, script, endMs)));
        expect(engine.stats.tracked).toBe(0);
      }),
      {
        numRuns: 500,
        // Third read exactly one window after the first: no arrival (the window is exclusive).
        examples: [[{ arriveAfterReads: 3, arriveWindowMs: 500, departAfterMs: 1000 }, BOUNDARY_READS]],
      },
    );
  });

  it('gives identical output whatever the sweep times', () => {
    fc.assert(
      fc.property(
        settings,
        reads,
        fc.array(fc.integer({ min: 0, max: 60_000 }), { maxLength: 30 }),
        (config, gaps, sweepTimes) => {
          const script = absolute(gaps);
          const endMs = (script.at(-1)?.[1] ?? 0) + 10_000;
          const sweeps = [...sweepTimes].sort((a, b) => a - b);
          expect(run(config, script, endMs, sweeps).events).toEqual(run(config, script, endMs).events);
        },
      ),
      { numRuns: 300 },
    );
  });
});
