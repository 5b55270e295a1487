/**
 * The behaviour every `Outbox` implementation must have, as a vitest suite any implementation can
 * run: `describeOutboxContract('MyOutbox', () => harness)`.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/shared/clock.js';
import type { GatewayEvent } from '../../../src/shared/events.js';
import { type Outbox, priorityOf } from '../../../src/store/types.js';
import { appendEvents, makeEvent } from './store.js';

export interface OutboxHarness {
  /**
   * Opens the outbox on this harness's storage; again after `close()` it is a restart. Opening
   * while an earlier instance is still open, never closing that one, stands for a crash of it.
   */
  open(bounds?: { maxRows?: number; maxBytes?: number }): Outbox;
  /** Releases the storage without closing what is still open. */
  dispose(): void;
}

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const EVERYTHING = 1_000_000;

function seqsOf(outbox: Outbox): number[] {
  return outbox.pending(0, EVERYTHING).map((record) => record.seq);
}

export function describeOutboxContract(name: string, factory: (clock: VirtualClock) => OutboxHarness): void {
  describe(`Outbox contract: ${name}`, () => {
    let harness: OutboxHarness | undefined;
    let clock = new VirtualClock(T0);
    const open = (bounds?: { maxRows?: number; maxBytes?: number }) => {
      harness ??= factory(clock);
      return harness.open(bounds);
    };
    afterEach(() => {
      harness?.dispose();
      harness = undefined;
      clock = new VirtualClock(T0);
    });

    it('numbers a fresh outbox from 1 and returns committed events in seq order, as published', () => {
      const outbox = open();
      expect(outbox.nextSeq()).toBe(1);
      const events = appendEvents(outbox, ['tag.arrived', 'purchase.completed', 'sensor.changed']);
      expect(outbox.commit()).toEqual({ committed: 3, dropped: 0 });
      const records = outbox.pending(0, 10);
      expect(records.map((record) => record.seq)).toEqual([1, 2, 3]);
      expect(records.map((record) => record.id)).toEqual(events.map((event) => event.id));
      expect(records.map((record) => record.type)).toEqual([
        'tag.arrived',
        'purchase.completed',
        'sensor.changed',
      ]);
      expect(records.map((record) => JSON.parse(record.payload) as GatewayEvent)).toEqual(events);
      expect(records.every((record) => record.committedAt === T0)).toBe(true);
      expect(outbox.nextSeq()).toBe(4);
      outbox.close();
    });

    it('hands out a seq only to the event appended with it', () => {
      const outbox = open();
      expect(outbox.nextSeq()).toBe(1);
      expect(outbox.nextSeq()).toBe(1);
      expect(() => outbox.append(makeEvent(2, 'tag.arrived'))).toThrow(/next seq is 1/);
      outbox.append(makeEvent(1, 'tag.arrived'));
      expect(() => outbox.append(makeEvent(1, 'tag.arrived'))).toThrow(/next seq is 2/);
      expect(outbox.nextSeq()).toBe(2);
      outbox.close();
    });

    it('keeps appended events out of pending until commit', () => {
      const outbox = open();
      appendEvents(outbox, ['tag.arrived', 'tag.departed']);
      expect(outbox.pending(0, 10)).toEqual([]);
      expect(outbox.stats()).toMatchObject({ buffered: 2, depth: 0, lastSeq: 0 });
      outbox.commit();
      expect(outbox.stats()).toMatchObject({ buffered: 0, depth: 2, lastSeq: 2 });
      expect(outbox.commit()).toEqual({ committed: 0, dropped: 0 });
      outbox.close();
    });

    it('returns pending events after a seq, at most limit of them', () => {
      const outbox = open();
      appendEvents(outbox, Array(10).fill('sensor.changed'));
      outbox.commit();
      expect(outbox.pending(3, 4).map((record) => record.seq)).toEqual([4, 5, 6, 7]);
      expect(outbox.pending(8, 100).map((record) => record.seq)).toEqual([9, 10]);
      expect(outbox.pending(10, 100)).toEqual([]);
      outbox.close();
    });

    it('removes acknowledged events; ackedThroughSeq advances only over a gap-free prefix', () => {
      const outbox = open();
      appendEvents(outbox, Array(5).fill('tag.arrived'));
      outbox.commit();
      outbox.markSent([2]);
      expect(seqsOf(outbox)).toEqual([1, 3, 4, 5]);
      expect(outbox.stats()).toMatchObject({ depth: 4, ackedThroughSeq: 0 });
      outbox.markSent([1, 3]);
      expect(seqsOf(outbox)).toEqual([4, 5]);
      const stats = outbox.stats();
      expect(stats).toMatchObject({ depth: 2, ackedThroughSeq: 3, lastSeq: 5 });
      const remaining = outbox
        .pending(0, 10)
        .reduce((sum, record) => sum + Buffer.byteLength(record.payload), 0);
      expect(stats.bytes).toBe(remaining);
      outbox.close();
    });

    it('says which event is the oldest pending after every change, read between them', () => {
      const outbox = open();
      expect(outbox.stats()).toMatchObject({ oldestCommittedAt: null, ackedThroughSeq: 0 });
      appendEvents(outbox, ['tag.arrived', 'tag.arrived']);
      expect(outbox.stats().oldestCommittedAt).toBeNull();
      outbox.commit();
      expect(outbox.stats()).toMatchObject({ oldestCommittedAt: T0, ackedThroughSeq: 0 });
      clock.advanceTo(T0 + 1000);
      appendEvents(outbox, ['tag.departed', 'tag.departed']);
      outbox.commit();
      expect(outbox.stats()).toMatchObject({ oldestCommittedAt: T0, ackedThroughSeq: 0 });
      outbox.markSent([1, 2]);
      expect(outbox.stats()).toMatchObject({ oldestCommittedAt: T0 + 1000, ackedThroughSeq: 2 });
      outbox.deadLetter(3, 'not authorised (PUBACK reason code 135)');
      expect(outbox.stats()).toMatchObject({ oldestCommittedAt: T0 + 1000, ackedThroughSeq: 3 });
      outbox.markSent([4]);
      expect(outbox.stats()).toMatchObject({ oldestCommittedAt: null, ackedThroughSeq: 4, depth: 0 });
      outbox.close();
    });

    it('ignores acknowledgements of unknown or already acknowledged seqs', () => {
      const outbox = open();
      appendEvents(outbox, ['tag.arrived', 'tag.arrived']);
      outbox.commit();
      outbox.markSent([1, 1, 99, -1]);
      outbox.markSent([]);
      expect(seqsOf(outbox)).toEqual([2]);
      expect(outbox.stats().depth).toBe(1);
      outbox.close();
    });

    it('continues after a restart: seq numbering, unacknowledged events, and events buffered at close', () => {
      const first = open();
      appendEvents(first, ['tag.arrived', 'purchase.completed', 'tag.departed']);
      first.commit();
      first.markSent([1]);
      const buffered = appendEvents(first, ['sensor.changed']);
      first.close();
      first.close();
      const second = open();
      expect(seqsOf(second)).toEqual([2, 3, 4]);
      expect(second.pending(3, 1)[0]?.id).toBe(buffered[0]?.id);
      expect(second.nextSeq()).toBe(5);
      expect(second.stats()).toMatchObject({ depth: 3, lastSeq: 4, ackedThroughSeq: 1, buffered: 0 });
      second.close();
    });

    it('never reuses a seq, even when every event was acknowledged', () => {
      const first = open();
      appendEvents(first, Array(4).fill('tag.arrived'));
      first.commit();
      first.markSent([1, 2, 3, 4]);
      first.close();
      const second = open();
      expect(second.pending(0, 10)).toEqual([]);
      expect(second.nextSeq()).toBe(5);
      expect(second.stats()).toMatchObject({
        depth: 0,
        lastSeq: 4,
        ackedThroughSeq: 4,
        oldestCommittedAt: null,
      });
      second.close();
    });

    it('after a crash, keeps what was committed and numbers on from it without a gap', () => {
      const crashed = open();
      appendEvents(crashed, ['tag.arrived', 'purchase.completed', 'tag.arrived']);
      crashed.commit();
      appendEvents(crashed, ['tag.departed', 'tag.departed']); // never committed: lost with the process
      const restarted = open();
      expect(seqsOf(restarted)).toEqual([1, 2, 3]);
      expect(restarted.nextSeq()).toBe(4);
      appendEvents(restarted, ['security.alarm']);
      restarted.commit();
      expect(seqsOf(restarted)).toEqual([1, 2, 3, 4]);
      expect(restarted.pending(3, 1)[0]?.type).toBe('security.alarm');
      restarted.close();
    });

    it('when full, drops the oldest low events, then the oldest normal ones, never critical ones', () => {
      const outbox = open({ maxRows: 4 });
      appendEvents(outbox, [
        'tag.arrived', // 1 low
        'purchase.completed', // 2 critical
        'sensor.changed', // 3 normal
        'tag.departed', // 4 low
        'security.alarm', // 5 critical
        'inventory.snapshot', // 6 low
        'reader.status', // 7 normal
      ]);
      expect(outbox.commit()).toEqual({ committed: 7, dropped: 3 });
      expect(seqsOf(outbox)).toEqual([2, 3, 5, 7]);
      appendEvents(outbox, ['sensor.changed', 'purchase.started']);
      expect(outbox.commit()).toEqual({ committed: 2, dropped: 2 });
      expect(seqsOf(outbox)).toEqual([2, 5, 8, 9]);
      expect(outbox.stats()).toMatchObject({
        depth: 4,
        lastSeq: 9,
        dropped: {
          'tag.arrived': 1,
          'tag.departed': 1,
          'inventory.snapshot': 1,
          'sensor.changed': 1,
          'reader.status': 1,
        },
      });
      outbox.close();
    });

    it('keeps every purchase and alarm past its bound, dropping anything else that arrives', () => {
      const outbox = open({ maxRows: 2 });
      appendEvents(outbox, [
        'purchase.completed',
        'security.alarm',
        'purchase.completed',
        'purchase.cancelled',
      ]);
      expect(outbox.commit()).toEqual({ committed: 4, dropped: 0 });
      appendEvents(outbox, ['tag.arrived', 'sensor.changed', 'purchase.completed']);
      expect(outbox.commit()).toEqual({ committed: 3, dropped: 2 });
      expect(seqsOf(outbox)).toEqual([1, 2, 3, 4, 7]);
      expect(outbox.stats().depth).toBe(5);
      outbox.close();
    });

    it('counts drops per type across restarts', () => {
      const first = open({ maxRows: 1 });
      appendEvents(first, ['tag.arrived', 'tag.arrived', 'tag.arrived']);
      first.commit();
      first.close();
      const second = open({ maxRows: 1 });
      expect(second.stats().dropped).toEqual({ 'tag.arrived': 2 });
      appendEvents(second, ['tag.arrived']);
      second.commit();
      expect(second.stats().dropped).toEqual({ 'tag.arrived': 3 });
      expect(seqsOf(second)).toEqual([4]);
      second.close();
    });

    it('bounds the bytes of pending payloads', () => {
      const probe = JSON.stringify(makeEvent(10, 'tag.arrived'));
      const outbox = open({ maxBytes: Buffer.byteLength(probe) * 3 + 10 });
      appendEvents(outbox, Array(5).fill('tag.arrived'));
      // Seqs 1-5 serialise to the same length as seq 10 give or take one digit.
      expect(outbox.commit()).toEqual({ committed: 5, dropped: 2 });
      expect(seqsOf(outbox)).toEqual([3, 4, 5]);
      const stats = outbox.stats();
      expect(stats.bytes).toBe(
        outbox.pending(0, 10).reduce((sum, r) => sum + Buffer.byteLength(r.payload), 0),
      );
      expect(stats.bytes).toBeLessThanOrEqual(Buffer.byteLength(probe) * 3 + 10);
      outbox.close();
    });

    it('sets refused events aside as dead letters, persistently', () => {
      const first = open();
      appendEvents(first, ['tag.arrived', 'purchase.completed', 'tag.arrived']);
      first.commit();
      first.deadLetter(1, 'not authorised (PUBACK reason code 135)');
      first.deadLetter(1, 'again');
      expect(seqsOf(first)).toEqual([2, 3]);
      expect(first.stats()).toMatchObject({ deadLettered: 1, depth: 2, ackedThroughSeq: 1 });
      first.close();
      const second = open();
      expect(second.stats()).toMatchObject({ deadLettered: 1, depth: 2 });
      expect(seqsOf(second)).toEqual([2, 3]);
      second.close();
    });

    it('reports depth, bytes and the commit time of the oldest pending event', () => {
      const outbox = open();
      // diskFull and droppedFromMemory are optional: an implementation without a disk may omit them.
      const { diskFull, droppedFromMemory, ...stats } = outbox.stats();
      expect({ diskFull: diskFull ?? false, droppedFromMemory: droppedFromMemory ?? 0 }).toEqual({
        diskFull: false,
        droppedFromMemory: 0,
      });
      expect(stats).toEqual({
        depth: 0,
        bytes: 0,
        oldestCommittedAt: null,
        lastSeq: 0,
        ackedThroughSeq: 0,
        dropped: {},
        deadLettered: 0,
        buffered: 0,
      });
      appendEvents(outbox, ['tag.arrived']);
      outbox.commit();
      clock.advanceTo(T0 + 1500);
      appendEvents(outbox, ['tag.arrived']);
      outbox.commit();
      expect(outbox.stats().oldestCommittedAt).toBe(T0);
      outbox.markSent([1]);
      expect(outbox.stats().oldestCommittedAt).toBe(T0 + 1500);
      expect(outbox.pending(0, 1)[0]?.committedAt).toBe(T0 + 1500);
      outbox.close();
    });

    it('matches a model under random appends, commits, acknowledgements, dead letters and restarts', () => {
      const types = ['tag.arrived', 'tag.departed', 'sensor.changed', 'purchase.completed', 'security.alarm'];
      const operation = fc.oneof(
        fc.record({
          op: fc.constant('append' as const),
          types: fc.array(fc.constantFrom(...types), { maxLength: 6 }),
        }),
        fc.record({ op: fc.constant('commit' as const) }),
        fc.record({ op: fc.constant('ack' as const), pick: fc.array(fc.nat(20), { maxLength: 4 }) }),
        fc.record({ op: fc.constant('deadLetter' as const), pick: fc.nat(20) }),
        fc.record({ op: fc.constant('restart' as const) }),
      );
      fc.assert(
        fc.property(
          fc.array(operation, { maxLength: 25 }),
          fc.integer({ min: 1, max: 8 }),
          (operations, maxRows) => {
            harness?.dispose();
            harness = undefined;
            let outbox = open({ maxRows });
            // The model: committed, unacknowledged events as [seq, type], and the buffered ones.
            let committed: [number, string][] = [];
            let buffered: [number, string][] = [];
            let lastSeq = 0;
            const commitModel = () => {
              committed.push(...buffered);
              if (buffered.length > 0) lastSeq = buffered[buffered.length - 1]?.[0] ?? lastSeq;
              buffered = [];
              for (const priority of ['low', 'normal'] as const) {
                while (committed.length > maxRows) {
                  const index = committed.findIndex(([, type]) => priorityOf(type) === priority);
                  if (index < 0) break;
                  committed.splice(index, 1);
                }
              }
            };
            for (const step of operations) {
              if (step.op === 'append') {
                for (const event of appendEvents(outbox, step.types)) buffered.push([event.seq, event.type]);
              } else if (step.op === 'commit') {
                outbox.commit();
                commitModel();
              } else if (step.op === 'ack') {
                const seqs = step.pick.map(
                  (index) => committed[index % Math.max(1, committed.length)]?.[0] ?? 0,
                );
                outbox.markSent(seqs);
                committed = committed.filter(([seq]) => !seqs.includes(seq));
              } else if (step.op === 'deadLetter') {
                const seq = committed[step.pick % Math.max(1, committed.length)]?.[0] ?? 0;
                outbox.deadLetter(seq, 'refused');
                committed = committed.filter(([kept]) => kept !== seq);
              } else {
                outbox.close();
                commitModel();
                outbox = open({ maxRows });
              }
              expect(seqsOf(outbox)).toEqual(committed.map(([seq]) => seq));
              expect(outbox.nextSeq()).toBe(lastSeq + buffered.length + 1);
              expect(outbox.stats().depth).toBe(committed.length);
            }
            outbox.close();
          },
        ),
        { numRuns: 40 },
      );
    });
  });
}
