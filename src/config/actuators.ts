import { z } from 'zod';

const id = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
    'must be 1-64 characters of letters, digits, _ . - (no spaces or /)',
  );

/**
 * An output: a channel of a `lines` microcontroller that is also a sensor (one port, both ways).
 * More drivers (relay boards, MQTT devices) join this union.
 */
export const actuatorSchema = z.strictObject({
  id,
  driver: z.literal('lines'),
  device: id.describe('The id of the `lines` sensor whose port drives it'),
  channel: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,31}$/, 'must be a channel name such as lock or buzzer')
    .describe('Written as `<channel>=<value>`'),
  safeState: z
    .string()
    .min(1)
    .nullable()
    .default(null)
    .describe('Set at start-up, whenever the device comes online, and at shutdown; null = leave it'),
  maxPulseMs: z.number().int().min(1).max(600_000).default(30_000),
  writeTimeoutMs: z.number().int().min(10).max(60_000).default(2_000),
});

export type ActuatorConfig = z.output<typeof actuatorSchema>;
