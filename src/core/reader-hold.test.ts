import { describe, expect, it } from 'vitest';
import { EPC_T1, EPC_T4, harness, SGTIN_6789, SGTIN_6790, T0 } from '../../test/kits/core/engine.js';

/** Two readers on one fridge, and a door reader on its own zone. */
const FRIDGE = {
  readers: [
    { id: 'top', defaultZone: 'fridge' },
    { id: 'bottom', defaultZone: 'fridge' },
    { id: 'door', defaultZone: 'door' },
  ],
};

describe('PresenceEngine.holdReader / releaseReader', () => {
  it('keeps a held reader’s tags through an hour-long outage; they depart departAfterMs after the release', () => {
    const { engine, read, advance, timeline } = harness(FRIDGE);
    read(EPC_T1, 0, -50, 1, 'top');
    read(EPC_T4, 0, -50, 1, 'top');
    engine.holdReader('top', T0 + 1000);
    advance(3_600_000);
    expect(timeline()).toEqual([
      ['tag.arrived', EPC_T1, 0],
      ['tag.arrived', EPC_T4, 0],
    ]);
    expect(engine.present('fridge').map((tag) => tag.tag)).toEqual([EPC_T1, EPC_T4].sort());
    engine.releaseReader('top', T0 + 3_600_000);
    // Back online, EPC_T1 is read again: it simply stays; EPC_T4 is not, and departs.
    read(EPC_T1, 3_601_000, -50, 1, 'top');
    advance(3_700_000);
    expect(timeline().slice(2)).toEqual([
      ['tag.departed', EPC_T4, 3_603_000],
      ['tag.departed', EPC_T1, 3_604_000],
    ]);
    expect(engine.stats.tracked).toBe(0);
  });

  it('says `held` on the departure of a tag not read since its reader came back, and only there', () => {
    const { engine, read, advance, events } = harness(FRIDGE);
    read(EPC_T1, 0, -50, 1, 'top');
    read(EPC_T4, 0, -50, 1, 'top');
    read(SGTIN_6789, 0, -50, 1, 'door');
    engine.holdReader('top', T0 + 1000);
    advance(60_000);
    engine.releaseReader('top', T0 + 60_000);
    // Read again after the release: an ordinary departure from that read. The door was never held.
    read(EPC_T1, 60_500, -50, 1, 'top');
    advance(100_000);
    const departures = events.filter((event) => event.type === 'tag.departed');
    expect(departures.map((event) => [event.tag, event.atMs - T0, 'held' in event && event.held])).toEqual([
      [SGTIN_6789, 3000, false],
      [EPC_T4, 63_000, true],
      [EPC_T1, 63_500, false],
    ]);
    // Another hold and release later: only what was last read before that one is held again.
    read(EPC_T1, 110_000, -50, 1, 'top');
    engine.holdReader('top', T0 + 110_500);
    engine.releaseReader('top', T0 + 111_000);
    advance(200_000);
    expect(events.at(-1)).toMatchObject({
      type: 'tag.departed',
      tag: EPC_T1,
      atMs: T0 + 114_000,
      held: true,
    });
  });

  it('restarts the clock of a tag not yet due at the hold as well', () => {
    const { engine, read, advance, timeline } = harness(FRIDGE);
    read(EPC_T1, 0, -50, 1, 'top');
    engine.holdReader('top', T0 + 500);
    engine.releaseReader('top', T0 + 1000);
    advance(10_000);
    // Not at 3000 (last read + 3000): the outage says nothing, so the clock runs from the release.
    expect(timeline()).toEqual([
      ['tag.arrived', EPC_T1, 0],
      ['tag.departed', EPC_T1, 4000],
    ]);
  });

  it('lets the other reader of the zone keep the tag, and depart it normally from its own reads', () => {
    const { engine, read, advance, events, timeline } = harness(FRIDGE);
    read(EPC_T1, 0, -50, 1, 'top');
    engine.holdReader('top', T0 + 100);
    advance(5000); // parked by now
    read(EPC_T1, 6000, -50, 1, 'bottom');
    advance(20_000);
    expect(timeline()).toEqual([
      ['tag.arrived', EPC_T1, 0],
      ['tag.departed', EPC_T1, 9000],
    ]);
    expect(events.at(-1)).toMatchObject({ reader: 'bottom', reads: 2 });
    expect(engine.stats.tracked).toBe(0);
  });

  it('does not let a tag move away from a held reader’s zone, and does again after the release', () => {
    const { engine, read, advance, timeline } = harness({
      ...FRIDGE,
      zoneDefaults: { departAfterMs: 60_000 },
    });
    read(SGTIN_6789, 0, -50, 1, 'top');
    engine.holdReader('top', T0 + 100);
    // The door reads it while the fridge hears nothing: "stale there" would move it, but the fridge is deaf.
    for (let at = 2000; at <= 10_000; at += 1000) read(SGTIN_6789, at, -40, 1, 'door');
    expect(timeline()).toEqual([['tag.arrived', SGTIN_6789, 0]]);
    engine.releaseReader('top', T0 + 11_000);
    // The fridge gets staleAfterMs (1000) from the release to read it again before the stale rule applies.
    for (let at = 11_500; at <= 13_000; at += 500) read(SGTIN_6789, at, -40, 1, 'door');
    expect(timeline().slice(1)).toEqual([['tag.moved', SGTIN_6789, 12_000]]);
    advance(200_000);
  });

  it('counts the reads of a parked tag from another zone without moving it', () => {
    const { engine, read, advance, events } = harness(FRIDGE);
    read(SGTIN_6789, 0, -50, 1, 'top');
    engine.holdReader('top', T0 + 100);
    advance(5000);
    read(SGTIN_6789, 6000, -30, 1, 'door');
    expect(engine.present()).toMatchObject([{ tag: SGTIN_6789, zone: 'fridge', reads: 2 }]);
    engine.releaseReader('top', T0 + 7000);
    advance(20_000);
    expect(events.map((event) => event.type)).toEqual(['tag.arrived', 'tag.departed']);
  });

  it('resumes re-reports from the release, in time order', () => {
    const { engine, read, advance, timeline } = harness({ ...FRIDGE, zoneDefaults: { reReportMs: 2000 } });
    read(EPC_T1, 0, -50, 1, 'top');
    engine.holdReader('top', T0 + 100);
    advance(60_000);
    engine.releaseReader('top', T0 + 60_000);
    advance(70_000);
    expect(timeline()).toEqual([
      ['tag.arrived', EPC_T1, 0],
      ['tag.present', EPC_T1, 2000],
      // Parked at 3000; the re-report due meanwhile starts over from the release.
      ['tag.present', EPC_T1, 62_000],
      ['tag.departed', EPC_T1, 63_000],
    ]);
  });

  it('settles what was due before the hold, ignores a release of a reader not held, refuses unknown ids', () => {
    const { engine, read, timeline } = harness(FRIDGE);
    read(EPC_T1, 0, -50, 1, 'top');
    engine.holdReader('top', T0 + 5000);
    expect(timeline()).toEqual([
      ['tag.arrived', EPC_T1, 0],
      ['tag.departed', EPC_T1, 3000],
    ]);
    read(EPC_T4, 6000, -50, 1, 'bottom');
    engine.releaseReader('bottom', T0 + 7000);
    engine.advance(T0 + 9000);
    expect(timeline().at(-1)).toEqual(['tag.departed', EPC_T4, 9000]);
    expect(() => engine.holdReader('nope', T0 + 9000)).toThrow(/Unknown reader "nope"/);
    expect(() => engine.releaseReader('nope', T0 + 9000)).toThrow(/Unknown reader/);
  });
});

describe('PresenceEngine.restore', () => {
  const since = T0 - 86_400_000;

  it('seeds present tags without any event; one read again stays, one not read departs after the grace', () => {
    const { engine, read, advance, events } = harness(FRIDGE);
    const refused = engine.restore(
      [
        { tag: SGTIN_6789, zone: 'fridge', reader: 'top', sinceMs: since },
        { tag: SGTIN_6790.toLowerCase(), zone: 'fridge', reader: 'bottom', sinceMs: since },
      ],
      T0,
      10_000,
    );
    expect(refused).toEqual([]);
    expect(events).toEqual([]);
    expect(engine.present('fridge')).toEqual([
      { tag: SGTIN_6789, zone: 'fridge', sinceMs: since, lastSeenMs: T0, reads: 0 },
      { tag: SGTIN_6790, zone: 'fridge', sinceMs: since, lastSeenMs: T0, reads: 0 },
    ]);
    for (let at = 2000; at <= 12_000; at += 2000) read(SGTIN_6789, at, -50, 1, 'top');
    advance(12_999);
    expect(events).toEqual([]);
    for (let at = 14_000; at <= 30_000; at += 2000) read(SGTIN_6789, at, -50, 1, 'top');
    expect(events).toEqual([
      {
        type: 'tag.departed',
        atMs: T0 + 13_000,
        tag: SGTIN_6790,
        zone: 'fridge',
        reader: 'bottom',
        antenna: 0,
        rssi: Number.NaN,
        reads: 0,
        dwellMs: T0 + 13_000 - since,
        restored: true,
      },
    ]);
    expect(engine.present()).toMatchObject([{ tag: SGTIN_6789, reads: 15, lastSeenMs: T0 + 30_000 }]);
  });

  it('departs a restored tag read once at that read + departAfterMs, before the grace ends', () => {
    const { engine, read, advance, timeline, events } = harness(FRIDGE);
    engine.restore([{ tag: EPC_T1, zone: 'fridge', reader: 'top', sinceMs: since }], T0, 60_000);
    read(EPC_T1, 100, -50, 1, 'top');
    advance(100_000);
    expect(timeline()).toEqual([['tag.departed', EPC_T1, 3100]]);
    expect(events[0]).not.toHaveProperty('restored');
  });

  it('holds restored tags of a held reader like any other', () => {
    const { engine, advance, timeline } = harness(FRIDGE);
    engine.restore([{ tag: EPC_T1, zone: 'fridge', reader: 'top', sinceMs: since }], T0, 1000);
    engine.holdReader('top', T0 + 10);
    advance(600_000);
    expect(timeline()).toEqual([]);
    engine.releaseReader('top', T0 + 600_000);
    advance(700_000);
    expect(timeline()).toEqual([['tag.departed', EPC_T1, 603_000]]);
  });

  it('returns what it could not take, and why', () => {
    // Room for two: EPC_T1, then EPC_T4 remembered as filtered, evicted for SGTIN_6789; none for 6790.
    const { engine, read } = harness({ ...FRIDGE, capacity: 2, exclude: ['E2'] });
    read(EPC_T1, 0, -50, 1, 'top');
    const refused = engine.restore(
      [
        { tag: 'XYZ', zone: 'fridge', reader: 'top', sinceMs: since },
        { tag: SGTIN_6789, zone: 'cellar', reader: 'top', sinceMs: since },
        { tag: SGTIN_6789, zone: 'fridge', reader: 'gone', sinceMs: since },
        { tag: EPC_T1, zone: 'fridge', reader: 'top', sinceMs: since },
        { tag: EPC_T4, zone: 'fridge', reader: 'top', sinceMs: since },
        { tag: SGTIN_6789, zone: 'fridge', reader: 'top', sinceMs: since },
        { tag: SGTIN_6790, zone: 'fridge', reader: 'top', sinceMs: since },
      ],
      T0 + 10,
    );
    expect(refused.map(({ tag, reason }) => [tag, reason])).toEqual([
      ['XYZ', 'invalid tag'],
      [SGTIN_6789, 'unknown zone'],
      [SGTIN_6789, 'unknown reader'],
      [EPC_T1, 'already tracked'],
      [EPC_T4, 'filtered'],
      [SGTIN_6790, 'table full'],
    ]);
    expect(engine.present().map((tag) => tag.tag)).toEqual([EPC_T1, SGTIN_6789]);
  });
});
