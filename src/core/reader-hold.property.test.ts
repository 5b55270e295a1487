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

type Reader = 'a' | 'b';
type Op =
  | { kind: 'read'; atMs: number; tag: string; reader: Reader }
  | { kind: 'hold' | 'release'; atMs: number; reader: Reader };
type Outcome = [type: 'arrived' | 'departed', tag: string, atMs: number, reads: number, dwellMs: number];

interface ModelTag {
  present: boolean;
  times: number[];
  sinceMs: number;
  lastSeenMs: number;
  reads: number;
  reader: Reader;
}

/**
 * One zone read by two readers, either of which may be held, written the obvious way: a present tag
 * departs at its last read + departAfterMs, except that while the reader of its last read is held it
 * does not depart at all, and a release restarts the clock of every tag that reader last read before
 * it. Holds and releases settle what was due by their time first, like reads.
 */
function model(settings: Settings, ops: readonly Op[], endMs: number): Outcome[] {
  const tags = new Map<string, ModelTag>();
  const held: Record<Reader, boolean> = { a: false, b: false };
  const releasedAt: Record<Reader, number> = { a: -Infinity, b: -Infinity };
  const out: Outcome[] = [];
  const settle = (now: number) => {
    const due: Array<[number, string]> = [];
    for (const [tag, state] of tags) {
      if (state.present && held[state.reader]) continue;
      const at = state.present
        ? Math.max(state.lastSeenMs, releasedAt[state.reader]) + settings.departAfterMs
        : state.lastSeenMs + settings.arriveWindowMs;
      if (at <= now) due.push([at, tag]);
    }
    for (const [at, tag] of due.sort((x, y) => x[0] - y[0])) {
      const state = tags.get(tag) as ModelTag;
      if (state.present) out.push(['departed', tag, at, state.reads, at - state.sinceMs]);
      tags.delete(tag);
    }
  };
  for (const op of ops) {
    settle(op.atMs);
    if (op.kind === 'hold') held[op.reader] = true;
    if (op.kind === 'release' && held[op.reader]) {
      held[op.reader] = false;
      releasedAt[op.reader] = op.atMs;
    }
    if (op.kind !== 'read') continue;
    const now = op.atMs;
    const state = tags.get(op.tag) ?? {
      ...{ present: false, times: [], sinceMs: 0, lastSeenMs: now, reads: 0, reader: op.reader },
    };
    tags.set(op.tag, state);
    state.lastSeenMs = now;
    state.reader = op.reader;
    if (state.present) {
      state.reads++;
      continue;
    }
    state.times.push(now);
    const n = settings.arriveAfterReads;
    const first = state.times[state.times.length - n];
    if (first !== undefined && now - first < settings.arriveWindowMs) {
      Object.assign(state, { present: true, sinceMs: now, reads: n });
      out.push(['arrived', op.tag, now, n, 0]);
    }
  }
  settle(endMs);
  return out;
}

function outcomes(events: CoreEvent[]): Outcome[] {
  return events.flatMap((event): Outcome[] => {
    if (event.type === 'tag.arrived') return [['arrived', event.tag, event.atMs, event.reads, 0]];
    if (event.type === 'tag.departed')
      return [['departed', event.tag, event.atMs, event.reads, event.dwellMs]];
    return [];
  });
}

/** Equal-time events may come out in another order than the model's (the engine ties by record). */
function canonical(list: Outcome[]): Outcome[] {
  const rank = (type: string) => (type === 'departed' ? 0 : 1);
  return [...list].sort(
    (x, y) => x[2] - y[2] || rank(x[0]) - rank(y[0]) || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0),
  );
}

const TAGS = [
  '3074257BF7194E4000001A85',
  '3074257BF7194E4000001A86',
  'E2001026760E017915907125',
  '0500207B32',
];

function run(settings: Settings, ops: readonly Op[], endMs: number, sweeps: readonly number[] = []) {
  const events: CoreEvent[] = [];
  const engine = new PresenceEngine(
    resolveEngineConfig({
      capacity: TAGS.length,
      zones: [{ id: 'fridge', ...settings }],
      readers: [
        { id: 'a', defaultZone: 'fridge' },
        { id: 'b', defaultZone: 'fridge' },
      ],
    }),
    (event) => events.push(event),
  );
  let sweep = 0;
  for (const op of ops) {
    while (sweep < sweeps.length && (sweeps[sweep] as number) <= op.atMs)
      engine.advance(sweeps[sweep++] as number);
    if (op.kind === 'read') {
      const bytes = fromHex(op.tag);
      engine.ingest(engine.readerIndex(op.reader), 1, bytes, 0, bytes.length, -50, op.atMs);
    } else if (op.kind === 'hold') engine.holdReader(op.reader, op.atMs);
    else engine.releaseReader(op.reader, op.atMs);
  }
  engine.advance(endMs);
  return { events, engine };
}

/** Round numbers land reads and holds exactly on hold-offs and windows, where off-by-ones hide. */
const duration = (max: number) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(250, 500, 1000), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max }), weight: 1 },
  );
const settings = fc.record({
  arriveAfterReads: fc.integer({ min: 1, max: 3 }),
  arriveWindowMs: duration(3000),
  departAfterMs: duration(4000),
});
const gap = fc.oneof(
  { arbitrary: fc.constantFrom(0, 250, 500), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: 2500 }), weight: 1 },
);
const reads = fc.array(fc.tuple(fc.constantFrom(...TAGS), fc.constantFrom<Reader>('a', 'b'), gap), {
  minLength: 10,
  maxLength: 80,
});
/** Outages from none to an hour, for either reader, possibly overlapping the other's. */
const outage = fc.oneof(
  { arbitrary: fc.constantFrom(0, 250, 1000, 3000, 30_000), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 3_600_000 }), weight: 1 },
);
const holds = fc.array(
  fc.tuple(fc.constantFrom<Reader>('a', 'b'), fc.integer({ min: 0, max: 20_000 }), outage),
  {
    maxLength: 4,
  },
);

/** Reads and holds in time order; a hold or release comes before reads at its time. */
function script(
  gaps: ReadonlyArray<[string, Reader, number]>,
  windows: ReadonlyArray<[Reader, number, number]>,
): { ops: Op[]; windows: Array<{ reader: Reader; from: number; to: number }> } {
  let now = 0;
  const readOps: Op[] = gaps.map(([tag, reader, gapMs]) => {
    now += gapMs;
    return { kind: 'read', atMs: now, tag, reader };
  });
  // Each reader's outages follow one another: a window starts after the previous one of that reader.
  const cursor: Record<Reader, number> = { a: 0, b: 0 };
  const spans = windows.map(([reader, startGap, length]) => {
    const from = cursor[reader] + startGap;
    cursor[reader] = from + length + 1;
    return { reader, from, to: from + length };
  });
  const holdOps: Op[] = spans.flatMap(({ reader, from, to }): Op[] => [
    { kind: 'hold', atMs: from, reader },
    { kind: 'release', atMs: to, reader },
  ]);
  const rank = (op: Op) => (op.kind === 'read' ? 1 : 0);
  const ops = [...holdOps, ...readOps].sort((x, y) => x.atMs - y.atMs || rank(x) - rank(y));
  return { ops, windows: spans };
}

describe('PresenceEngine.holdReader / releaseReader against a model (one zone, two readers)', () => {
  it('emits no departure of a held reader’s tags during the outage, and the model’s output overall', () => {
    fc.assert(
      fc.property(settings, reads, holds, (config, gaps, windowSpecs) => {
        const { ops, windows } = script(gaps, windowSpecs);
        const endMs = (ops.at(-1)?.atMs ?? 0) + 10_000;
        const { events, engine } = run(config, ops, endMs);
        const times = events.map((event) => event.atMs);
        expect(times).toEqual([...times].sort((x, y) => x - y));
        for (const { reader, from, to } of windows) {
          const during = events.filter(
            (event) =>
              event.type === 'tag.departed' &&
              event.reader === reader &&
              event.atMs > from &&
              event.atMs < to + config.departAfterMs,
          );
          expect(during).toEqual([]);
        }
        expect(canonical(outcomes(events))).toEqual(canonical(model(config, ops, endMs)));
        expect(engine.stats.tracked).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it('gives identical output whatever the sweep times', () => {
    fc.assert(
      fc.property(
        settings,
        reads,
        holds,
        fc.array(fc.integer({ min: 0, max: 120_000 }), { maxLength: 30 }),
        (config, gaps, windowSpecs, sweepTimes) => {
          const { ops } = script(gaps, windowSpecs);
          const endMs = (ops.at(-1)?.atMs ?? 0) + 10_000;
          const sweeps = [...sweepTimes].sort((x, y) => x - y);
          expect(run(config, ops, endMs, sweeps).events).toEqual(run(config, ops, endMs).events);
        },
      ),
      { numRuns: 200 },
    );
  });
});
