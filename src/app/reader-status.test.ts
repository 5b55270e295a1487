import { describe, expect, it } from 'vitest';
import type { EventBody } from '../shared/events.js';
import { ReaderStatus } from './reader-status.js';

function setup() {
  const bodies: EventBody[] = [];
  return { status: new ReaderStatus('door', (body) => bodies.push(body)), bodies };
}

describe('ReaderStatus', () => {
  it('starts offline and publishes nothing until a change', () => {
    const { status, bodies } = setup();
    expect(status.state).toBe('offline');
    expect(bodies).toEqual([]);
  });

  it('says each change of state with the reason and detail the contract gives it', () => {
    const { status, bodies } = setup();
    status.online();
    status.stalled(2500, 1000);
    status.offline({ state: 'offline', reason: 'unplugged', attempt: 2, retryInMs: 1000 });
    // A transport that gave up (or was stopped) has no retry to announce.
    status.offline({ state: 'offline', reason: 'stopped', attempt: 1, retryInMs: null });
    status.startupFailed('start-up step "hello" failed: timeout', 3, 4000);
    expect(bodies).toEqual([
      { type: 'reader.status', reader: 'door', state: 'online' },
      {
        type: 'reader.status',
        reader: 'door',
        state: 'stalled',
        reason: 'no traffic for 2500 ms (expected every 1000 ms)',
        detail: { silentMs: 2500, expectedEveryMs: 1000 },
      },
      {
        type: 'reader.status',
        reader: 'door',
        state: 'offline',
        reason: 'unplugged',
        detail: { attempt: 2, retryInMs: 1000 },
      },
      { type: 'reader.status', reader: 'door', state: 'offline', reason: 'stopped', detail: { attempt: 1 } },
      {
        type: 'reader.status',
        reader: 'door',
        state: 'error',
        reason: 'start-up step "hello" failed: timeout',
        detail: { attempt: 3, retryInMs: 4000 },
      },
    ]);
    expect(status.state).toBe('error');
  });

  it('keeps a reader that reports a warning online; only level error is an error', () => {
    const { status, bodies } = setup();
    status.health({ kind: 'status', level: 'warning', code: 'over-temperature', temperatureC: 71 });
    expect(status.state).toBe('online');
    status.health({ kind: 'status', level: 'error', code: 'antenna-missing', detail: 'antenna 1' });
    expect(status.state).toBe('error');
    expect(bodies).toEqual([
      {
        type: 'reader.status',
        reader: 'door',
        state: 'online',
        detail: { code: 'over-temperature', level: 'warning', temperatureC: 71 },
      },
      {
        type: 'reader.status',
        reader: 'door',
        state: 'error',
        reason: 'antenna 1',
        detail: { code: 'antenna-missing', level: 'error' },
      },
    ]);
  });
});
