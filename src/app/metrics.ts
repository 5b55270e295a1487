import type { MetricsPayload, ReaderMetrics } from '../shared/payloads.js';
import type { Figures, LoopWindow } from './figures.js';

export type { MetricsPayload, ReaderMetrics };

/** To one decimal (rates), or four (utilization). */
const round1 = (value: number) => Math.round(value * 10) / 10;
const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

/**
 * `<base>/metrics` payloads from readings of the gateway's figures: counters as they stand, rates
 * from the difference with the previous reading, so the payload says what happened since the last
 * one; the event loop over the same interval (its own window of the loop monitor).
 */
export class MetricsPayloads {
  private previous: Figures | undefined;

  constructor(private readonly loop: LoopWindow) {}

  next(figures: Figures): MetricsPayload {
    const previous = this.previous;
    this.previous = figures;
    const seconds = previous ? Math.max((figures.at - previous.at) / 1000, 0.001) : 0;
    const readers: Record<string, ReaderMetrics> = {};
    for (const [index, device] of figures.devices.entries()) {
      // The same devices in the same order every time (the config's), so the index finds it.
      const same = previous?.devices[index];
      const before =
        same?.id === device.id ? same : previous?.devices.find((candidate) => candidate.id === device.id);
      const antennas: Record<string, number> = {};
      for (const [antenna, reads] of device.antennaReads) {
        let earlier = 0;
        if (before)
          for (const [number, count] of before.antennaReads) if (number === antenna) earlier = count;
        antennas[antenna] = seconds > 0 ? round1((reads - earlier) / seconds) : 0;
      }
      const { counters } = device;
      readers[device.id] = {
        state: device.state,
        reads: counters.reads,
        readsPerSec: before && seconds > 0 ? round1((counters.reads - before.counters.reads) / seconds) : 0,
        antennas,
        frames: counters.frames,
        decodeErrors: counters.errors,
        droppedBytes: counters.droppedBytes,
        stalls: counters.stalls,
        faults: counters.faults,
        missedPolls: counters.missedPolls,
      };
    }
    const loop = this.loop.take();
    const payload: MetricsPayload = {
      ts: new Date(figures.at).toISOString(),
      uptimeSec: Math.round((figures.at - figures.startedAt) / 1000),
      readers,
      core: { ...figures.core },
      eventLoopLagMs: { p50: loop.p50Ms, p99: loop.p99Ms, max: loop.maxMs },
      eventLoopUtilization: round4(loop.utilization),
      memory: figures.memory,
    };
    const { outbox, broker } = figures;
    if (outbox) {
      let dropped = 0;
      for (const count of Object.values(outbox.dropped)) dropped += count;
      payload.outbox = {
        depth: outbox.depth,
        bytes: outbox.bytes,
        oldestAgeMs: outbox.oldestCommittedAt === null ? null : figures.at - outbox.oldestCommittedAt,
        dropped,
        deadLettered: outbox.deadLettered,
      };
    }
    if (broker)
      payload.broker = {
        connected: broker.connected,
        connects: broker.connects,
        disconnects: broker.disconnects,
        url: broker.url,
        moves: broker.moves,
      };
    payload.bus = figures.bus;
    payload.faults = figures.faults;
    payload.store = figures.store;
    return Object.assign(payload, figures.features);
  }

  close(): void {
    this.loop.close();
  }
}
