import { afterEach, describe, expect, it, vi } from 'vitest';
import { EPC_T1, EPC_T4, harness, SGTIN_6789, SGTIN_6790, T0 } from '../../test/kits/core/engine.js';
import { fromHex } from './hex.js';
import { TagTable } from './tag-table.js';

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
