import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../shared/clock.js';
import { type EngineConfigInput, resolveEngineConfig } from './config.js';
import { PresenceEngine } from './engine.js';
import type { CoreEvent } from './events.js';
import { fromHex } from './hex.js';

/** protocols.md §1.8 T4 (SparkFun URA logs, ThingMagic M6e Nano): a 96-bit EPC. */
const EPC_T4 = 'E2001026760E017915907125';
/** protocols.md §2.2 E3 (RDM6300, arduino-esp32 issue 1405): a 5-byte EM4100 id, read without RSSI. */
const EM4100_E3 = '0D00319CD0';

const T0 = 0;

/**
 * One UHF reader whose antennas 1..4 cover zones a, b, c, d, and two EM4100 readers (no RSSI) covering
 * `door` and `desk`. `read(zone, atMs, rssi)` reads EPC_T4 (or `tag`) in that zone.
 */
function harness(input: EngineConfigInput = {}) {
  const events: CoreEvent[] = [];
  const config = resolveEngineConfig({
    readers: [
      { id: 'uhf', antennaZones: { 1: 'a', 2: 'b', 3: 'c', 4: 'd' } },
      { id: 'door', defaultZone: 'door' },
      { id: 'desk', defaultZone: 'desk' },
    ],
    ...input,
  });
  const engine = new PresenceEngine(config, (event) => events.push(event));
  const clock = new VirtualClock(T0);
  const antennaOf: Record<string, number> = { a: 1, b: 2, c: 3, d: 4 };
  const read = (zone: string, atMs: number, rssi: number, tag = EPC_T4) => {
    clock.advanceTo(atMs);
    const bytes = fromHex(tag);
    const reader = antennaOf[zone] === undefined ? zone : 'uhf';
    engine.ingest(
      engine.readerIndex(reader),
      antennaOf[zone] ?? 0,
      bytes,
      0,
      bytes.length,
      rssi,
      clock.now(),
    );
  };
  const moves = () =>
    events.flatMap((event) =>
      event.type === 'tag.moved' ? [[event.from, event.to, event.atMs, event.direction] as const] : [],
    );
  return { engine, events, read, clock, moves };
}

describe('cross-reads between zones', () => {
  it('keeps the tag where it is while another zone is better by less than the hysteresis', () => {
    const { read, moves } = harness();
    read('a', 0, -60);
    for (let step = 1; step <= 50; step++) {
      read('a', step * 100, -60);
      read('b', step * 100 + 50, -58);
    }
    expect(moves()).toEqual([]);
  });

  it('moves once the challenger smoothed RSSI beats the current zone by more than hysteresisDb', () => {
    const { read, moves, events } = harness();
    read('a', 0, -60);
    // Challenger b starts from a's level (-60): -60 + 0.3 * 10 = -57, not above -57; then -54.9 is.
    read('b', 100, -50);
    expect(moves()).toEqual([]);
    read('b', 200, -50);
    expect(moves()).toEqual([['a', 'b', 200, null]]);
    expect(events.at(-1)).toMatchObject({
      type: 'tag.moved',
      reader: 'uhf',
      antenna: 2,
      rssi: -50,
      reads: 3,
    });
  });

  it('does not flap between two zones reading the tag at similar strength', () => {
    const { read, moves } = harness();
    read('a', 0, -60);
    for (let step = 1; step <= 100; step++) {
      // b is 2 dB stronger on average, with ±2 dB noise; a keeps reading too.
      read('b', step * 100, step % 2 === 0 ? -56 : -60);
      read('a', step * 100 + 50, step % 3 === 0 ? -58 : -61);
    }
    expect(moves().length).toBeLessThanOrEqual(1);
  });

  it('moves to any zone still reading the tag once the current one has not for staleAfterMs', () => {
    const { read, moves } = harness();
    read('a', 0, -40);
    read('b', 500, -80);
    read('b', 999, -80);
    expect(moves()).toEqual([]);
    read('b', 1000, -80);
    expect(moves()).toEqual([['a', 'b', 1000, null]]);
  });

  it('with NaN RSSI (EM4100) changes zone on staleness only', () => {
    const { read, moves } = harness();
    read('door', 0, Number.NaN, EM4100_E3);
    read('desk', 300, Number.NaN, EM4100_E3);
    read('door', 600, Number.NaN, EM4100_E3);
    read('desk', 900, Number.NaN, EM4100_E3);
    read('desk', 1599, Number.NaN, EM4100_E3);
    expect(moves()).toEqual([]);
    read('desk', 1600, Number.NaN, EM4100_E3);
    expect(moves()).toEqual([['door', 'desk', 1600, null]]);
  });

  it('keeps arrival time and read count across a move; departs from the new zone', () => {
    const { read, clock, engine, events } = harness();
    read('a', 0, -40);
    read('b', 1500, -45);
    clock.advanceTo(10_000);
    engine.advance(clock.now());
    expect(events.map((event) => event.type)).toEqual(['tag.arrived', 'tag.moved', 'tag.departed']);
    expect(events[2]).toMatchObject({ zone: 'b', atMs: 4500, dwellMs: 4500, reads: 2 });
  });

  it('lets a candidate change zone silently and count its reads again there', () => {
    const { read, events } = harness({ zoneDefaults: { arriveAfterReads: 2 } });
    read('a', 0, -70);
    // b starts from a's level: -70 + 0.3 * 20 = -64 > -67, so b takes the candidate; its count restarts.
    read('b', 100, -50);
    expect(events).toEqual([]);
    read('b', 200, -50);
    expect(events).toEqual([
      {
        type: 'tag.arrived',
        atMs: 200,
        tag: EPC_T4,
        zone: 'b',
        reader: 'uhf',
        antenna: 2,
        rssi: -50,
        reads: 2,
      },
    ]);
  });
});

describe('door direction', () => {
  const doors = { doors: [{ id: 'front', path: ['a', 'b', 'c'], windowMs: 5000 }] };

  it("is 'exit' for a move that completes the path inside to outside within the window", () => {
    const { read, moves } = harness(doors);
    read('a', 0, -50);
    read('b', 1000, -50); // a stale: move
    read('c', 2000, -50);
    expect(moves()).toEqual([
      ['a', 'b', 1000, null],
      ['b', 'c', 2000, 'exit'],
    ]);
  });

  it("is 'entry' for the reverse order", () => {
    const { read, moves } = harness(doors);
    read('c', 0, -50);
    read('b', 1000, -50);
    read('a', 2000, -50);
    expect(moves().map((move) => move[3])).toEqual([null, 'entry']);
  });

  it('is null when the path takes longer than the window, skips a zone, or is not a door path', () => {
    const slow = harness(doors);
    slow.read('a', 0, -50);
    for (let atMs = 1000; atMs <= 5000; atMs += 1000) slow.read('b', atMs, -50);
    slow.read('c', 6001, -50); // b stale; the path took 5001 ms
    expect(slow.moves().map((move) => move[3])).toEqual([null, null]);
    const skipping = harness(doors);
    skipping.read('a', 0, -50);
    skipping.read('c', 1000, -50);
    skipping.read('d', 2000, -50);
    expect(skipping.moves().map((move) => move[3])).toEqual([null, null]);
    const arrivedMidway = harness(doors);
    arrivedMidway.read('b', 0, -50);
    arrivedMidway.read('c', 1000, -50);
    expect(arrivedMidway.moves().map((move) => move[3])).toEqual([null]);
  });

  it('works for a two-zone door on a single move, both ways', () => {
    const { read, moves } = harness({ doors: [{ id: 'gate', path: ['d', 'a'], windowMs: 1 }] });
    read('d', 0, -50);
    read('a', 1000, -50); // d stale
    read('d', 1500, -40); // -50 + 0.3 * 10 = -47: not above -47
    read('d', 1600, -40); // -44.9
    expect(moves()).toEqual([
      ['d', 'a', 1000, 'exit'],
      ['a', 'd', 1600, 'entry'],
    ]);
  });
});
