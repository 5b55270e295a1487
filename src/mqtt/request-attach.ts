import type { IClientPublishOptions, MqttClient, OnMessageCallback } from 'mqtt';
import type { Logger } from '../observability/logger.js';
import { baseOfRequestPrefix, truncate } from './request-outcome.js';
import type { RequestProperties, RequestResponse, RequestRouter, RequestTopics } from './requests.js';

/** Where requests arrive and where their answers go: the gateway's own topics, or one group's. */
interface Listening {
  requestPrefix: string;
  filter: string;
  /** The only place answers go (an MQTT 5 response topic elsewhere is refused). */
  base: string | undefined;
  responseTopic(command: string): string;
  group: string | undefined;
}

/**
 * Subscribes to the request topics (QoS 1): the gateway's own and, for each group it belongs to,
 * the group's; answers each request (QoS 1, not retained) on its default response topic, or its
 * MQTT 5 response topic when that is under the same base. Returns a function that stops listening.
 */
export function attachRouter(
  router: RequestRouter,
  client: MqttClient,
  topics: RequestTopics,
  logger: Logger,
): () => void {
  const listening: Listening[] = [
    {
      requestPrefix: topics.requestPrefix,
      filter: topics.requestWildcard,
      base: topics.base ?? baseOfRequestPrefix(topics.requestPrefix),
      responseTopic: topics.responseTopic,
      group: undefined,
    },
    ...(topics.groups ?? []).map((group) => ({
      requestPrefix: group.requestPrefix,
      filter: group.requestFilter,
      base: group.base,
      responseTopic: group.response,
      group: group.group,
    })),
  ];
  const onMessage: OnMessageCallback = (topic, payload, packet) => {
    const source = listening.find((entry) => topic.startsWith(entry.requestPrefix));
    if (source === undefined) return;
    const command = topic.slice(source.requestPrefix.length);
    // A retained request would run again on every reconnect (a restart loop), so it never runs.
    if (packet.retain) {
      logger.warn(
        { command: truncate(command), ...(source.group === undefined ? {} : { group: source.group }) },
        'retained MQTT request ignored',
      );
      return;
    }
    const properties: RequestProperties = {};
    if (packet.properties?.responseTopic !== undefined) {
      properties.responseTopic = packet.properties.responseTopic;
    }
    if (packet.properties?.correlationData !== undefined) {
      properties.correlationData = packet.properties.correlationData;
    }
    void router.handle(command, payload, properties, source.base, source.group).then((response) => {
      // An exception here would be an unhandled rejection, which ends the process.
      try {
        publish(client, logger, response.topic ?? source.responseTopic(command), response);
      } catch (error) {
        logger.warn({ command: truncate(command), err: String(error) }, 'MQTT response not published');
      }
    });
  };
  client.on('message', onMessage);
  const filters = listening.map((entry) => entry.filter);
  client.subscribe(filters, { qos: 1 }, (error, granted) => {
    if (error) {
      logger.warn({ topics: filters, err: error.message }, 'request subscription failed');
      return;
    }
    for (const grant of granted ?? []) {
      if (grant.qos >= 0x80)
        logger.warn({ topic: grant.topic }, 'request subscription refused by the broker');
    }
  });
  return () => {
    client.removeListener('message', onMessage);
    if (client.connected) client.unsubscribe(filters);
  };
}

function publish(client: MqttClient, logger: Logger, topic: string, response: RequestResponse): void {
  // MQTT.js would hold an offline QoS 1 publish in memory indefinitely; a late answer is useless.
  if (!client.connected) {
    logger.warn({ topic }, 'MQTT response dropped: not connected');
    return;
  }
  const options: IClientPublishOptions = { qos: 1, retain: false };
  if (response.properties !== undefined) {
    options.properties = { correlationData: Buffer.from(response.properties.correlationData) };
  }
  client.publish(topic, response.payload, options, (error) => {
    if (error) logger.warn({ topic, err: error.message }, 'MQTT response not published');
  });
}
