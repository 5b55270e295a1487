import type { Packet } from 'mqtt';
import type { Clock } from '../shared/clock.js';

/** What was on the wire when a connection ended: to tell a broker refusing a packet from an outage. */
export interface CloseContext {
  /** Our QoS 1 packets still awaiting their acknowledgement (events, retained values, answers…). */
  awaitingAck: number;
  /** The last packet we sent on that connection, and how long before the end. */
  lastSent: { cmd: string; topic: string | undefined; agoMs: number } | undefined;
}

/**
 * The last packet sent on the connection, kept without allocating per packet (every event is one):
 * a broker that refuses a publish by closing the connection closes it right after that publish.
 */
export class WireWatch {
  private cmd: string | undefined;
  private topic: string | undefined;
  private atMs = 0;

  constructor(private readonly clock: Clock) {}

  sent(packet: Packet): void {
    this.cmd = packet.cmd;
    this.topic = packet.cmd === 'publish' ? packet.topic : undefined;
    this.atMs = this.clock.now();
  }

  /** The connection ended with `awaitingAck` packets unacknowledged; the next one starts afresh. */
  closed(awaitingAck: number): CloseContext {
    const lastSent =
      this.cmd === undefined
        ? undefined
        : { cmd: this.cmd, topic: this.topic, agoMs: this.clock.now() - this.atMs };
    this.cmd = this.topic = undefined;
    return { awaitingAck, lastSent };
  }
}
