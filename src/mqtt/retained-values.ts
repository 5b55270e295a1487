import type { Logger } from '../observability/logger.js';
import type { GatewayMqttClient } from './client.js';

interface RetainedValue {
  payload: string;
  qos: 0 | 1;
  /** The connection generation of the publish awaiting its PUBACK, if any. */
  sendingIn: number | undefined;
  /** A newer value arrived while one was in flight: it is sent when that one settles. */
  dirty: boolean;
}

/**
 * The gateway's retained topics (status, inventory, readers, metrics): the latest value wins, one
 * publish per topic is in flight at a time, and every topic's latest value is published again
 * after each reconnect. Unlike events they are not kept in the outbox: a newer value replaces them.
 */
export class RetainedValues {
  private readonly values = new Map<string, RetainedValue>();
  /** Bumped on every disconnect; a callback from an older connection is stale. */
  private generation = 0;
  private stopped = false;

  constructor(
    private readonly client: GatewayMqttClient,
    private readonly log: Logger,
  ) {}

  publish(topic: string, payload: string | object, qos: 0 | 1): void {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const value = this.values.get(topic) ?? { payload: text, qos, sendingIn: undefined, dirty: false };
    value.payload = text;
    value.qos = qos;
    this.values.set(topic, value);
    if (value.sendingIn === this.generation) value.dirty = true;
    else this.send(topic, value);
  }

  connected(): void {
    for (const [topic, value] of this.values) this.send(topic, value);
  }

  disconnected(): void {
    this.generation++;
  }

  stop(): void {
    this.stopped = true;
  }

  private send(topic: string, value: RetainedValue): void {
    if (this.stopped) return;
    const generation = this.generation;
    const payload = value.payload;
    value.dirty = false;
    // Marked before publish(): MQTT.js may run the callback before it returns; marking afterwards
    // would undo the callback's clearing and leave the topic stuck until the next reconnect.
    value.sendingIn = generation;
    const sent = this.client.publish(topic, payload, { qos: value.qos, retain: true }, (outcome) => {
      if (value.sendingIn !== generation || generation !== this.generation) return;
      value.sendingIn = undefined;
      if (outcome.kind === 'rejected')
        this.log.warn({ topic, reason: outcome.reason }, 'the broker refused a retained publish');
      if (value.dirty) this.send(topic, value);
    });
    // Not connected, so never called back: the value goes out with the others on the next connect.
    if (!sent) value.sendingIn = undefined;
  }
}
