import { describe, expect, it, onTestFinished } from 'vitest';
import { silentLogger } from '../../observability/logger.js';
import { VirtualClock } from '../../shared/clock.js';
import type { EventBody } from '../../shared/events.js';
import type { Bus } from '../../shared/extension.js';
import { Store } from '../../store/index.js';
import { CurrentSession } from './current-session.js';
import { SessionStore } from './session-store.js';

const T0 = Date.parse('2026-11-30T10:00:00.000Z');

/**
 * A session on a real SQLite store. The bus keeps the events it is given and commits through the
 * store; `refuseCommits(n)` makes the next n commits fail after their writes, as a full disk does.
 */
function setup() {
  const clock = new VirtualClock(T0);
  const store = Store.open({ dataDir: ':memory:', clock, logger: silentLogger() });
  onTestFinished(() => store.close());
  const sessions = new SessionStore(store);
  const events: EventBody[] = [];
  let refusals = 0;
  const bus = {
    emit: (body: EventBody) => void events.push(body),
    transaction: <T>(fn: () => T): T => {
      const kept = events.length;
      try {
        return store.transaction(() => {
          const result = fn();
          if (refusals > 0) {
            refusals -= 1;
            throw new Error('database or disk is full');
          }
          return result;
        });
      } catch (error) {
        events.length = kept;
        throw error;
      }
    },
  } as unknown as Bus;
  const session = new CurrentSession('fridge-1', { bus, clock, logger: silentLogger(), sessions });
  const refuseCommits = (count: number) => {
    refusals = count;
  };
  return { clock, sessions, events, session, refuseCommits };
}

describe('CurrentSession', () => {
  it('opens a session with its purchase.started in one commit', () => {
    const { session, sessions, events } = setup();
    const record = session.open({ id: 's1', customer: 'c-ana', via: 'card' }, T0);
    expect(session.record).toEqual(record);
    expect(sessions.get('s1')).toMatchObject({ state: 'authorised', customer: 'c-ana', startedAt: T0 });
    expect(events).toEqual([
      { type: 'purchase.started', session: 's1', cabinet: 'fridge-1', customer: 'c-ana', via: 'card' },
    ]);
  });

  it('opens nothing when the store refuses: no record, no event', () => {
    const { session, sessions, events, refuseCommits } = setup();
    refuseCommits(1);
    expect(() => session.open({ id: 's1', customer: 'c-ana', via: 'request' }, T0)).toThrow(/disk is full/);
    expect(session.record).toBeUndefined();
    expect(sessions.get('s1')).toBeUndefined();
    expect(events).toEqual([]);
  });

  it('keeps a session where it was when a transition is refused, and counts that as a fault of it', () => {
    const { clock, session, sessions, refuseCommits } = setup();
    session.open({ id: 's1', customer: 'c-ana', via: 'card' }, T0);
    clock.advanceTo(T0 + 5_000);
    refuseCommits(1);
    expect(session.transition({ state: 'open', openedAt: clock.now() })).toBe(false);
    expect(session.record).toMatchObject({ state: 'authorised', openedAt: null });
    expect(sessions.get('s1')).toMatchObject({ state: 'authorised', openedAt: null });
    expect([...session.faults]).toEqual(['a session state could not be stored']);
    expect(session.transition({ state: 'open', openedAt: clock.now() })).toBe(true);
    expect(sessions.get('s1')).toMatchObject({ state: 'open', openedAt: T0 + 5_000, updatedAt: T0 + 5_000 });
  });

  it('ends a session with its outcome event, or leaves it untouched when the store refuses', () => {
    const { session, sessions, events, refuseCommits } = setup();
    session.open({ id: 's1', customer: 'c-ana', via: 'card' }, T0);
    session.fault('fridge stalled');
    const cancelled = {
      type: 'purchase.cancelled',
      session: 's1',
      cabinet: 'fridge-1',
      customer: 'c-ana',
      reason: 'door_not_opened',
    } as const;
    refuseCommits(1);
    expect(session.finish('cancelled', cancelled)).toBe(false);
    expect(session.record).toMatchObject({ id: 's1', state: 'authorised' });
    expect(sessions.get('s1')).toMatchObject({ state: 'authorised', outcome: null });
    expect([...session.faults]).toEqual(['fridge stalled']);
    expect(session.finish('cancelled', cancelled)).toBe(true);
    expect(session.record).toBeUndefined();
    expect([...session.faults]).toEqual([]);
    expect(sessions.get('s1')).toMatchObject({ state: 'cancelled', outcome: cancelled });
    expect(events.map((event) => event.type)).toEqual(['purchase.started', 'purchase.cancelled']);
  });
});
