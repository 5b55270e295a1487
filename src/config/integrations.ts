import { z } from 'zod';
import { id } from './common.js';

/** Home Assistant MQTT discovery (devices.md §3): one device per gateway, children per reader and cabinet. */
export const homeAssistantSchema = z.strictObject({
  enabled: z.boolean().default(true),
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'must be a topic prefix such as homeassistant')
    .default('homeassistant'),
});

/** EPCIS 2.0 events (devices.md §4) on `<base>/epcis`, through the outbox. */
export const epcisSchema = z.strictObject({
  enabled: z.boolean().default(true),
  cycleCountIntervalMs: z
    .number()
    .int()
    .min(60_000)
    .max(86_400_000)
    .default(3_600_000)
    .describe('How often each counted zone is published as an OBSERVE cycle_counting event'),
  countZones: z.array(id).default([]).describe('Zones counted periodically (shelves); empty = none'),
  locations: z
    .record(id, z.string().regex(/^urn:epc:id:sgln:/, 'must be an SGLN URI (urn:epc:id:sgln:...)'))
    .default({})
    .describe('Zone → its SGLN, the readPoint and bizLocation of its events'),
});

/** The HTTP listener: Prometheus `/metrics` and `/healthz`. Loopback unless said otherwise. */
const consoleSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Serve the store console at / (its API under /api)'),
    token: z
      .string()
      .min(16)
      .max(256)
      .optional()
      .describe('Access token the console asks for; required when `host` is not loopback'),
    tokenFile: z
      .string()
      .min(1)
      .optional()
      .describe('A file holding the token (first line), instead of `token`; relative to the config file'),
    client: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A client of security.signedCommands.clients: the console signs its requests with its key, so that ' +
          'they pass where signatures are required and the audit log names the console',
      ),
  })
  .refine((value) => value.token === undefined || value.tokenFile === undefined, {
    message: 'give token or tokenFile, not both',
  });

export const httpSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(9464),
  console: consoleSchema.default({ enabled: true }),
  health: z
    .strictObject({
      readerOfflineMs: z
        .number()
        .int()
        .min(1000)
        .default(60_000)
        .describe('A reader offline this long is unhealthy'),
      outboxUndrainedMs: z
        .number()
        .int()
        .min(1000)
        .default(300_000)
        .describe('The oldest unsent event older than this is unhealthy'),
    })
    .default({ readerOfflineMs: 60_000, outboxUndrainedMs: 300_000 }),
});

/** Who may change state over MQTT: HMAC-signed commands, and the audit trail of every such command. */
export const securitySchema = z.strictObject({
  signedCommands: z
    .strictObject({
      required: z
        .boolean()
        .default(false)
        .describe('Refuse state-changing commands without a valid signature'),
      windowMs: z
        .number()
        .int()
        .min(1000)
        .max(3_600_000)
        .default(60_000)
        .describe('A signed command whose timestamp is further from now than this is refused (replays)'),
      clients: z
        .array(
          z.strictObject({
            id,
            keyFile: z
              .string()
              .min(1)
              .describe('File holding the client key (at least 32 bytes), readable by the service only'),
          }),
        )
        .default([]),
    })
    .default({ required: false, windowMs: 60_000, clients: [] }),
  auditRetentionDays: z.number().int().min(1).max(3660).default(365),
});

export type HomeAssistantConfig = z.output<typeof homeAssistantSchema>;
export type EpcisConfig = z.output<typeof epcisSchema>;
export type HttpConfig = z.output<typeof httpSchema>;
export type SecurityConfig = z.output<typeof securitySchema>;
