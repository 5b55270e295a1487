import type { CloseContext } from './wire-watch.js';

/**
 * Closes, each right after the event was published alone, that make it refused. Three in a row
 * with nothing of it acknowledged is no outage striking at the same moment three times.
 */
export const CLOSES_TO_REFUSE = 3;

/**
 * A broker that refuses a publish closes the connection within moments of it (RabbitMQ at once,
 * Mosquitto as it reads the packet); an outage, a keepalive time-out (at least 7.5 s) or a node
 * killed under load comes at any time.
 */
export const REFUSAL_CLOSE_MS = 5_000;

/**
 * How long a suspect waits, on a new connection, for what went out before it (the status, the
 * retained values) to be acknowledged, so that it is alone on the wire; then it goes all the same.
 */
export const QUIET_WAIT_MS = 2_000;

/** The dead letter's reason. */
export const REFUSED_BY_CLOSING = `the broker closed the connection at each of the last ${CLOSES_TO_REFUSE} publishes of this event, alone on the wire, instead of refusing it (a topic its permissions deny, a packet over its size limit)`;

/**
 * A close is plainly the doing of the event published last (on `eventTopic`, the only event in
 * flight; undefined when it is not): it was the last packet sent, the only one of ours awaiting an
 * acknowledgement, and the close came right after it.
 */
export function plainlyItsDoing(
  context: CloseContext,
  eventTopic: string | undefined,
  { sinceSentMs }: { sinceSentMs: number },
): boolean {
  const wire = context.lastSent;
  return (
    eventTopic !== undefined &&
    context.awaitingAck === 1 &&
    wire?.cmd === 'publish' &&
    wire.topic === eventTopic &&
    sinceSentMs <= REFUSAL_CLOSE_MS
  );
}

/**
 * MQTT 3.1.1 has no way to refuse a publish, so a broker that will not take one closes the
 * connection instead: RabbitMQ when the gateway's topic permissions deny the topic, Mosquitto (on
 * MQTT 5 too) when the packet is over its `max_packet_size`. Published again after every reconnect,
 * such an event would hold every event behind it for ever.
 *
 * This tells that event from a broker that merely went away. An event that is still the oldest
 * unacknowledged at a second close in a row is suspected, and published alone from then on (a
 * window of one, once the rest of the connection's packets are acknowledged: `holdsBack`). A close counts against it only when it is plainly its doing: the event was the
 * last packet sent, the only one of ours unacknowledged on the wire (no retained value, answer or
 * other event beside it), and the close came within `REFUSAL_CLOSE_MS`. After `CLOSES_TO_REFUSE`
 * such closes the publisher dead-letters it (kept with the reason in the outbox's dead letters) and
 * goes on. Its acknowledgement, another event first in line, or an event sent after it clears the
 * suspicion. Closes the gateway made itself (a PUBACK overdue) are not counted.
 */
export class ClosingRefusalWatch {
  private suspect: { seq: number; closes: number; itsDoing: number } | undefined;
  private waitingSince: number | undefined;

  /** How many events may await their PUBACK now. */
  window(normal: number): number {
    return this.suspected === undefined ? normal : 1;
  }

  /** The event under suspicion, published alone. */
  get suspected(): number | undefined {
    return this.suspect !== undefined && this.suspect.closes >= 2 ? this.suspect.seq : undefined;
  }

  /**
   * The broker closed the connection with `oldest` the oldest event unacknowledged; `itsDoing` when
   * the close is plainly that event's (see the class). Returns the seq to take as refused, if any.
   */
  closed(oldest: number, itsDoing: boolean): number | undefined {
    if (this.suspect?.seq !== oldest) this.suspect = { seq: oldest, closes: 0, itsDoing: 0 };
    this.suspect.closes++;
    if (itsDoing) this.suspect.itsDoing++;
    if (this.suspect.itsDoing < CLOSES_TO_REFUSE) return undefined;
    this.suspect = undefined;
    return oldest;
  }

  /**
   * Whether the suspect should wait before it goes out: other packets of ours still await their
   * acknowledgement on this connection (and it has not waited `QUIET_WAIT_MS` yet).
   */
  holdsBack(inFlight: number, awaitingAck: () => number, nowMs: number): boolean {
    if (this.suspected === undefined || inFlight > 0 || awaitingAck() === 0) return false;
    this.waitingSince ??= nowMs;
    return nowMs - this.waitingSince < QUIET_WAIT_MS;
  }

  /** A new connection: the suspect waits afresh for a quiet wire. */
  connected(): void {
    this.waitingSince = undefined;
  }

  /** The broker settled `seq` (acknowledged or refused it): if it was suspected, it was not the cause. */
  settled(seq: number): void {
    if (this.suspect?.seq === seq) this.suspect = undefined;
  }

  /**
   * `seq` goes out first on a connection: a suspect that is not it is gone (acknowledged, or dropped
   * from a full outbox) and no longer holds the window at one.
   */
  first(seq: number): void {
    if (this.suspect !== undefined && this.suspect.seq !== seq) this.suspect = undefined;
  }
}
