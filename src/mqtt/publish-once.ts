import { connect } from 'mqtt';
import { connectOptions, type MqttClientDeps, type MqttOptions, outcomeOf } from './client.js';
import { describeMqttError, redactUrl } from './errors.js';
import { createTopics, type Topics } from './topics.js';

/**
 * One QoS 1 publish on a connection of its own, for a command line tool (`actuate`). Its client id is
 * the gateway's with a suffix and it has no will: it must not take over the gateway's session nor
 * publish the gateway's status. Rejects on a refused connection, a refused publish, or `timeoutMs`.
 */
export async function publishOnce(
  options: MqttOptions,
  topic: (topics: Topics) => string,
  payload: string,
  timeoutMs: number,
  env: MqttClientDeps['env'] = process.env,
): Promise<void> {
  const topics = createTopics(options.baseTopic ?? 'rfid', options.gatewayId);
  const { will: _will, ...base } = connectOptions(options, topics, env);
  const raw = connect(options.url, {
    ...base,
    clientId: `${options.gatewayId}-actuate`,
    connectTimeout: timeoutMs,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${redactUrl(options.url)}: no acknowledgement within ${timeoutMs} ms`)),
        timeoutMs,
      );
      raw.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(describeMqttError(error)));
      });
      raw.publish(topic(topics), payload, { qos: 1 }, (error) => {
        clearTimeout(timer);
        const outcome = outcomeOf(error);
        if (outcome.kind === 'acked') resolve();
        else reject(outcome.kind === 'rejected' ? new Error(outcome.reason) : outcome.error);
      });
    });
  } finally {
    await raw.endAsync(true).catch(() => {});
  }
}
