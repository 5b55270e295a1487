import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { silentLogger } from '../observability/logger.js';
import { VirtualClock } from '../shared/clock.js';
import type { EventBody } from '../shared/events.js';
import type { TransportHandlers } from '../transport/types.js';
import { Readers } from './readers.js';

const START = Date.parse('2026-11-30T10:00:00.000Z');
const line = (text: string) => new TextEncoder().encode(`${text}\n`);

/** One `lines` sensor `io` as the config gives it; its bytes handed in (a replay) or from a port. */
function sensor(settings: { heartbeatMs?: number; stalledAfterMs?: number }, port?: 'interactive') {
  const clock = new VirtualClock(START);
  const bodies: EventBody[] = [];
  const config = configSchema.parse({
    sensors: [{ id: 'io', driver: 'lines', port: port ? '/dev/ttyACM0' : 'replay:io.jsonl', ...settings }],
  });
  let handlers: TransportHandlers | undefined;
  const readers = new Readers({
    config,
    clock,
    logger: silentLogger(),
    emit: (body) => bodies.push(body),
    ...(port
      ? {
          transportFor: () => ({
            target: 'pty',
            start: (given: TransportHandlers) => {
              handlers = given;
            },
            write: async () => {},
            stop: async () => {},
          }),
        }
      : {
          fed: () => ({ target: 'fed', start: () => {}, write: async () => {}, stop: async () => {} }),
        }),
  });
  readers.start();
  const io = readers.pipeline('io');
  if (!io) throw new Error('no io pipeline');
  const at = (ms: number, text?: string) => {
    clock.advanceTo(START + ms);
    if (text === undefined) return;
    if (handlers) handlers.data(line(text));
    else io.ingest(line(text));
  };
  const seen = () =>
    bodies.map((body) =>
      body.type === 'reader.status'
        ? `${body.state}${body.reason ? `: ${body.reason}` : ''}`
        : body.type === 'sensor.changed'
          ? `${body.channel}=${body.value}`
          : body.type,
    );
  return { at, seen, io, online: () => handlers?.status({ state: 'online' }) };
}

describe('lines heartbeat', () => {
  it('takes `heartbeat=` lines as liveness, not as a sensor: no sensor.changed however they change', () => {
    const { at, seen } = sensor({});
    at(0, 'heartbeat=1');
    at(1000, 'heartbeat=2');
    at(1500, 'door=open');
    at(2000, 'heartbeat=3');
    expect(seen()).toEqual(['door=open']);
  });

  it('stalls a device that promised a heartbeat and went silent, and has it online again at its next line', () => {
    const { at, seen, io } = sensor({ heartbeatMs: 1000 });
    at(0, 'heartbeat=1');
    at(1000, 'heartbeat=2');
    // Any valid line is traffic, a device log as much as a channel.
    at(2000, '# still here');
    at(3000, 'door=closed');
    at(5400);
    expect(seen()).toEqual(['door=closed']);
    // 2.5 heartbeats after the last line.
    at(5500);
    expect(seen()).toEqual(['door=closed', 'stalled: no traffic for 2500 ms (expected every 1000 ms)']);
    expect(io.counters.stalls).toBe(1);
    at(9000, 'heartbeat=3');
    expect(seen().at(-1)).toBe('online');
  });

  it('takes its own threshold, and never stalls a device without a heartbeat', () => {
    const watched = sensor({ heartbeatMs: 1000, stalledAfterMs: 5000 });
    watched.at(0, 'heartbeat=1');
    watched.at(4900);
    expect(watched.seen()).toEqual([]);
    watched.at(5000);
    expect(watched.seen()).toEqual(['stalled: no traffic for 5000 ms (expected every 1000 ms)']);
    const unwatched = sensor({});
    unwatched.at(0, 'door=open');
    unwatched.at(3_600_000);
    expect(unwatched.seen()).toEqual(['door=open']);
  });

  it('is online on a port only once its first line came, when it promised a heartbeat', () => {
    const { at, seen, online } = sensor({ heartbeatMs: 1000 }, 'interactive');
    online();
    at(500);
    expect(seen()).toEqual([]);
    at(800, 'heartbeat=1');
    expect(seen()).toEqual(['online']);
  });

  it('refuses a heartbeat out of range and a threshold without a heartbeat or shorter than it, naming the field', () => {
    const issues = (settings: Record<string, unknown>) => {
      const result = configSchema.safeParse({
        sensors: [{ id: 'io', driver: 'lines', port: '/dev/ttyACM0', ...settings }],
      });
      return result.success
        ? []
        : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(issues({ heartbeatMs: 1000 })).toEqual([]);
    expect(issues({ heartbeatMs: 50 })).toEqual([expect.stringMatching(/^sensors\.0\.heartbeatMs: /)]);
    expect(issues({ heartbeatMs: 3_600_000 })).toEqual([expect.stringMatching(/^sensors\.0\.heartbeatMs: /)]);
    expect(issues({ stalledAfterMs: 5000 })).toEqual([
      'sensors.0.stalledAfterMs: 5000 means nothing without heartbeatMs: a device that promises no traffic is never stalled',
    ]);
    expect(issues({ heartbeatMs: 5000, stalledAfterMs: 5000 })).toEqual([
      'sensors.0.stalledAfterMs: 5000 must be longer than heartbeatMs (5000), or every heartbeat would come too late',
    ]);
  });
});
