/**
 * Connections the broker closed while this event, alone on the wire, awaited its PUBACK: at this
 * many it is taken as refused. Three in a row with nothing acknowledged in between is no outage
 * that happened to strike at the same event: an outage lets the event through on the next node.
 */
export const CLOSES_TO_REFUSE = 3;

/**
 * MQTT 3.1.1 has no way to refuse a publish, so a broker that will not take one closes the
 * connection instead: RabbitMQ when the gateway's topic permissions deny the topic, Mosquitto when
 * the packet is over its `max_packet_size`. Published again after every reconnect, such an event
 * would hold every event behind it for ever.
 *
 * This tells that event from a broker that merely went away. An event still the oldest unacknowledged
 * at a second close in a row is suspected: from then on it is published alone (a window of one), so
 * that a close can only be its doing. After `CLOSES_TO_REFUSE` closes with it alone, it is refused:
 * the publisher dead-letters it (kept in the outbox's dead letters, with the reason) and goes on.
 * Its acknowledgement, or another event becoming the oldest, clears the suspicion. Closes the
 * gateway made itself (a PUBACK overdue) say nothing about the event and are not counted.
 */
export class ClosingRefusalWatch {
  private suspect: { seq: number; closes: number; aloneCloses: number } | undefined;

  /** How many events may await their PUBACK now. */
  window(normal: number): number {
    return this.suspect !== undefined && this.suspect.closes >= 2 ? 1 : normal;
  }

  /** The event under suspicion, if it is published alone now (for the log). */
  get suspected(): number | undefined {
    return this.suspect !== undefined && this.suspect.closes >= 2 ? this.suspect.seq : undefined;
  }

  /**
   * The broker closed the connection with `inFlight` events unacknowledged, `oldest` first. Returns
   * the seq of the event to take as refused, if it has come to that.
   */
  closed(oldest: number, inFlight: number): number | undefined {
    if (this.suspect?.seq !== oldest) this.suspect = { seq: oldest, closes: 0, aloneCloses: 0 };
    this.suspect.closes++;
    if (inFlight === 1) this.suspect.aloneCloses++;
    if (this.suspect.aloneCloses < CLOSES_TO_REFUSE) return undefined;
    this.suspect = undefined;
    return oldest;
  }

  /** The broker acknowledged `seq`: if it was suspected, it was not the cause. */
  acknowledged(seq: number): void {
    if (this.suspect?.seq === seq) this.suspect = undefined;
  }
}
