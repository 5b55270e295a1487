import { describe, expect, it } from 'vitest';
import { emptyStats } from '../core/events.js';
import type { Figures, LoopFigures, LoopWindow } from './figures.js';
import { MetricsPayloads } from './metrics.js';

const T0 = Date.parse('2026-11-30T10:00:00.000Z');

function reading(at: number, reads: number, antennaReads: Array<[number, number]>): Figures {
  return {
    at,
    startedAt: T0,
    devices: [
      {
        id: 'shelf',
        state: 'online',
        counters: {
          bytes: reads * 47,
          frames: reads,
          reads,
          errors: 0,
          droppedBytes: 0,
          stalls: 0,
          searches: 0,
          faults: 0,
          missedPolls: 0,
        },
        antennaReads,
        ingestFailures: 0,
      },
    ],
    core: { ...emptyStats(), reads },
    faults: { eventBuildErrors: 0, sweepErrors: 0, ingestFailures: 0 },
    bus: { emitted: 2, listenerErrors: {}, journalErrors: 0 },
    store: {
      path: ':memory:',
      diskFull: false,
      diskFullSince: null,
      lastError: null,
      lastErrorAt: null,
      reserveBytes: 0,
      reserveAvailable: false,
      freeBytes: null,
      buffered: 0,
      bufferLimit: 10_000,
      droppedFromMemory: 0,
    },
    outbox: {
      depth: 3,
      bytes: 900,
      oldestCommittedAt: at - 250,
      lastSeq: 9,
      ackedThroughSeq: 6,
      dropped: { 'tag.present': 2, 'tag.moved': 1 },
      deadLettered: 0,
      buffered: 0,
      diskFull: false,
      droppedFromMemory: 0,
    },
    broker: {
      connected: true,
      connects: 1,
      disconnects: 0,
      reconnectAttempts: 0,
      lastError: null,
      url: 'mqtt://broker-b:1883',
      node: 1,
      moves: 2,
    },
    memory: { rssBytes: 70e6, heapUsedBytes: 20e6 },
    features: { rules: { fired: 1 } },
  };
}

const loop: LoopWindow = {
  take: (): LoopFigures => ({ p50Ms: 0.5, p99Ms: 2, maxMs: 3.25, utilization: 0.012345, sampled: true }),
  close: () => {},
};

describe('MetricsPayloads', () => {
  it('renders counters as they stand and rates since the previous reading', () => {
    const payloads = new MetricsPayloads(loop);
    const first = payloads.next(reading(T0 + 10_000, 100, [[1, 100]]));
    expect(first.readers.shelf).toMatchObject({ reads: 100, readsPerSec: 0, antennas: { '1': 0 } });

    const second = payloads.next(
      reading(T0 + 20_000, 600, [
        [1, 300],
        [2, 300],
      ]),
    );
    expect(second).toEqual({
      ts: '2026-11-30T10:00:20.000Z',
      uptimeSec: 20,
      readers: {
        shelf: {
          state: 'online',
          reads: 600,
          readsPerSec: 50,
          antennas: { '1': 20, '2': 30 },
          frames: 600,
          decodeErrors: 0,
          droppedBytes: 0,
          stalls: 0,
          faults: 0,
          missedPolls: 0,
        },
      },
      core: { ...emptyStats(), reads: 600 },
      eventLoopLagMs: { p50: 0.5, p99: 2, max: 3.25 },
      eventLoopUtilization: 0.0123,
      memory: { rssBytes: 70e6, heapUsedBytes: 20e6 },
      outbox: { depth: 3, bytes: 900, oldestAgeMs: 250, dropped: 3, deadLettered: 0 },
      broker: { connected: true, connects: 1, disconnects: 0, url: 'mqtt://broker-b:1883', moves: 2 },
      bus: { emitted: 2, listenerErrors: {}, journalErrors: 0 },
      faults: { eventBuildErrors: 0, sweepErrors: 0, ingestFailures: 0 },
      store: reading(0, 0, []).store,
      rules: { fired: 1 },
    });
  });
});
