import { describe, expect, it } from 'vitest';
import { PresenceEngine, resolveEngineConfig } from '../core/index.js';
import { createTopics } from '../mqtt/topics.js';
import { VirtualClock } from '../shared/clock.js';
import type { GatewayEvent } from '../shared/events.js';
import { INVENTORY_MAX_TAGS, RetainedStateSink } from './retained-state.js';

const START = Date.parse('2026-11-22T10:00:00.000Z');

function setup() {
  const clock = new VirtualClock(START);
  const engine = new PresenceEngine(
    resolveEngineConfig({ readers: [{ id: 'r', defaultZone: 'fridge' }] }),
    () => {},
  );
  const published: Array<{ topic: string; payload: Record<string, unknown> }> = [];
  const sink = new RetainedStateSink(
    engine,
    () => [],
    createTopics('rfid', 'gw1'),
    (topic, payload) => published.push({ topic, payload: payload as Record<string, unknown> }),
    clock,
  );
  const read = (serial: number) => {
    const tag = new Uint8Array(12);
    new DataView(tag.buffer).setUint32(8, serial);
    engine.ingest(0, 1, tag, 0, 12, -50, clock.now());
  };
  const arrived = { type: 'tag.arrived', zone: 'fridge' } as GatewayEvent;
  return { clock, sink, published, read, arrived };
}

describe('RetainedStateSink', () => {
  it('publishes a zone once per burst of changes, after the coalescing delay', () => {
    const { clock, sink, published, read, arrived } = setup();
    read(1);
    sink.write(arrived);
    read(2);
    sink.write(arrived);
    expect(published).toEqual([]);
    clock.advanceTo(START + 2000);
    expect(published.map((p) => [p.topic, p.payload.count])).toEqual([['rfid/gw1/inventory/fridge', 2]]);
  });

  it('caps the tag list of a flooded zone but keeps the exact count', () => {
    const { clock, sink, published, read, arrived } = setup();
    for (let serial = 0; serial < INVENTORY_MAX_TAGS + 5; serial++) read(serial);
    sink.write(arrived);
    clock.advanceTo(START + 2000);
    const snapshot = published.at(-1)?.payload as { count: number; truncated?: boolean; tags: unknown[] };
    expect(snapshot.count).toBe(INVENTORY_MAX_TAGS + 5);
    expect(snapshot.truncated).toBe(true);
    expect(snapshot.tags).toHaveLength(INVENTORY_MAX_TAGS);
  });
});
