import type { IClientOptions } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BROKER_RECONNECT_POLICY } from '../shared/backoff.js';
import { VirtualClock } from '../shared/clock.js';
import { type BrokerNode, BrokerRotation, brokerNodes, pointAt } from './broker-list.js';

const POLICY = { ...DEFAULT_BROKER_RECONNECT_POLICY, jitter: 0 };
const A = 'mqtt://broker-a:1883';
const B = 'mqtts://broker-b:8883';
const C = 'mqtt://10.0.0.3';

/** Node `index` of the list `urls` makes. */
function nodeOf(urls: string[], index: number): BrokerNode {
  const node = brokerNodes(urls)[index];
  if (node === undefined) throw new Error(`no node ${index}`);
  return node;
}

type Outcome = 'refused' | { holdsMs: number };

/**
 * Drives a rotation on a virtual clock as the client does: every node attempt ends as `outcomes`
 * says (refused, or connected and lost after holding for a while), and the next attempt waits for
 * the delay the rotation gives. Returns each attempt as `node@time`, from 0.
 */
function run(rotation: BrokerRotation, outcomes: readonly Outcome[]): string[] {
  const clock = new VirtualClock(0);
  const attempts: string[] = [];
  let index = 0;
  const attempt = (): void => {
    attempts.push(`${rotation.current.index}@${clock.now()}`);
    const outcome = outcomes[index++];
    if (outcome === undefined) return;
    if (outcome !== 'refused') {
      rotation.connected(clock.now());
      clock.advanceTo(clock.now() + outcome.holdsMs);
      rotation.disconnected(clock.now());
    }
    clock.setTimeout(attempt, rotation.next().delayMs);
  };
  attempt();
  for (let at = clock.nextTimerAt(); at !== undefined; at = clock.nextTimerAt()) clock.advanceTo(at);
  return attempts;
}

describe('BrokerRotation', () => {
  it('with one node is the plain backoff: the same node, a growing delay, reset by a stable connection', () => {
    const rotation = new BrokerRotation(brokerNodes(A), POLICY);
    expect(run(rotation, ['refused', 'refused', 'refused', { holdsMs: 60_000 }, 'refused'])).toEqual([
      '0@0',
      '0@1000',
      '0@3000',
      '0@7000',
      // Stable for 60 s: the backoff starts again from its first delay.
      '0@68000',
      '0@70000',
    ]);
    expect(rotation.moves).toBe(0);
  });

  it('moves to the next node quickly after a loss and grows the delay only once every node failed in a row', () => {
    const rotation = new BrokerRotation(brokerNodes([A, B, C]), POLICY);
    const attempts = run(rotation, [
      { holdsMs: 60_000 },
      'refused',
      'refused',
      'refused',
      'refused',
      { holdsMs: 60_000 },
      'refused',
    ]);
    expect(attempts).toEqual([
      '0@0',
      // A is lost: B and C are tried after the first delay each...
      '1@61000',
      '2@62000',
      // ...and once all three have failed in a row, the delay grows.
      '0@63000',
      '1@65000',
      '2@69000',
      // C held: a loss there moves on quickly again, wrapping to A.
      '0@130000',
      '1@131000',
    ]);
    expect(rotation.current.index).toBe(1);
    // Connected to A, then to C: one move (B never answered).
    expect(rotation.moves).toBe(1);
  });

  it('stays on a node that holds and counts a move only when another node is connected to', () => {
    const rotation = new BrokerRotation(brokerNodes([A, B]), POLICY);
    run(rotation, [{ holdsMs: 40_000 }, { holdsMs: 40_000 }, 'refused', { holdsMs: 40_000 }]);
    // A, B, (A refused), B: from A to B once; B again is no move.
    expect(rotation.moves).toBe(1);
  });

  it('keeps growing the delay while the node it reaches keeps dropping the connection (flapping)', () => {
    const rotation = new BrokerRotation(brokerNodes([A, B]), POLICY);
    const attempts = run(rotation, ['refused', { holdsMs: 100 }, 'refused', { holdsMs: 100 }, 'refused']);
    // Each loss moves on quickly; the backoff behind it is not reset (no stable connection), so the
    // waits after a whole round failed still grow: 1 s, then 2 s.
    expect(attempts).toEqual(['0@0', '1@1000', '0@2100', '1@3100', '0@4200', '1@6200']);
  });

  it('reports where it moves from and to, and how many failed in a row', () => {
    const rotation = new BrokerRotation(brokerNodes([A, B]), POLICY);
    const first = rotation.next();
    expect([first.from.redacted, first.to.redacted, first.failedInRow]).toEqual([A, B, 1]);
    expect(rotation.next()).toMatchObject({ from: { index: 1 }, to: { index: 0 }, failedInRow: 2 });
  });
});

describe('brokerNodes', () => {
  it('keeps the order, and redacts credentials for logs and status', () => {
    expect(brokerNodes(['mqtt://gw:secret@a:1883', B])).toEqual([
      { index: 0, url: 'mqtt://gw:secret@a:1883', redacted: 'mqtt://a:1883' },
      { index: 1, url: B, redacted: B },
    ]);
    expect(brokerNodes(A)).toHaveLength(1);
    expect(() => brokerNodes([])).toThrow(/empty/);
    expect(() => brokerNodes(Array.from({ length: 17 }, (_, i) => `mqtt://h${i}`))).toThrow(/at most 16/);
  });
});

describe('pointAt', () => {
  it('sets every field a stream builder reads, so that nothing of the previous node is left', () => {
    // As MQTT.js leaves its options after a TLS connection to B (the builder filled in servername).
    const options: IClientOptions = {
      protocol: 'mqtts',
      host: 'broker-b',
      hostname: 'broker-b',
      port: 8883,
      servername: 'broker-b',
      username: 'gw1',
      password: 'secret',
    };
    const [a, b, c] = [0, 1, 2].map((index) => nodeOf([A, B, C], index)) as [
      BrokerNode,
      BrokerNode,
      BrokerNode,
    ];
    pointAt(options, c, { username: 'gw1', password: 'secret' });
    expect(options).toEqual({
      protocol: 'mqtt',
      host: '10.0.0.3',
      hostname: '10.0.0.3',
      // No port in the URL: the scheme's, not B's.
      port: 1883,
      username: 'gw1',
      password: 'secret',
    });
    pointAt(options, b, {});
    expect(options).toEqual({
      protocol: 'mqtts',
      host: 'broker-b',
      hostname: 'broker-b',
      port: 8883,
      servername: 'broker-b',
    });
    pointAt(options, a, {});
    expect(options.servername).toBe('broker-a');
  });

  it('uses credentials written in a node URL, an IPv6 address bare, and TLS for mqtt:// with a client certificate', () => {
    const options: IClientOptions = { cert: 'pem', key: 'pem' };
    pointAt(options, nodeOf(['mqtt://other:pw%40rd@[::1]:1884'], 0), { username: 'gw1' });
    expect(options).toMatchObject({
      protocol: 'mqtts',
      hostname: '::1',
      port: 1884,
      username: 'other',
      password: 'pw@rd',
    });
    expect(options.servername).toBeUndefined();
  });
});
