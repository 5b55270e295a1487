import { afterEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from './clock.js';
import { type EngineConfigInput, resolveEngineConfig } from './config.js';
import { PresenceEngine } from './engine.js';
import type { CoreEvent } from './events.js';
import { fromHex } from './hex.js';
import { TagTable } from './tag-table.js';

/** DESIGN.md event envelope example (SGTIN-96, company 0614141, item 812345, serial 6789). */
const SGTIN_6789 = '3074257BF7194E4000001A85';
/** The same GTIN with serial 6790 (constructed: last byte + 1). */
const SGTIN_6790 = '3074257BF7194E4000001A86';
/** protocols.md §1.8 T4 (SparkFun URA logs, ThingMagic M6e Nano): a non-GS1 (E2) 96-bit EPC. */
const EPC_T4 = 'E2001026760E017915907125';
/** protocols.md §1.8 T1 (SparkFun library comment): EPC ...1545, RSSI -60 dBm on antenna 1. */
const EPC_T1 = '000000000000000000001545';
const T1_RSSI = -60;
/** protocols.md §2.2 E1 (ID-20LA, esphome issue 13753): a 5-byte EM4100 id; EM4100 readers give no RSSI. */
const EM4100_E1 = '0500207B32';

const T0 = 1_700_000_000_000;

/** An engine on a VirtualClock; `read` moves the clock to `T0 + atMs` and ingests there. */
function harness(input: EngineConfigInput = {}) {
  const events: CoreEvent[] = [];
  const config = resolveEngineConfig({ readers: [{ id: 'shelf' }], ...input });
  const engine = new PresenceEngine(config, (event) => events.push(event));
  const clock = new VirtualClock(T0);
  const read = (tag: string, atMs: number, rssi = -50, antenna = 1, reader = 'shelf') => {
    clock.advanceTo(T0 + atMs);
    const bytes = fromHex(tag);
    engine.ingest(engine.readerIndex(reader), antenna, bytes, 0, bytes.length, rssi, clock.now());
  };
  const advance = (atMs: number) => {
    clock.advanceTo(T0 + atMs);
    engine.advance(clock.now());
  };
  /** Events as [type, tag, atMs relative to T0] for compact expectations. */
  const timeline = () =>
    events.map((event) => [event.type, 'tag' in event ? event.tag : '', event.atMs - T0] as const);
  return { engine, events, read, advance, clock, timeline };
}

describe('PresenceEngine: arrival and departure (defaults)', () => {
  it('arrives on the first read and departs 3000 ms after the last, at that logical time', () => {
    const { events, read, advance } = harness();
    read(EPC_T1, 0, T1_RSSI);
    read(EPC_T1, 1000, -55, 2);
    advance(10_000);
    expect(events).toEqual([
      {
        type: 'tag.arrived',
        atMs: T0,
        tag: EPC_T1,
        zone: 'shelf',
        reader: 'shelf',
        antenna: 1,
        rssi: -60,
        reads: 1,
      },
      {
        type: 'tag.departed',
        atMs: T0 + 4000,
        tag: EPC_T1,
        zone: 'shelf',
        reader: 'shelf',
        antenna: 2,
        rssi: -55,
        reads: 2,
        dwellMs: 4000,
      },
    ]);
  });

  it('departs a tag read again at its departure time first, then arrives it again, without a sweep', () => {
    const { read, timeline } = harness();
    read(EPC_T1, 0);
    read(EPC_T1, 3000);
    expect(timeline()).toEqual([
      ['tag.arrived', EPC_T1, 0],
      ['tag.departed', EPC_T1, 3000],
      ['tag.arrived', EPC_T1, 3000],
    ]);
  });

  it('emits in time order: a read settles every other tag due before it', () => {
    const { read, timeline } = harness();
    read(EPC_T1, 0);
    read(EPC_T4, 500);
    read(SGTIN_6789, 9000);
    expect(timeline()).toEqual([
      ['tag.arrived', EPC_T1, 0],
      ['tag.arrived', EPC_T4, 500],
      ['tag.departed', EPC_T1, 3000],
      ['tag.departed', EPC_T4, 3500],
      ['tag.arrived', SGTIN_6789, 9000],
    ]);
  });

  it('gives the same events however often it is swept (none, every 7 ms, or timers at nextDeadline)', () => {
    const script: Array<[string, number]> = [
      [EPC_T1, 0],
      [EPC_T4, 0],
      [EPC_T1, 2999],
      [SGTIN_6789, 3000],
      [EPC_T4, 3000],
      [EPC_T1, 6500],
      [SGTIN_6790, 12_000],
    ];
    const run = (sweep: 'none' | 'fixed' | 'timers') => {
      const h = harness({ zoneDefaults: { reReportMs: 1700 } });
      const arm = () => {
        const next = h.engine.nextDeadline();
        if (next === undefined) return;
        h.clock.setTimeout(() => {
          h.engine.advance(h.clock.now());
          arm();
        }, next - h.clock.now());
      };
      if (sweep === 'timers') arm();
      let swept = 0;
      for (const [tag, atMs] of script) {
        for (; sweep === 'fixed' && swept < atMs; swept += 7) h.advance(swept);
        h.read(tag, atMs);
        if (sweep === 'timers') arm();
      }
      h.advance(60_000);
      return h.events;
    };
    const unswept = run('none');
    expect(unswept.length).toBeGreaterThan(10);
    expect(run('fixed')).toEqual(unswept);
    expect(run('timers')).toEqual(unswept);
    const times = unswept.map((event) => event.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('treats a time earlier than one already seen as the latest time', () => {
    const { engine, read, timeline } = harness();
    read(EPC_T1, 1000);
    const bytes = fromHex(EPC_T1);
    engine.ingest(0, 1, bytes, 0, bytes.length, -50, T0 + 500);
    engine.advance(T0 + 10_000);
    expect(timeline()).toEqual([
      ['tag.arrived', EPC_T1, 1000],
      ['tag.departed', EPC_T1, 4000],
    ]);
  });

  it('reports the exact next deadline although reads only push it back lazily', () => {
    const { engine, read } = harness();
    expect(engine.nextDeadline()).toBeUndefined();
    read(EPC_T1, 0);
    read(EPC_T1, 2000);
    expect(engine.nextDeadline()).toBe(T0 + 5000);
  });
});

describe('PresenceEngine: debounce (arriveAfterReads within arriveWindowMs)', () => {
  it('arrives on the Nth read within a sliding window', () => {
    const { read, timeline } = harness({ zoneDefaults: { arriveAfterReads: 3, arriveWindowMs: 2000 } });
    read(EM4100_E1, 0, Number.NaN);
    read(EM4100_E1, 1500, Number.NaN);
    read(EM4100_E1, 2500, Number.NaN); // 0..2500 spans 2500 ms: not yet
    expect(timeline()).toEqual([]);
    read(EM4100_E1, 3000, Number.NaN); // 1500..3000 spans 1500 ms
    expect(timeline()).toEqual([['tag.arrived', EM4100_E1, 3000]]);
  });

  it('counts the N reads in the arrival event and every read after it', () => {
    const { events, read, advance } = harness({ zoneDefaults: { arriveAfterReads: 2 } });
    read(EPC_T1, 0);
    read(EPC_T1, 100);
    read(EPC_T1, 200);
    advance(10_000);
    expect(events.map((event) => ('reads' in event ? event.reads : 0))).toEqual([2, 3]);
  });

  it('forgets a candidate that does not reach N within the window: no arrival, no departure', () => {
    const { engine, events, read, advance } = harness({ zoneDefaults: { arriveAfterReads: 2 } });
    read(EM4100_E1, 0, Number.NaN);
    expect(engine.stats.tracked).toBe(1);
    expect(engine.nextDeadline()).toBe(T0 + 2000);
    advance(2000);
    expect(engine.stats.tracked).toBe(0);
    expect(engine.nextDeadline()).toBeUndefined();
    read(EM4100_E1, 2500, Number.NaN); // a fresh candidate: one read only
    advance(20_000);
    expect(events).toEqual([]);
  });
});

describe('PresenceEngine: filters, floor, re-reports, bad reads', () => {
  it('ignores (and counts) reads under the zone RSSI floor; NaN RSSI passes', () => {
    const { engine, events, read } = harness({
      readers: [{ id: 'desk' }, { id: 'shelf' }],
      zones: [{ id: 'shelf', rssiFloor: -70 }],
    });
    read(EPC_T1, 0, -75);
    expect(events).toEqual([]);
    read(EPC_T1, 10, -70);
    read(EM4100_E1, 20, Number.NaN);
    expect(events.map((event) => (event.type === 'tag.arrived' ? event.rssi : null))).toEqual([
      -70,
      Number.NaN,
    ]);
    expect(engine.stats).toMatchObject({ reads: 3, belowFloor: 1, accepted: 2 });
  });

  it('re-reports every reReportMs while present; a departure due at the same time wins', () => {
    const { read, advance, timeline } = harness({ zoneDefaults: { reReportMs: 1000 } });
    read(EPC_T1, 0);
    read(EPC_T1, 500);
    advance(20_000);
    expect(timeline()).toEqual([
      ['tag.arrived', EPC_T1, 0],
      ['tag.present', EPC_T1, 1000],
      ['tag.present', EPC_T1, 2000],
      ['tag.present', EPC_T1, 3000],
      ['tag.departed', EPC_T1, 3500],
    ]);
    const same = harness({ zoneDefaults: { reReportMs: 1000 } });
    same.read(EPC_T1, 0);
    same.advance(20_000);
    expect(same.timeline().map(([type, , atMs]) => `${type}@${atMs}`)).toEqual([
      'tag.arrived@0',
      'tag.present@1000',
      'tag.present@2000',
      'tag.departed@3000',
    ]);
  });

  it('applies include/exclude (GS1 pattern URIs and hex prefixes) once per tag', () => {
    const { engine, read, advance, timeline } = harness({
      include: ['urn:epc:pat:sgtin-96:3.0614141.*.*', '0500*'],
      exclude: [SGTIN_6790],
    });
    read(SGTIN_6789, 0);
    read(SGTIN_6790, 0);
    read(EPC_T4, 0);
    read(EM4100_E1, 0, Number.NaN);
    read(EPC_T4, 100);
    advance(10_000);
    expect(timeline()).toEqual([
      ['tag.arrived', SGTIN_6789, 0],
      ['tag.arrived', EM4100_E1, 0],
      ['tag.departed', SGTIN_6789, 3000],
      ['tag.departed', EM4100_E1, 3000],
    ]);
    expect(engine.stats).toMatchObject({ filtered: 3, ignoredCached: 2, accepted: 2 });
  });

  it('counts and skips reads longer than maxTagBytes, and empty ones', () => {
    const { engine, events, read } = harness({ maxTagBytes: 12 });
    read(`${EPC_T1}00`, 0);
    const bytes = fromHex(EPC_T1);
    engine.ingest(0, 1, bytes, 0, 0, -50, T0);
    expect(events).toEqual([]);
    expect(engine.stats).toMatchObject({ reads: 2, tooLong: 2, tracked: 0 });
  });

  it('rejects unknown readers, bad configs and bad patterns with precise errors', () => {
    const { engine } = harness();
    expect(() => engine.readerIndex('door')).toThrow('Unknown reader "door"');
    expect(() => engine.ingest(7, 1, new Uint8Array(1), 0, 1, -50, T0)).toThrow(RangeError);
    const config = (input: EngineConfigInput) => () =>
      new PresenceEngine(resolveEngineConfig({ readers: [{ id: 'r' }], ...input }), () => {});
    expect(config({ ringSize: 1000 })).toThrow('ringSize: must be a power of two');
    expect(config({ zones: [{ id: 'r', departAfterMs: 0 }] })).toThrow('zones[0].departAfterMs');
    expect(config({ doors: [{ id: 'd', path: ['r', 'street'] }] })).toThrow(
      'doors[0].path[1]: unknown zone "street"',
    );
    expect(config({ include: ['3074257G'] })).toThrow('Invalid tag pattern "3074257G"');
    expect(config({ exclude: ['urn:epc:pat:sgtin-96:3.0614141.*'] })).toThrow(
      'Invalid EPC pattern "urn:epc:pat:sgtin-96:3.0614141.*"',
    );
  });
});

describe('PresenceEngine: capacity', () => {
  it('refuses new tags when full, reports one overflow per burst and a summary per interval', () => {
    const { engine, read, advance, timeline, events } = harness({ capacity: 2, overflowReportMs: 10_000 });
    read(EPC_T1, 0);
    read(EPC_T4, 0);
    read(SGTIN_6789, 100);
    read(SGTIN_6789, 200);
    read(SGTIN_6790, 300);
    expect(engine.stats).toMatchObject({ overflowDrops: 3, tracked: 2 });
    read(SGTIN_6789, 3500); // both present tags departed at 3000: room again
    advance(30_000);
    expect(timeline()).toEqual([
      ['tag.arrived', EPC_T1, 0],
      ['tag.arrived', EPC_T4, 0],
      ['core.overflow', '', 100],
      ['tag.departed', EPC_T1, 3000],
      ['tag.departed', EPC_T4, 3000],
      ['tag.arrived', SGTIN_6789, 3500],
      ['tag.departed', SGTIN_6789, 6500],
      ['core.overflow', '', 10_100],
    ]);
    expect(events.filter((event) => event.type === 'core.overflow')).toEqual([
      { type: 'core.overflow', atMs: T0 + 100, dropped: 1, capacity: 2 },
      { type: 'core.overflow', atMs: T0 + 10_100, dropped: 2, capacity: 2 },
    ]);
  });

  it('evicts a cached filtered tag before refusing a wanted one', () => {
    const { engine, read, timeline } = harness({ capacity: 2, exclude: ['E2'] });
    read(EPC_T4, 0);
    read(EPC_T1, 10);
    expect(engine.stats).toMatchObject({ ignoredCached: 1, tracked: 1 });
    read(SGTIN_6789, 20);
    expect(engine.stats).toMatchObject({ ignoredCached: 0, tracked: 2, overflowDrops: 0 });
    read(EPC_T4, 30); // no room to cache it again: still filtered, matched again
    expect(engine.stats).toMatchObject({ filtered: 2, overflowDrops: 0 });
    expect(timeline()).toEqual([
      ['tag.arrived', EPC_T1, 10],
      ['tag.arrived', SGTIN_6789, 20],
    ]);
  });
});

describe('PresenceEngine: tag lookup', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("finds a known 96-bit EPC with its own probe of the table's slots, at any offset of any buffer", () => {
    const find = vi.spyOn(TagTable.prototype, 'find');
    const { engine, events, read } = harness();
    read(SGTIN_6789, 0); // new: looked up and inserted by the table
    read(SGTIN_6790, 10);
    expect(find).toHaveBeenCalledTimes(2);
    const frame = fromHex(`AABBCC${SGTIN_6789}DD`);
    engine.ingest(0, 1, frame, 3, 12, -50, T0 + 20);
    read(SGTIN_6790, 30);
    // Found by the engine's probe: same hash and slot layout as `TagTable.find`, no call to it.
    expect(find).toHaveBeenCalledTimes(2);
    expect(events.map((event) => event.type)).toEqual(['tag.arrived', 'tag.arrived']);
    expect(engine.present().map((tag) => [tag.tag, tag.reads])).toEqual([
      [SGTIN_6789, 2],
      [SGTIN_6790, 2],
    ]);
  });
});

describe('PresenceEngine: snapshots', () => {
  it("keeps a present tag's later reads in the recent reads, in its zone and another", () => {
    const { engine, read } = harness({ readers: [{ id: 'shelf', antennaZones: { 3: 'fridge' } }] });
    read(SGTIN_6789, 0, -52, 1);
    read(SGTIN_6789, 40, -48, 2);
    read(SGTIN_6789, 75.5, -71, 3);
    expect(engine.recentReads(2)).toEqual([
      {
        atMs: T0 + 40,
        tag: SGTIN_6789,
        length: 12,
        reader: 'shelf',
        antenna: 2,
        zone: 'shelf',
        rssi: -48,
        outcome: 'accepted',
      },
      {
        atMs: T0 + 75.5,
        tag: SGTIN_6789,
        length: 12,
        reader: 'shelf',
        antenna: 3,
        zone: 'fridge',
        rssi: -71,
        outcome: 'accepted',
      },
    ]);
    expect(engine.present()).toEqual([
      { tag: SGTIN_6789, zone: 'shelf', sinceMs: T0, lastSeenMs: T0 + 40, reads: 3 },
    ]);
  });

  it('lists present tags per zone and the recent reads with their outcome', () => {
    const { engine, read } = harness({
      capacity: 1,
      maxTagBytes: 12,
      readers: [{ id: 'shelf', antennaZones: { 2: 'fridge' } }],
      zones: [{ id: 'fridge', rssiFloor: -70 }],
    });
    read(EPC_T1, 0, -60, 2);
    read(EPC_T1, 50, -80, 2);
    read(`${EPC_T1}00`, 60);
    read(EPC_T4, 70);
    expect(engine.present()).toEqual([
      { tag: EPC_T1, zone: 'fridge', sinceMs: T0, lastSeenMs: T0, reads: 1 },
    ]);
    expect(engine.present('shelf')).toEqual([]);
    expect(engine.present('nowhere')).toEqual([]);
    expect(engine.recentReads(3).map((r) => [r.outcome, r.tag, r.length, r.zone, r.rssi])).toEqual([
      ['belowFloor', EPC_T1, 12, 'fridge', -80],
      ['tooLong', EPC_T1, 13, 'shelf', -50],
      ['overflow', EPC_T4, 12, 'shelf', -50],
    ]);
    expect(engine.recentReads()[0]).toEqual({
      atMs: T0,
      tag: EPC_T1,
      length: 12,
      reader: 'shelf',
      antenna: 2,
      zone: 'fridge',
      rssi: -60,
      outcome: 'accepted',
    });
  });
});
