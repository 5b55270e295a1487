import { z } from 'zod';
import { DEFAULT_BROKER_RECONNECT_POLICY } from '../shared/backoff.js';
import { describeValue } from '../shared/issue-messages.js';
import { checkReconnectPolicy, id } from './common.js';

const filePath = z.string().min(1);

const brokerReconnect = z
  .strictObject({
    initialMs: z.number().int().min(100).default(DEFAULT_BROKER_RECONNECT_POLICY.initialMs),
    maxMs: z.number().int().min(100).default(DEFAULT_BROKER_RECONNECT_POLICY.maxMs),
    factor: z.number().min(1).max(10).default(DEFAULT_BROKER_RECONNECT_POLICY.factor),
    jitter: z.number().min(0).max(1).default(DEFAULT_BROKER_RECONNECT_POLICY.jitter),
    stableAfterMs: z.number().int().min(0).default(DEFAULT_BROKER_RECONNECT_POLICY.stableAfterMs),
  })
  .superRefine(checkReconnectPolicy)
  .describe(
    'Reconnect policy for the broker: exponential backoff with jitter, reset after a stable connection',
  );

const brokerUrl = z.string().regex(/^(mqtts?|tcp|tls|wss?):\/\/[^\s]+$/, {
  error: (issue) => `must be mqtt://host[:port] or mqtts://host[:port], got ${describeValue(issue.input)}`,
});

/** The same bound as `MAX_BROKER_NODES` in mqtt/broker-list.ts (not imported: it loads MQTT.js). */
const MAX_BROKER_NODES = 16;
/** Groups a gateway may belong to: one subscription each, so a bound, generous for regions and stores. */
const MAX_GROUPS = 32;
const BROKER_PORTS: Readonly<Record<string, string>> = { mqtt: '1883', tcp: '1883', ws: '80', wss: '443' };

/** The node a URL names, so that `mqtt://Broker` and `mqtt://broker:1883` are one. */
function brokerNode(url: string): string {
  try {
    const parsed = new URL(url);
    const scheme = parsed.protocol.replace(/:$/, '');
    const port = parsed.port || (BROKER_PORTS[scheme] ?? '8883');
    return `${parsed.hostname.toLowerCase()}:${port}${parsed.pathname}`;
  } catch {
    return url;
  }
}

/** MQTT publishing: the broker or a cluster's nodes, credentials, TLS, reconnection and groups. */
export const mqttSchema = z
  .strictObject({
    url: z
      .union(
        [
          brokerUrl,
          z
            .array(brokerUrl)
            .min(1)
            .superRefine((urls, context) => {
              // As many as a cluster has; more is a mistake (a list pasted twice, a fleet's brokers).
              // Checked here: a union reports a failed .max() of its array as "no option matched".
              if (urls.length > MAX_BROKER_NODES)
                context.addIssue({
                  code: 'custom',
                  input: urls,
                  message: `at most ${MAX_BROKER_NODES} broker nodes, got ${urls.length}`,
                });
              const seen = new Map<string, number>();
              for (const [index, url] of urls.entries()) {
                const node = brokerNode(url);
                const first = seen.get(node);
                if (first === undefined) seen.set(node, index);
                else
                  context.addIssue({
                    code: 'custom',
                    path: [index],
                    input: url,
                    message: `${describeValue(url)} is the same node as mqtt.url[${first}]`,
                  });
              }
            }),
        ],
        {
          error: (issue) =>
            issue.code === 'invalid_union'
              ? `must be a broker URL or a list of them, got ${describeValue(issue.input)}`
              : undefined,
        },
      )
      .describe(
        'Broker URL, or the nodes of a cluster (a primary and a standby) in order of preference: the ' +
          'first that answers is used, the next when it fails; all share the credentials and TLS ' +
          'settings. Credentials do not belong here (see username / passwordFile)',
      ),
    baseTopic: z
      .string()
      .regex(/^[^#+\s]+$/, 'must not contain # + or spaces')
      .default('rfid')
      .describe('Topics are <baseTopic>/<gatewayId>/...'),
    protocolVersion: z
      // One literal with two values, not a union: its error lists the options (`expected one of 4|5`).
      .literal([4, 5])
      .default(4)
      .describe('4 = MQTT 3.1.1, 5 = MQTT 5'),
    username: z.string().min(1).optional(),
    passwordFile: filePath
      .optional()
      .describe('File holding the password (trailing newline ignored); or set RFID_GATEWAY_MQTT_PASSWORD'),
    ca: filePath.optional().describe('CA certificate (PEM) for mqtts://'),
    cert: filePath.optional().describe('Client certificate (PEM)'),
    key: filePath.optional().describe('Client private key (PEM)'),
    rejectUnauthorized: z.boolean().default(true).describe('Check the broker certificate (keep it on)'),
    keepaliveSec: z.number().int().min(5).max(3600).default(30),
    reconnect: brokerReconnect.default(brokerReconnect.parse({})),
    inFlightWindow: z
      .number()
      .int()
      .min(1)
      .max(65_535)
      .default(64)
      .describe('QoS 1 messages awaiting PUBACK'),
    metricsIntervalMs: z.number().int().min(1000).default(10_000),
    groups: z
      .array(id)
      .superRefine((groups, context) => {
        // Checked here rather than with .max() so that the count and the duplicate come out alike.
        if (groups.length > MAX_GROUPS)
          context.addIssue({
            code: 'custom',
            input: groups,
            message: `at most ${MAX_GROUPS} groups, got ${groups.length}`,
          });
        for (const [index, group] of groups.entries()) {
          const first = groups.indexOf(group);
          if (first !== index)
            context.addIssue({
              code: 'custom',
              path: [index],
              input: group,
              message: `${describeValue(group)} is listed already as mqtt.groups[${first}]`,
            });
        }
      })
      .default([])
      .describe(
        'Groups this gateway belongs to (a region, a store): it also answers the requests published on ' +
          '<baseTopic>/groups/<group>/request/<command>, on <baseTopic>/groups/<group>/response/<gatewayId>/<command>',
      ),
    embeddedBroker: z
      .strictObject({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(1).max(65_535).default(1883),
      })
      .optional()
      .describe('Run a small MQTT broker inside the gateway (demos; production uses a real broker)'),
  })
  .superRefine((mqtt, context) => {
    if ((mqtt.cert === undefined) !== (mqtt.key === undefined)) {
      context.addIssue({
        code: 'custom',
        path: [mqtt.cert === undefined ? 'cert' : 'key'],
        message: 'cert and key go together (the client certificate and its private key)',
      });
    }
  })
  .describe('MQTT publishing; absent = events go to stdout only');

export type MqttConfig = z.output<typeof mqttSchema>;
