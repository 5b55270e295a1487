import { z } from 'zod';
import { id } from './common.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * A cabinet's own temperature as evidence for selling at all (food safety): above `maxC` for
 * `forMs` without a break, the cabinet refuses cards until it has been back at or below `maxC`
 * for `resumeAfterMs` (or a signed `cabinets/resume`). See src/domain/purchases/temperature-guard.ts.
 */
export const temperatureGuardSchema = z.strictObject({
  sensor: id.describe('The lines sensor that reports the temperature'),
  channel: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a lines channel name (letters, digits, _ . -)')
    .default('temperature')
    .describe('Its channel, in °C (`temperature=9.5`)'),
  maxC: z
    .number()
    .min(-50)
    .max(100)
    .describe('Highest temperature at which the cabinet may sell, in °C (e.g. 8 for chilled food)'),
  forMs: z
    .number()
    .int()
    .min(1000)
    .max(DAY)
    .default(15 * MINUTE)
    .describe('Above maxC this long without a break stops selling (a door left open briefly does not)'),
  resumeAfterMs: z
    .number()
    .int()
    .min(1000)
    .max(DAY)
    .default(10 * MINUTE)
    .describe('Back at or below maxC this long before selling again by itself'),
});

export type TemperatureGuardConfig = z.output<typeof temperatureGuardSchema>;
