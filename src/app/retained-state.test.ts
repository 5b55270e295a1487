import { describe, expect, it } from 'vitest';
import { createTopics } from '../mqtt/topics.js';
import { VirtualClock } from '../shared/clock.js';
import type { GatewayEvent } from '../shared/events.js';
import type { TagQuery } from './reading-services.js';
import { RetainedStateSink } from './retained-state.js';

const START = Date.parse('2026-11-22T10:00:00.000Z');

function setup() {
  const clock = new VirtualClock(START);
  const counts = new Map<string, number>();
  const published: Array<{ topic: string; payload: Record<string, unknown> }> = [];
  const topics = createTopics('rfid', 'gw1');
  const sink = new RetainedStateSink(
    (zone) => ({ zone, ts: '', count: counts.get(zone) ?? 0, products: [], tags: [] }),
    { devices: () => [], device: () => undefined } as unknown as TagQuery,
    {
      publish: (topic, payload) =>
        published.push({
          topic: topics.retained(topic),
          payload: payload as unknown as Record<string, unknown>,
        }),
    },
    clock,
  );
  const changed = (zone: string, count: number) => {
    counts.set(zone, count);
    sink.write({ type: 'inventory.changed', zone, added: [], removed: [], count } as unknown as GatewayEvent);
  };
  return { clock, sink, published, changed };
}

describe('RetainedStateSink', () => {
  it('publishes a zone once per burst of inventory changes, after the coalescing delay', () => {
    const { clock, published, changed } = setup();
    changed('fridge', 1);
    changed('fridge', 2);
    changed('shelf', 7);
    expect(published).toEqual([]);
    clock.advanceTo(START + 2000);
    expect(published.map((p) => [p.topic, p.payload.count])).toEqual([
      ['rfid/gw1/inventory/fridge', 2],
      ['rfid/gw1/inventory/shelf', 7],
    ]);
  });

  it('publishes what is pending when closed', async () => {
    const { sink, published, changed } = setup();
    changed('fridge', 3);
    await sink.close();
    expect(published.map((p) => [p.topic, p.payload.count])).toEqual([['rfid/gw1/inventory/fridge', 3]]);
  });
});
