import { connect, type IClientOptions, type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
  /** As delivered: the lower of the publisher's QoS and the subscription's. */
  qos: 0 | 1 | 2;
}

/** A real MQTT subscriber that keeps everything it receives, for assertions. */
export class MqttCollector {
  readonly messages: Received[] = [];
  private constructor(readonly client: MqttClient) {}

  static async start(url: string, filter: string, options: IClientOptions = {}): Promise<MqttCollector> {
    const client = connect(url, { reconnectPeriod: 200, ...options });
    const collector = new MqttCollector(client);
    client.on('message', (topic, payload, packet) => {
      collector.messages.push({ topic, payload: payload.toString(), retain: packet.retain, qos: packet.qos });
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => {
        client.subscribe(filter, { qos: 1 }, (error) => (error ? reject(error) : resolve()));
      });
      client.once('error', reject);
    });
    return collector;
  }

  /** Event envelopes received on `<base>/events/#`, parsed. */
  events(): Array<Record<string, unknown>> {
    return this.messages
      .filter((message) => message.topic.includes('/events/'))
      .map((message) => JSON.parse(message.payload) as Record<string, unknown>);
  }

  async waitFor(
    predicate: (messages: Received[]) => boolean,
    what: string,
    timeoutMs = 15_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      if (Date.now() > deadline) {
        const seen = this.messages.slice(-10).map((m) => `${m.topic} ${m.payload.slice(0, 120)}`);
        throw new Error(`no ${what} within ${timeoutMs} ms; last messages:\n${seen.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
