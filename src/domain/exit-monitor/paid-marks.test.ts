import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../observability/logger.js';
import { VirtualClock } from '../../shared/clock.js';
import { Store } from '../../store/index.js';
import { PaidMarks } from './paid-marks.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const MINUTE = 60_000;
const stores: Store[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function setup() {
  const clock = new VirtualClock(T0);
  const store = Store.open({ dataDir: ':memory:', clock, logger: silentLogger() });
  stores.push(store);
  return { clock, store, marks: new PaidMarks(store) };
}

describe('paid marks', () => {
  it('are paid until their time, and not from that very millisecond on', () => {
    const { clock, marks } = setup();
    marks.mark({
      tag: 'AA01',
      untilMs: T0 + 5 * MINUTE,
      markedAtMs: T0,
      source: 'request',
      reference: 'R-1',
    });
    expect(marks.isPaid('AA01', clock.now())).toBe(true);
    expect(marks.isPaid('AA02', clock.now())).toBe(false);
    clock.advanceTo(T0 + 5 * MINUTE - 1);
    expect(marks.isPaid('AA01', clock.now())).toBe(true);
    clock.advanceTo(T0 + 5 * MINUTE);
    expect(marks.isPaid('AA01', clock.now())).toBe(false);
    // Expired but not purged: still there to say why an alarm went off.
    expect(marks.get('AA01')).toEqual({
      tag: 'AA01',
      untilMs: T0 + 5 * MINUTE,
      markedAtMs: T0,
      source: 'request',
      reference: 'R-1',
    });
  });

  it('are extended by a later mark and never shortened by one', () => {
    const { marks } = setup();
    marks.mark({
      tag: 'AA01',
      untilMs: T0 + 60 * MINUTE,
      markedAtMs: T0,
      source: 'purchase',
      reference: 's1',
    });
    marks.mark({ tag: 'AA01', untilMs: T0 + 2 * MINUTE, markedAtMs: T0 + MINUTE, source: 'request' });
    expect(marks.get('AA01')).toMatchObject({
      untilMs: T0 + 60 * MINUTE,
      source: 'purchase',
      reference: 's1',
    });
    marks.mark({ tag: 'AA01', untilMs: T0 + 90 * MINUTE, markedAtMs: T0 + MINUTE, source: 'request' });
    expect(marks.get('AA01')).toEqual({
      tag: 'AA01',
      untilMs: T0 + 90 * MINUTE,
      markedAtMs: T0 + MINUTE,
      source: 'request',
    });
  });

  it('purge deletes the expired marks only, and tells when the next one expires', () => {
    const { marks } = setup();
    expect(marks.nextExpiry()).toBeUndefined();
    marks.mark({ tag: 'AA01', untilMs: T0 + MINUTE, markedAtMs: T0, source: 'request' });
    marks.mark({ tag: 'AA02', untilMs: T0 + 2 * MINUTE, markedAtMs: T0, source: 'request' });
    marks.mark({ tag: 'AA03', untilMs: T0 + 3 * MINUTE, markedAtMs: T0, source: 'purchase' });
    expect(marks.nextExpiry()).toBe(T0 + MINUTE);
    expect(marks.purge(T0 + MINUTE - 1)).toBe(0);
    expect(marks.purge(T0 + 2 * MINUTE)).toBe(2);
    expect(marks.count()).toBe(1);
    expect(marks.get('AA01')).toBeUndefined();
    expect(marks.nextExpiry()).toBe(T0 + 3 * MINUTE);
  });

  it('roll back with the transaction they were written in', () => {
    const { store, marks } = setup();
    expect(() =>
      store.transaction(() => {
        marks.mark({ tag: 'AA01', untilMs: T0 + MINUTE, markedAtMs: T0, source: 'request' });
        throw new Error('the event was refused');
      }),
    ).toThrow('the event was refused');
    expect(marks.count()).toBe(0);
  });

  it('migrate once per store: a second PaidMarks on the same store sees the first one’s rows', () => {
    const { store, marks } = setup();
    marks.mark({ tag: 'AA01', untilMs: T0 + MINUTE, markedAtMs: T0, source: 'request' });
    expect(new PaidMarks(store).isPaid('AA01', T0)).toBe(true);
  });
});
