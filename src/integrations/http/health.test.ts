import { describe, expect, it } from 'vitest';
import { assessHealth, type DeviceHealth, type HealthInput } from './health.js';

const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const limits = { readerOfflineMs: 60_000, outboxUndrainedMs: 300_000 };

function input(overrides: Partial<HealthInput> = {}): HealthInput {
  return {
    now: T0 + 600_000,
    devices: new Map<string, DeviceHealth>([['fridge', { state: 'online', since: T0 }]]),
    store: { diskFull: false, diskFullSince: null },
    ...overrides,
  };
}

describe('assessHealth', () => {
  it('is ok with every device online, an empty outbox and the broker connected', () => {
    const report = assessHealth(
      input({
        outbox: { depth: 0, oldestCommittedAt: null, ackedThroughSeq: 41 },
        broker: { disconnectedSince: undefined },
      }),
      limits,
    );
    expect(report).toEqual({
      status: 'ok',
      ts: '2026-11-30T10:10:00.000Z',
      reasons: [],
      readers: { fridge: { state: 'online', since: '2026-11-30T10:00:00.000Z' } },
      outbox: { depth: 0, oldestAgeMs: null },
      broker: { connected: true },
      store: { diskFull: false },
    });
  });

  it('turns unhealthy when an actuator has been in fault longer than the device limit', () => {
    const recent = new Map([['buzzer', { since: T0 + 590_000, reason: 'device offline' }]]);
    expect(assessHealth(input({ actuators: recent }), limits)).toMatchObject({
      status: 'ok',
      actuators: { buzzer: { fault: 'device offline', since: '2026-11-30T10:09:50.000Z' } },
    });
    const old = new Map([
      ['lock', { since: T0, reason: '/dev/ttyUSB1@9600 is offline: cannot write 4 bytes' }],
    ]);
    expect(assessHealth(input({ actuators: old }), limits)).toMatchObject({
      status: 'unhealthy',
      reasons: [
        'actuator lock in fault since 2026-11-30T10:00:00.000Z (600.0 s, longer than readerOfflineMs 60000 ms): /dev/ttyUSB1@9600 is offline: cannot write 4 bytes',
      ],
    });
  });

  it('counts a reader in error (it does not read) like one offline', () => {
    const devices = new Map<string, DeviceHealth>([
      ['fridge', { state: 'error', since: T0, reason: 'start-up step "region" failed: timeout' }],
      ['io', { state: 'offline', since: T0 + 590_000 }],
    ]);
    expect(assessHealth(input({ devices }), limits).reasons).toEqual([
      'reader fridge in error since 2026-11-30T10:00:00.000Z (600.0 s, longer than readerOfflineMs 60000 ms): start-up step "region" failed: timeout',
    ]);
  });

  it('is unhealthy at once when the disk is full: events are being dropped, not delayed', () => {
    const report = assessHealth(input({ store: { diskFull: true, diskFullSince: T0 + 599_000 } }), limits);
    expect(report.status).toBe('unhealthy');
    expect(report.store).toEqual({ diskFull: true, since: '2026-11-30T10:09:59.000Z' });
    expect(report.reasons).toEqual([
      'store disk full since 2026-11-30T10:09:59.000Z: the oldest low-value events are being dropped',
    ]);
  });

  it('gives the broker the outbox limit: an idle gateway has nothing in its outbox to age', () => {
    const broker = (sinceMs: number) =>
      assessHealth(input({ broker: { disconnectedSince: T0 + sinceMs } }), limits).reasons;
    expect(broker(300_000)).toEqual([]);
    expect(broker(299_999)).toEqual([
      'broker disconnected since 2026-11-30T10:04:59.999Z (300.0 s, longer than outboxUndrainedMs 300000 ms)',
    ]);
  });
});
