import { describe, expect, it } from 'vitest';
import {
  EM4100_E1,
  EPC_T1,
  EPC_T4,
  harness,
  SGTIN_6789,
  SGTIN_6790,
  T0,
  T1_RSSI,
} from '../../test/kits/core/engine.js';
import { type EngineConfigInput, resolveEngineConfig } from './config.js';
import { PresenceEngine } from './engine.js';
import { fromHex } from './hex.js';

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
