import { z } from 'zod';
import { id, serialPath } from './common.js';

const common = {
  id,
  safeState: z
    .string()
    .min(1)
    .nullable()
    .default(null)
    .describe(
      'Set at start-up, whenever the device comes online, at shutdown and by `actuate`; null = leave it',
    ),
  maxPulseMs: z.number().int().min(1).max(600_000).default(30_000),
  writeTimeoutMs: z.number().int().min(10).max(60_000).default(2_000),
};

/** For devices that take any text: the values they know, so that a typo is refused as a bad request. */
const knownValues = z
  .array(z.string().min(1).max(64))
  .min(1)
  .optional()
  .describe('The values the device takes (e.g. ["open", "closed"]); absent = any value');

/** A channel of a `lines` microcontroller that is also a sensor (one port, both ways). */
const linesActuator = z.strictObject({
  ...common,
  driver: z.literal('lines'),
  device: id.describe('The id of the `lines` sensor whose port drives it'),
  channel: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,31}$/, 'must be a channel name such as lock or buzzer')
    .describe('Written as `<channel>=<value>`'),
  values: knownValues,
});

/**
 * One relay of an LCUS-1/2/4 USB board (CH340, 9600 8N1, `A0 <ch> <op> <sum>`, write-only). Several
 * actuators may share a board: same `port`, different `channel`. The board cannot end a pulse by
 * itself, so the gateway does, and `rfid-gateway actuate` (systemd `ExecStopPost=`) restores the safe
 * state after a crash.
 */
const relayLcusActuator = z.strictObject({
  ...common,
  driver: z.literal('relay-lcus'),
  port: serialPath,
  baudRate: z.number().int().min(300).max(115_200).default(9600),
  channel: z.number().int().min(1).max(8).describe('Relay number on the board, from 1'),
  values: z
    .record(z.string().min(1), z.enum(['on', 'off']))
    .default({ on: 'on', off: 'off' })
    .describe('Actuator value → relay state, e.g. {"open": "on", "closed": "off"} for a lock'),
});

/** A device of somebody else's behind MQTT: the gateway publishes the command, QoS 1, not retained. */
const mqttActuator = z.strictObject({
  ...common,
  driver: z.literal('mqtt'),
  topic: z
    .string()
    .min(1)
    .regex(/^[^#+]+$/, 'must be a topic without wildcards')
    .optional()
    .describe('Relative to the base topic; default actuators/<id>/set'),
  values: knownValues,
});

export const actuatorSchema = z.discriminatedUnion('driver', [
  linesActuator,
  relayLcusActuator,
  mqttActuator,
]);

export type ActuatorConfig = z.output<typeof actuatorSchema>;
export type LinesActuatorConfig = z.output<typeof linesActuator>;
export type RelayLcusActuatorConfig = z.output<typeof relayLcusActuator>;
export type MqttActuatorConfig = z.output<typeof mqttActuator>;
