import { connect } from 'mqtt';
import { brokerNodes } from './broker-list.js';
import { connectOptions, type MqttClientDeps, type MqttOptions, outcomeOf } from './client.js';
import { describeMqttError } from './errors.js';
import { createTopics, type Topics } from './topics.js';

/** The node could not be reached or refused the connection: the next node may do. */
class UnreachableNode extends Error {}

/**
 * One QoS 1 publish on a connection of its own, for a command line tool (`actuate`). Its client id is
 * the gateway's with a suffix and it has no will: it must not take over the gateway's session nor
 * publish the gateway's status. With several broker nodes, each is tried in turn until one accepts
 * the connection. Rejects on a refused publish, or when no node answers within `timeoutMs` each.
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
  const nodes = brokerNodes(options.url);
  const failures: string[] = [];
  for (const node of nodes) {
    const raw = connect(node.url, {
      ...base,
      clientId: `${options.gatewayId}-actuate`,
      connectTimeout: timeoutMs,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let connected = false;
        raw.once('connect', () => {
          connected = true;
        });
        const timer = setTimeout(() => {
          const text = `${node.redacted}: no acknowledgement within ${timeoutMs} ms`;
          reject(connected ? new Error(text) : new UnreachableNode(text));
        }, timeoutMs);
        raw.once('error', (error) => {
          clearTimeout(timer);
          const text = describeMqttError(error);
          reject(connected ? new Error(text) : new UnreachableNode(text));
        });
        raw.publish(topic(topics), payload, { qos: 1 }, (error) => {
          clearTimeout(timer);
          const outcome = outcomeOf(error);
          if (outcome.kind === 'acked') resolve();
          else reject(outcome.kind === 'rejected' ? new Error(outcome.reason) : outcome.error);
        });
      });
      return;
    } catch (error) {
      // Only a node never reached is worth another: a publish that went out must not go out twice.
      if (!(error instanceof UnreachableNode) || nodes.length === 1) throw error;
      failures.push(
        error.message.startsWith(node.redacted) ? error.message : `${node.redacted}: ${error.message}`,
      );
    } finally {
      await raw.endAsync(true).catch(() => {});
    }
  }
  throw new Error(`no broker node answered: ${failures.join('; ')}`);
}
