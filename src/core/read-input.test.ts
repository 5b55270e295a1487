import { describe, expect, it } from 'vitest';
import { EPC_T1, harness, SGTIN_6789, T0 } from '../../test/kits/core/engine.js';
import { fromHex, toHex } from './hex.js';

describe('a reader input: from the decoder straight into the core', () => {
  it('counts reads per antenna, ingests them at the chunk time, and shows a tapped zone its reads after the core', () => {
    const { engine, events } = harness({
      readers: [{ id: 'door', antennaZones: { 1: 'inside', 2: 'outside' } }],
    });
    const input = engine.readInput('door');
    const seen: string[] = [];
    engine.tapZone('outside', (tag, offset, length, antenna, rssi) => {
      // The core has the read already: a tap may rely on the events it caused.
      seen.push(`${toHex(tag, offset, length)} a${antenna} ${rssi} after ${events.length} event(s)`);
    });
    engine.advance(T0);
    const one = fromHex(SGTIN_6789);
    const two = fromHex(EPC_T1);
    input(one, 0, one.length, 1, -50);
    input(two, 0, two.length, 2, -61);
    input(two, 0, two.length, 2, -60);
    expect(events.map((event) => [event.type, 'zone' in event ? event.zone : ''])).toEqual([
      ['tag.arrived', 'inside'],
      ['tag.arrived', 'outside'],
    ]);
    // Only the outside antenna's reads, each after the core took it.
    expect(seen).toEqual([`${EPC_T1} a2 -61 after 2 event(s)`, `${EPC_T1} a2 -60 after 2 event(s)`]);
    const counts = engine.antennaCounts('door');
    expect([counts[1], counts[2], counts[3]]).toEqual([1, 2, 0]);
  });

  it('refuses a tap on a zone no reader knows', () => {
    const { engine } = harness();
    expect(() => engine.tapZone('nowhere', () => {})).toThrow('Unknown zone "nowhere"');
  });
});
