import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Sent, seqOf, setup } from '../../test/kits/mqtt/publisher.js';

describe('OutboxPublisher', () => {
  it('publishes committed events in seq order on events/<type>, at most the window in flight', () => {
    const { outbox, client, publisher, tick } = setup();
    outbox.add(10);
    client.connect();
    publisher.start();
    expect(client.events().map(seqOf)).toEqual([1, 2, 3, 4]);
    expect(client.sent[0]?.topic).toBe('rfid/gw1/events/sensor/changed');
    expect(client.sent[0]?.payload).toBe(outbox.rows.get(1)?.payload);
    expect(publisher.stats().inFlight).toBe(4);

    client.settle(client.sent[0] as Sent, { kind: 'acked' });
    expect(client.events().map(seqOf)).toEqual([1, 2, 3, 4, 5]);
    expect(outbox.markedSent).toEqual([]);
    tick();
    expect(outbox.markedSent).toEqual([1]);
  });

  it('marks an event sent only when its PUBACK arrives, whatever the order', () => {
    const { outbox, client, publisher, tick } = setup();
    outbox.add(4);
    client.connect();
    publisher.start();
    const [one, two, three] = client.sent as [Sent, Sent, Sent];
    client.settle(three, { kind: 'acked' });
    client.settle(one, { kind: 'acked' });
    tick();
    expect(outbox.markedSent.sort()).toEqual([1, 3]);
    expect(outbox.stats().ackedThroughSeq).toBe(1);
    client.settle(two, { kind: 'acked' });
    tick();
    expect(outbox.stats().ackedThroughSeq).toBe(3);
  });

  it('publishes from the lowest unacknowledged seq again after a reconnect, ignoring the old connection', () => {
    const { outbox, client, publisher, tick } = setup();
    outbox.add(6);
    client.connect();
    publisher.start();
    client.settle(client.sent[1] as Sent, { kind: 'acked' });
    client.drop();
    tick();
    expect(outbox.markedSent).toEqual([2]);
    expect(publisher.stats().unacknowledgedAtDisconnect).toBe(4);

    client.connect();
    expect(
      client
        .events()
        .filter((entry) => entry.connection === 2)
        .map(seqOf),
    ).toEqual([1, 3, 4, 5]);
    client.ackAll();
    client.ackAll();
    tick();
    expect(outbox.markedSent.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('dead-letters an event the broker refuses (MQTT 5 reason code) and goes on', () => {
    const { outbox, client, publisher, tick } = setup();
    outbox.add(2);
    client.connect();
    publisher.start();
    client.settle(client.sent[0] as Sent, {
      kind: 'rejected',
      reasonCode: 135,
      reason: 'Not authorized (reason code 135 / 0x87)',
    });
    client.ackAll();
    tick();
    expect(outbox.deadLetters.get(1)).toMatch(/rfid\/gw1\/events\/sensor\/changed: Not authorized .*135/);
    expect(outbox.markedSent).toEqual([2]);
    expect(publisher.stats().deadLettered).toBe(1);
  });

  it('dead-letters an event the broker closes the connection on each time it is alone on the wire (3.1.1), and goes on', () => {
    const { outbox, client, publisher, tick } = setup();
    outbox.add(6);
    client.connect();
    publisher.start();
    const inConnection = (connection: number) =>
      client
        .events()
        .filter((entry) => entry.connection === connection)
        .map(seqOf);
    // 1 goes through; the broker closes the connection on 2, twice with others on the wire.
    client.settle(client.sent[0] as Sent, { kind: 'acked' });
    client.drop();
    client.connect();
    expect(inConnection(2)).toEqual([2, 3, 4, 5]);
    client.drop();
    // Suspected: alone from now on, so that a close can only be its doing.
    for (const connection of [3, 4, 5]) {
      client.connect();
      expect(inConnection(connection)).toEqual([2]);
      expect(outbox.deadLetters.size).toBe(0);
      client.drop();
    }
    expect(outbox.deadLetters.get(2)).toMatch(/closed the connection at each of the last 3 publishes/);
    expect(publisher.stats().deadLettered).toBe(1);
    // The full window again, from the event after it.
    client.connect();
    expect(inConnection(6)).toEqual([3, 4, 5, 6]);
    client.ackAll();
    tick();
    expect(outbox.markedSent.sort((a, b) => a - b)).toEqual([1, 3, 4, 5, 6]);
  });

  it('takes no event for refused when the broker merely went away, nor for drops of its own', () => {
    const { outbox, client, publisher, tick } = setup({ ackTimeoutMs: 1_000 });
    outbox.add(8);
    client.connect();
    publisher.start();
    client.drop();
    client.connect();
    client.drop();
    // Suspected, alone: then acknowledged, so it was an outage, and the window is whole again.
    client.connect();
    expect(client.outstanding().map(seqOf)).toEqual([1]);
    client.settle(client.outstanding()[0] as Sent, { kind: 'acked' });
    expect(client.outstanding().map(seqOf)).toEqual([2, 3, 4, 5]);
    // PUBACKs overdue: the gateway drops the connection itself, as often as it takes.
    for (let attempt = 0; attempt < 5; attempt++) {
      tick(1_000);
      client.connect();
    }
    expect(client.reconnectReasons).toHaveLength(5);
    expect(client.outstanding().map(seqOf)).toEqual([2, 3, 4, 5]);
    client.ackAll();
    client.ackAll();
    tick();
    expect(outbox.deadLetters.size).toBe(0);
    expect(outbox.markedSent.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('does not blame an event for a close while a retained value is on the wire too, or long after it', () => {
    const { outbox, client, publisher, tick } = setup();
    outbox.add(3);
    // A retained value the broker will not take (too big, denied): sent on every connect, never acked.
    publisher.publishRetained('rfid/gw1/inventory/fridge', { zone: 'fridge', tags: [] });
    publisher.start();
    for (let connection = 0; connection < 6; connection++) {
      client.connect();
      client.drop();
    }
    // Alone on the wire but closed 6 s after it: an outage, not a refusal.
    const { outbox: quiet, client: alone, publisher: other, tick: later } = setup();
    quiet.add(1);
    other.start();
    for (let connection = 0; connection < 6; connection++) {
      alone.connect();
      later(6_000);
      alone.drop();
    }
    tick();
    expect([outbox.deadLetters.size, quiet.deadLetters.size]).toEqual([0, 0]);
    expect([outbox.stats().depth, quiet.stats().depth]).toEqual([3, 1]);
  });

  it('lets a suspect that left the outbox go: the window is whole again from the next event', () => {
    const { outbox, client, publisher } = setup();
    outbox.add(6);
    client.connect();
    publisher.start();
    client.drop();
    client.connect();
    client.drop();
    client.connect();
    expect(client.outstanding().map(seqOf)).toEqual([1]);
    client.drop();
    // Gone meanwhile (a full outbox drops its oldest): the next connection starts at 2, four at once.
    outbox.markSent([1]);
    client.connect();
    expect(client.outstanding().map(seqOf)).toEqual([2, 3, 4, 5]);
  });

  it('reconnects when a publish fails on a live connection, and when a PUBACK never comes', () => {
    const { outbox, client, publisher, tick } = setup({ ackTimeoutMs: 1_000 });
    outbox.add(2);
    client.connect();
    publisher.start();
    client.settle(client.sent[0] as Sent, { kind: 'failed', error: new Error('write EPIPE') });
    expect(client.reconnectReasons).toEqual(['publish of seq 1 failed: write EPIPE']);
    expect(outbox.markedSent).toEqual([]);

    client.connect();
    tick(999);
    expect(client.reconnectReasons).toHaveLength(1);
    tick(1);
    expect(client.reconnectReasons[1]).toBe('no PUBACK for seq 1 within 1000 ms');
  });

  it('drain resolves true once everything is acknowledged, false on timeout', async () => {
    const { outbox, client, publisher, tick } = setup();
    outbox.add(3);
    publisher.start();
    const early = publisher.drain(500);
    tick(500);
    await expect(early).resolves.toBe(false);

    client.connect();
    const drained = publisher.drain(10_000);
    client.ackAll();
    tick();
    await expect(drained).resolves.toBe(true);
    await expect(publisher.drain(0)).resolves.toBe(true);
  });

  it('publishes a row rewritten after it was read ahead as rewritten (a forget), never the stale copy', () => {
    const { outbox, client, publisher } = setup();
    outbox.add(10);
    client.connect();
    publisher.start();
    // The window (4) is out; rows 5..10 wait in the read-ahead.
    expect(client.events().map(seqOf)).toEqual([1, 2, 3, 4]);
    const redacted = (seq: number) =>
      JSON.stringify({ ...(JSON.parse(outbox.rows.get(seq)?.payload ?? '{}') as object), value: 'redacted' });
    for (const seq of [2, 6, 9]) outbox.rewrite(seq, redacted(seq));
    client.ackAll();
    client.ackAll();
    client.ackAll();
    const sent = client.events();
    expect(sent.map(seqOf)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // 2 was on the wire before the rewrite; every row sent after it carries the outbox's bytes.
    for (const entry of sent.slice(4)) expect(entry.payload).toBe(outbox.rows.get(seqOf(entry))?.payload);
    expect(sent.filter((entry) => entry.payload.includes('redacted')).map(seqOf)).toEqual([6, 9]);
  });

  it('publishes an in-flight row again as rewritten when its connection drops before the PUBACK', () => {
    const { outbox, client, publisher } = setup();
    outbox.add(2);
    client.connect();
    publisher.start();
    const rewritten = JSON.stringify({
      ...(JSON.parse(outbox.rows.get(1)?.payload ?? '{}') as object),
      value: 'x',
    });
    outbox.rewrite(1, rewritten);
    client.drop();
    client.connect();
    expect(client.events().filter((entry) => entry.connection === 2)[0]?.payload).toBe(rewritten);
  });

  it('wakes up on notify() after a commit', () => {
    const { outbox, client, publisher } = setup();
    client.connect();
    publisher.start();
    outbox.add(1);
    expect(client.events()).toHaveLength(0);
    publisher.notify();
    expect(client.events().map(seqOf)).toEqual([1]);
  });

  it('keeps the latest retained value per topic and publishes it again after a reconnect', () => {
    const { client, publisher } = setup();
    publisher.start();
    publisher.publishRetained('rfid/gw1/metrics', { n: 0 });
    client.connect();
    expect(client.sent.map((entry) => entry.payload)).toEqual(['{"n":0}']);
    publisher.publishRetained('rfid/gw1/metrics', { n: 1 });
    publisher.publishRetained('rfid/gw1/metrics', '{"n":2}');
    expect(client.sent).toHaveLength(1);
    client.ackAll();
    expect(client.sent.map((entry) => [entry.payload, entry.retain])).toEqual([
      ['{"n":0}', true],
      ['{"n":2}', true],
    ]);
    client.ackAll();
    client.drop();
    client.connect();
    expect(client.sent.at(-1)?.payload).toBe('{"n":2}');
  });

  it('sends the next retained value when a PUBACK came back inside publish() (MQTT.js may call back synchronously)', () => {
    const { client, publisher } = setup();
    client.connect();
    publisher.start();
    client.settleInsidePublish = { kind: 'acked' };
    publisher.publishRetained('rfid/gw1/readers/door', { state: 'online' });
    publisher.publishRetained('rfid/gw1/readers/door', { state: 'offline' });
    client.settleInsidePublish = undefined;
    publisher.publishRetained('rfid/gw1/readers/door', { state: 'error' });
    expect(client.sent.map((entry) => entry.payload)).toEqual([
      '{"state":"online"}',
      '{"state":"offline"}',
      '{"state":"error"}',
    ]);
  });

  it('marks an event sent when its PUBACK came back inside publish(), and goes on with the next', () => {
    const { outbox, client, publisher, tick } = setup();
    outbox.add(6);
    client.connect();
    client.settleInsidePublish = { kind: 'acked' };
    publisher.start();
    tick();
    expect(client.events().map(seqOf)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(outbox.markedSent).toEqual([1, 2, 3, 4, 5, 6]);
    expect(publisher.stats()).toMatchObject({ inFlight: 0, published: 6, acknowledged: 6 });
  });

  it('reconnects at once when a publish fails inside publish(), not after the PUBACK timeout', () => {
    const { outbox, client, publisher } = setup({ ackTimeoutMs: 1_000 });
    outbox.add(1);
    client.connect();
    client.settleInsidePublish = { kind: 'failed', error: new Error('client disconnecting') };
    publisher.start();
    expect(client.reconnectReasons).toEqual(['publish of seq 1 failed: client disconnecting']);
    client.settleInsidePublish = undefined;
    client.connect();
    expect(client.events().map(seqOf)).toEqual([1, 1]);
  });

  it('after stop(), publishes nothing and ignores late acknowledgements', () => {
    const { outbox, client, publisher, tick } = setup();
    outbox.add(2);
    client.connect();
    publisher.start();
    client.settle(client.sent[0] as Sent, { kind: 'acked' });
    publisher.stop();
    expect(outbox.markedSent).toEqual([1]);
    client.ackAll();
    outbox.add(1);
    publisher.notify();
    tick();
    expect(outbox.markedSent).toEqual([1]);
    expect(client.events()).toHaveLength(2);
  });

  it('under any interleaving of PUBACKs, refusals and drops: only acknowledged events are sent, in order', () => {
    type Step =
      | { op: 'commit'; count: number }
      | { op: 'ack' | 'reject' | 'fail'; pick: number }
      | { op: 'drop' | 'connect' | 'tick' };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ op: fc.constant('commit' as const), count: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ op: fc.constantFrom('ack' as const, 'reject' as const, 'fail' as const), pick: fc.nat() }),
      fc.record({ op: fc.constantFrom('drop' as const, 'connect' as const, 'tick' as const) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), (steps, readBatch) => {
        const { outbox, client, publisher, tick } = setup({ readBatch });
        publisher.start();
        const acked = new Set<number>();
        const rejected = new Set<number>();
        const outcomes = {
          ack: { kind: 'acked' },
          reject: { kind: 'rejected', reasonCode: 135, reason: 'Not authorized' },
          fail: { kind: 'failed', error: new Error('write EPIPE') },
        } as const;
        const settleOne = (pick: number, kind: keyof typeof outcomes): void => {
          const open = client.outstanding().filter((entry) => !entry.retain);
          const entry = open[pick % Math.max(1, open.length)];
          if (entry === undefined) return;
          if (kind === 'ack') acked.add(seqOf(entry));
          if (kind === 'reject') rejected.add(seqOf(entry));
          client.settle(entry, outcomes[kind]);
        };
        for (const next of steps) {
          if (next.op === 'commit') {
            outbox.add(next.count);
            publisher.notify();
          } else if (next.op === 'ack' || next.op === 'reject' || next.op === 'fail')
            settleOne(next.pick, next.op);
          else if (next.op === 'drop' && client.connected) client.drop();
          else if (next.op === 'connect' && !client.connected) client.connect();
          else if (next.op === 'tick') tick();
          expect(outbox.markedSent.every((seq) => acked.has(seq))).toBe(true);
          expect(publisher.stats().inFlight).toBeLessThanOrEqual(client.inFlightWindow);
        }
        if (!client.connected) client.connect();
        for (let round = 0; client.outstanding().length > 0; round++) {
          for (const entry of client.outstanding()) acked.add(seqOf(entry));
          client.ackAll();
          expect(round).toBeLessThan(1_000);
        }
        tick();
        const committed = outbox.stats().lastSeq;
        const done = [...outbox.markedSent, ...outbox.deadLetters.keys()].sort((a, b) => a - b);
        expect(new Set(done).size).toBe(done.length);
        expect(done).toEqual(Array.from({ length: committed }, (_, index) => index + 1));
        expect([...outbox.deadLetters.keys()].every((seq) => rejected.has(seq))).toBe(true);
        // On each connection events go out in ascending seq order.
        for (let connection = 1; connection <= client.connection; connection++) {
          const seqs = client
            .events()
            .filter((entry) => entry.connection === connection)
            .map(seqOf);
          expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
          expect(new Set(seqs).size).toBe(seqs.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
