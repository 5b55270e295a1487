import { z } from 'zod';

/**
 * The gateway's configuration. Every field has a documented default so that the smallest useful
 * config is one reader with an id, a driver and a port. Unknown keys are errors: a typo in a
 * production config must not be silently ignored.
 */

const id = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
    'must be 1-64 characters of letters, digits, _ . - (no spaces or /)',
  )
  .describe('Identifier used in events and MQTT topics');

const reconnect = z
  .strictObject({
    initialMs: z.number().int().min(10).max(600_000).default(500),
    maxMs: z.number().int().min(10).max(3_600_000).default(30_000),
    factor: z.number().min(1).max(10).default(2),
    jitter: z.number().min(0).max(1).default(0.2),
    stableAfterMs: z.number().int().min(0).default(10_000),
  })
  .describe(
    'Reopen policy after an unplug or error: exponential backoff with jitter, reset after a stable connection',
  );

const replayOptions = z
  .strictObject({
    speed: z.number().min(0).max(10_000).default(1).describe('1 = real time, 0 = as fast as possible'),
    loop: z.boolean().default(false),
    portId: z
      .string()
      .optional()
      .describe('Which port of a multi-port capture to play (default: the only one)'),
  })
  .describe('How a `replay:<file>` port plays its capture');

const port = z
  .string()
  .min(1)
  .describe('A device path (/dev/serial/by-id/...), `replay:<capture.jsonl>` or `tcp://host:port`');

const readerSettings = z.strictObject({
  region: z
    .enum(['NA', 'EU', 'KR', 'IN', 'JP', 'PRC', 'EU3', 'KR2', 'AU', 'NZ', 'NA2', 'NA3', 'OPEN'])
    .optional()
    .describe('ThingMagic region; unset = leave the module as it is'),
  readPowerDbm: z.number().min(0).max(31.5).optional().describe('Read power in dBm (Nano: at most 27)'),
  antennas: z.array(z.number().int().min(1).max(64)).min(1).optional().describe('Antenna ports to read on'),
});

export const readerSchema = z.strictObject({
  id,
  driver: z.enum(['thingmagic', 'em4100-ascii']),
  port,
  baudRate: z.number().int().min(300).max(4_000_000).optional().describe("Default: the driver's usual rate"),
  zone: id.optional().describe('Zone of every antenna not listed in `antennas` (default: the reader id)'),
  antennaZones: z
    .record(z.string().regex(/^[0-9]+$/, 'antenna numbers are decimal'), id)
    .default({})
    .describe('Antenna number → zone id'),
  settings: readerSettings.default({}),
  reconnect: reconnect.default(reconnect.parse({})),
  replay: replayOptions.default(replayOptions.parse({})),
});

export const sensorSchema = z.strictObject({
  id,
  driver: z.literal('lines'),
  port,
  baudRate: z.number().int().min(300).max(4_000_000).optional(),
  zone: id.optional().describe("Zone of this sensor's channels (default: the sensor id)"),
  reconnect: reconnect.default(reconnect.parse({})),
  replay: replayOptions.default(replayOptions.parse({})),
});

export const zoneSchema = z.strictObject({
  id,
  arriveAfterReads: z.number().int().min(1).max(1000).default(1),
  arriveWindowMs: z.number().int().min(1).default(2000),
  departAfterMs: z.number().int().min(1).default(3000),
  rssiFloor: z.number().min(-200).max(50).nullable().default(null).describe('Reads below (dBm) are ignored'),
  reReportMs: z
    .number()
    .int()
    .min(100)
    .nullable()
    .default(null)
    .describe('`tag.present` every N ms; null = off'),
});

export const doorSchema = z.strictObject({
  id,
  path: z.array(id).min(2).describe('Zone ids from inside to outside; walking this order is an exit'),
  windowMs: z.number().int().min(1).default(5000),
});

const filePath = z.string().min(1);

export const mqttSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^(mqtts?|tcp|tls|wss?):\/\/[^\s]+$/, 'must be mqtt://host[:port] or mqtts://host[:port]')
      .describe('Broker URL; credentials do not belong here (see username / passwordFile)'),
    baseTopic: z
      .string()
      .regex(/^[^#+\s]+$/, 'must not contain # + or spaces')
      .default('rfid')
      .describe('Topics are <baseTopic>/<gatewayId>/...'),
    protocolVersion: z
      .union([z.literal(4), z.literal(5)])
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
    reconnect: z
      .strictObject({
        initialMs: z.number().int().min(100).default(1000),
        maxMs: z.number().int().min(100).default(60_000),
        jitter: z.number().min(0).max(1).default(0.3),
        stableAfterMs: z.number().int().min(0).default(30_000),
      })
      .default({ initialMs: 1000, maxMs: 60_000, jitter: 0.3, stableAfterMs: 30_000 }),
    inFlightWindow: z
      .number()
      .int()
      .min(1)
      .max(65_535)
      .default(64)
      .describe('QoS 1 messages awaiting PUBACK'),
    metricsIntervalMs: z.number().int().min(1000).default(10_000),
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

export const outboxSchema = z
  .strictObject({
    maxRows: z.number().int().min(100).default(1_000_000),
    maxBytes: z
      .number()
      .int()
      .min(65_536)
      .default(256 * 1024 * 1024),
    synchronous: z
      .enum(['NORMAL', 'FULL'])
      .default('NORMAL')
      .describe('SQLite durability of ordinary commits; purchases and alarms are always committed with FULL'),
  })
  .describe('The durable event queue in <dataDir>/outbox.sqlite');

export const configSchema = z
  .strictObject({
    gatewayId: id.default('gw1'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    readers: z.array(readerSchema).default([]),
    sensors: z.array(sensorSchema).default([]),
    zones: z.array(zoneSchema).default([]).describe('Zones not listed here use the defaults'),
    filters: z
      .strictObject({
        include: z
          .array(z.string())
          .default([])
          .describe('GS1 pattern URIs or hex prefixes; empty = every tag'),
        exclude: z.array(z.string()).default([]),
      })
      .default({ include: [], exclude: [] }),
    crossRead: z
      .strictObject({
        hysteresisDb: z.number().min(0).max(60).default(3),
        smoothing: z.number().gt(0).max(1).default(0.3),
        staleAfterMs: z.number().int().min(1).default(1000),
      })
      .default({ hysteresisDb: 3, smoothing: 0.3, staleAfterMs: 1000 }),
    doors: z.array(doorSchema).default([]),
    core: z
      .strictObject({
        capacity: z.number().int().min(16).max(4_000_000).default(16_384).describe('Tags tracked at once'),
        ringSize: z
          .number()
          .int()
          .min(16)
          .max(1_048_576)
          .refine((n) => (n & (n - 1)) === 0, 'must be a power of two')
          .default(65_536),
        maxTagBytes: z.number().int().min(2).max(62).default(62),
        sweepIntervalMs: z.number().int().min(10).max(10_000).default(100),
      })
      .default({ capacity: 16_384, ringSize: 65_536, maxTagBytes: 62, sweepIntervalMs: 100 }),
    dataDir: z
      .string()
      .min(1)
      .default('/var/lib/rfid-gateway')
      .describe('Where the outbox lives; relative paths are relative to the config file'),
    mqtt: mqttSchema.optional(),
    outbox: outboxSchema.default({ maxRows: 1_000_000, maxBytes: 256 * 1024 * 1024, synchronous: 'NORMAL' }),
    output: z
      .strictObject({
        stdout: z.boolean().default(true).describe('Print every event as a JSON line on stdout'),
      })
      .default({ stdout: true }),
  })
  .describe('rfid-gateway configuration');

export type GatewayConfig = z.output<typeof configSchema>;
export type GatewayConfigInput = z.input<typeof configSchema>;
export type ReaderConfig = z.output<typeof readerSchema>;
export type SensorConfig = z.output<typeof sensorSchema>;
export type MqttConfig = z.output<typeof mqttSchema>;
