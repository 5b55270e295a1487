import { z } from 'zod';
import { ENGINE_DEFAULTS, ENGINE_LIMITS, ZONE_DEFAULTS } from '../core/config.js';
import { DEFAULT_RECONNECT_POLICY } from '../shared/backoff.js';
import { describeValue } from '../shared/issue-messages.js';
import {
  DEFAULT_MAX_BUFFERED_EVENTS,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_ROWS,
  DEFAULT_RESERVE_BYTES,
} from '../store/defaults.js';
import { actuatorSchema } from './actuators.js';
import { cabinetSchema, customerSchema } from './cabinets.js';
import { checkReconnectPolicy, id } from './common.js';
import { displaySchema, displayTextsSchema } from './displays.js';
import { engagementSchema } from './engagement.js';
import { exitMonitorSchema } from './exit-monitor.js';
import { epcisSchema, homeAssistantSchema, httpSchema, securitySchema } from './integrations.js';
import { mqttSchema } from './mqtt.js';
import { privacySchema } from './privacy.js';
import { readerDrivers, readerSettingsSchema } from './reader-settings.js';
import { ruleSchema } from './rules.js';

/**
 * The gateway's configuration. Every field has a documented default so that the smallest useful
 * config is one reader with an id, a driver and a port. Unknown keys are errors: a typo in a
 * production config must not be silently ignored. Engine and reconnect defaults are the core's and
 * the backoff's own, imported, so that a config that leaves them out behaves like code that does.
 */

const reconnect = z
  .strictObject({
    initialMs: z.number().int().min(10).max(600_000).default(DEFAULT_RECONNECT_POLICY.initialMs),
    maxMs: z.number().int().min(10).max(3_600_000).default(DEFAULT_RECONNECT_POLICY.maxMs),
    factor: z.number().min(1).max(10).default(DEFAULT_RECONNECT_POLICY.factor),
    jitter: z.number().min(0).max(1).default(DEFAULT_RECONNECT_POLICY.jitter),
    stableAfterMs: z.number().int().min(0).default(DEFAULT_RECONNECT_POLICY.stableAfterMs),
  })
  .superRefine(checkReconnectPolicy)
  .describe(
    'Reopen policy after an unplug or error: exponential backoff with jitter, reset after a stable connection',
  );

const replayOptions = z
  .strictObject({
    speed: z.number().min(0).max(10_000).default(1).describe('1 = real time, 0 = as fast as possible'),
    loop: z
      .boolean()
      .default(false)
      .describe('Play the capture again at its end; all ports of a capture restart together'),
    portId: z
      .string()
      .optional()
      .describe('Which port of a multi-port capture to play (default: the only one)'),
  })
  .describe('How a `replay:<file>` port plays its capture');

/** A device's silence before it counts as stalled, whatever promised its traffic. */
const stalledAfter = z.number().int().min(100).max(3_600_000).optional();

const port = z
  .string()
  .min(1)
  .describe('A device path (/dev/serial/by-id/...), `replay:<capture.jsonl>` or `tcp://host:port`');

export const readerSchema = z.strictObject({
  id,
  driver: z
    .enum(readerDrivers)
    .describe(
      '`thingmagic` (M6e, Nano), `r2000` (Impinj R2000 "CM" modules), `chafon` (UHFReader18/288), `pn532` (NFC cards), `em4100-ascii` (125 kHz badges)',
    ),
  port,
  baudRate: z.number().int().min(300).max(4_000_000).optional().describe("Default: the driver's usual rate"),
  zone: id.optional().describe('Zone of every antenna not listed in `antennas` (default: the reader id)'),
  antennaZones: z
    .record(z.string().regex(/^[0-9]+$/, 'antenna numbers are decimal'), id)
    .default({})
    .describe('Antenna number → zone id'),
  settings: readerSettingsSchema.default({}),
  reconnect: reconnect.default(reconnect.parse({})),
  replay: replayOptions.default(replayOptions.parse({})),
  stalledAfterMs: stalledAfter.describe(
    "Silence after which a reader whose driver expects traffic (ThingMagic's read-cycle heartbeat, a polled reader's answers) is stalled and its tags held (default: 2.5 heartbeats; a polled reader: 1.5 × its poll interval plus its answer's bounded wait)",
  ),
});

export const sensorSchema = z
  .strictObject({
    id,
    driver: z
      .enum(['lines', 'openscale'])
      .describe(
        '`lines` (microcontrollers: channel=value lines), `openscale` (SparkFun OpenScale: weight in grams)',
      ),
    port,
    baudRate: z.number().int().min(300).max(4_000_000).optional(),
    zone: id.optional().describe("Zone of this sensor's channels (default: the sensor id)"),
    reconnect: reconnect.default(reconnect.parse({})),
    replay: replayOptions.default(replayOptions.parse({})),
    heartbeatMs: z
      .number()
      .int()
      .min(100)
      .max(600_000)
      .optional()
      .describe(
        'How often the device promises a line (a `heartbeat=<anything>` line, or any other): silent for `stalledAfterMs` it is stalled (unset: its silence means nothing)',
      ),
    stalledAfterMs: stalledAfter.describe(
      'Silence after which a device with `heartbeatMs` is stalled (default: 2.5 heartbeats)',
    ),
    reportMinChange: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a channel name'), z.number().positive())
      .optional()
      .describe(
        'Per numeric channel, the move from the last reported value that makes a `sensor.changed` (a scale: {"weight": 20}); every sample still reaches the features',
      ),
  })
  .superRefine((sensor, context) => {
    if (sensor.stalledAfterMs === undefined) return;
    // An OpenScale streams by itself (its driver's interval); a `lines` device only if it says so.
    if (sensor.heartbeatMs === undefined && sensor.driver === 'lines')
      context.addIssue({
        code: 'custom',
        path: ['stalledAfterMs'],
        input: sensor.stalledAfterMs,
        message: `${sensor.stalledAfterMs} means nothing without heartbeatMs: a device that promises no traffic is never stalled`,
      });
    else if (sensor.heartbeatMs !== undefined && sensor.stalledAfterMs <= sensor.heartbeatMs)
      context.addIssue({
        code: 'custom',
        path: ['stalledAfterMs'],
        input: sensor.stalledAfterMs,
        message: `${sensor.stalledAfterMs} must be longer than heartbeatMs (${sensor.heartbeatMs}), or every heartbeat would come too late`,
      });
  });

export const zoneSchema = z.strictObject({
  id,
  arriveAfterReads: z
    .number()
    .int()
    .min(1)
    .max(ENGINE_LIMITS.arriveAfterReads)
    .default(ZONE_DEFAULTS.arriveAfterReads),
  arriveWindowMs: z.number().int().min(1).default(ZONE_DEFAULTS.arriveWindowMs),
  departAfterMs: z.number().int().min(1).default(ZONE_DEFAULTS.departAfterMs),
  rssiFloor: z
    .number()
    .min(-200)
    .max(50)
    .nullable()
    .default(ZONE_DEFAULTS.rssiFloor)
    .describe('Reads below (dBm) are ignored'),
  reReportMs: z
    .number()
    .int()
    .min(100)
    .nullable()
    .default(ZONE_DEFAULTS.reReportMs)
    .describe('`tag.present` every N ms; null = off'),
});

export const doorSchema = z.strictObject({
  id,
  path: z.array(id).min(2).describe('Zone ids from inside to outside; walking this order is an exit'),
  windowMs: z.number().int().min(1).default(ENGINE_DEFAULTS.doorWindowMs),
});

const crossReadSchema = z.strictObject({
  hysteresisDb: z.number().min(0).max(60).default(ENGINE_DEFAULTS.crossRead.hysteresisDb),
  smoothing: z.number().gt(0).max(1).default(ENGINE_DEFAULTS.crossRead.smoothing),
  staleAfterMs: z.number().int().min(1).default(ENGINE_DEFAULTS.crossRead.staleAfterMs),
});

/**
 * Memory is bounded by these: the tag table by `capacity`, the recent-reads ring by `ringSize` ×
 * (24 + `maxTagBytes`) bytes (see `read-ring.ts`), about 350 KB at the defaults.
 */
const coreSchema = z.strictObject({
  capacity: z
    .number()
    .int()
    .min(16)
    .max(ENGINE_LIMITS.capacity)
    .default(ENGINE_DEFAULTS.capacity)
    .describe('Tags tracked at once'),
  ringSize: z
    .number()
    .int()
    .min(16)
    .max(ENGINE_LIMITS.ringSize)
    .refine((n) => (n & (n - 1)) === 0, {
      error: (issue) => `must be a power of two, got ${describeValue(issue.input)}`,
    })
    .default(ENGINE_DEFAULTS.ringSize)
    .describe('Recent raw reads kept for diagnostics (a power of two)'),
  maxTagBytes: z.number().int().min(2).max(62).default(ENGINE_DEFAULTS.maxTagBytes),
  sweepIntervalMs: z.number().int().min(10).max(10_000).default(100),
});

export const outboxSchema = z
  .strictObject({
    maxRows: z.number().int().min(100).default(DEFAULT_MAX_ROWS),
    maxBytes: z.number().int().min(65_536).default(DEFAULT_MAX_BYTES),
    synchronous: z
      .enum(['NORMAL', 'FULL'])
      .default('NORMAL')
      .describe('SQLite durability of ordinary commits; purchases and alarms are always committed with FULL'),
    reserveBytes: z
      .number()
      .int()
      .min(0)
      .max(64 * 1024 * 1024)
      .default(DEFAULT_RESERVE_BYTES)
      .describe('Disk space held back for purchases and alarms when the disk fills up; 0 = none'),
    maxBufferedEvents: z
      .number()
      .int()
      .min(100)
      .max(1_000_000)
      .default(DEFAULT_MAX_BUFFERED_EVENTS)
      .describe(
        'Events waiting in memory for a commit (disk full); past it the oldest low-value ones are dropped',
      ),
  })
  .describe('The durable event queue in the store, <dataDir>/gateway.sqlite');

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
    crossRead: crossReadSchema.default(crossReadSchema.parse({})),
    doors: z.array(doorSchema).default([]),
    actuators: z
      .array(actuatorSchema)
      .default([])
      .describe('Outputs (locks, buzzers, lights) driven from the bus'),
    cabinets: z
      .array(cabinetSchema)
      .default([])
      .describe('Smart fridges and cabinets that sell by themselves: card, door, lock, settling'),
    displays: z.array(displaySchema).default([]).describe('Character LCDs and MQTT screens'),
    displayTexts: displayTextsSchema.describe('Screen texts per locale, replacing the shipped ones'),
    rules: z
      .array(ruleSchema)
      .default([])
      .describe('On an event, pulse an actuator, show a screen or publish a message'),
    exitMonitor: exitMonitorSchema.optional(),
    engagement: engagementSchema.optional(),
    privacy: privacySchema.default(privacySchema.parse({})),
    homeassistant: homeAssistantSchema.optional().describe('Home Assistant MQTT discovery (needs mqtt)'),
    epcis: epcisSchema.optional().describe('EPCIS 2.0 events on <base>/epcis (needs mqtt for publishing)'),
    http: httpSchema
      .optional()
      .describe('The store console at /, Prometheus /metrics and /healthz; off unless present'),
    security: securitySchema.default(securitySchema.parse({})),
    catalogFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A catalog CSV imported at every start (idempotent; relative to the config file); its products are its own, and remote changes to them are refused',
      ),
    customers: z
      .array(customerSchema)
      .default([])
      .describe('Cards allowed to open a cabinet (seed of the allow-list; MQTT customers/set adds to it)'),
    core: coreSchema.default(coreSchema.parse({})),
    dataDir: z
      .string()
      .min(1)
      .default('/var/lib/rfid-gateway')
      .describe('Where the outbox lives; relative paths are relative to the config file'),
    resetStoreAtStart: z
      .boolean()
      .default(false)
      .describe(
        'Start every run with an empty store (<dataDir>/gateway.sqlite is deleted at start-up): for demos whose readers and sensors all replay captures from their beginning, so that a run does not open with the sessions and stock of the previous one. Refused for a config with real devices',
      ),
    mqtt: mqttSchema.optional(),
    outbox: outboxSchema.default(outboxSchema.parse({})),
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
