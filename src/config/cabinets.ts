import { z } from 'zod';
import { temperatureGuardSchema } from './temperature.js';

const id = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
    'must be 1-64 characters of letters, digits, _ . - (no spaces or /)',
  );

/** How a session decides what was taken, from each tag's own read history (see src/domain/purchases). */
export const settleSchema = z.strictObject({
  bound: z
    .number()
    .gt(0)
    .lt(0.5)
    .default(1e-6)
    .describe('A tag counts as taken only when the chance it is still inside but unread is below this'),
  maxMs: z
    .number()
    .int()
    .min(500)
    .max(600_000)
    .default(10_000)
    .describe('Door closed → decision at the latest; what is undecided then makes the session uncertain'),
  cycleMs: z
    .number()
    .int()
    .min(10)
    .max(10_000)
    .default(250)
    .describe("The reader's inventory round: read probabilities are per round"),
  historyMs: z
    .number()
    .int()
    .min(1000)
    .max(3_600_000)
    .default(180_000)
    .describe('How far back each tag read rate is measured before the door opens'),
  minCycles: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(20)
    .describe('Rounds of history needed before a tag counts as inside the cabinet'),
});

/** A scale under the cabinet's shelves: a sensor channel carrying the load in grams. */
export const scaleSchema = z.strictObject({
  sensor: id.describe('The sensor (an openscale device, or a lines device) that reports the weight'),
  channel: z.string().min(1).default('weight').describe('Its channel carrying grams'),
  stableMs: z
    .number()
    .int()
    .min(200)
    .max(10_000)
    .default(600)
    .describe('A reading is stable when every sample of this long lies within the noise band'),
  emptyG: z
    .number()
    .min(-1_000_000)
    .max(1_000_000)
    .default(0)
    .describe('What the scale reads with the shelves empty (0 when it was tared empty)'),
});

/** Targeted searches for undecided tags, on readers that can select a tag (ThingMagic). */
export const searchSchema = z.strictObject({
  enabled: z.boolean().default(true),
  readPowerDbm: z
    .number()
    .min(0)
    .max(33)
    .optional()
    .describe('Read power for searches (within the region limit); unset = the continuous power'),
  calibrateEveryMs: z
    .number()
    .int()
    .min(5000)
    .max(3_600_000)
    .default(10_000)
    .describe('While idle, how often a few tags known inside are searched for to measure detection'),
  calibrateTags: z.number().int().min(1).max(32).default(6),
});

export const cabinetSchema = z.strictObject({
  id,
  zone: id.describe("The cabinet's zone (its reader antennas)"),
  cardReader: id
    .optional()
    .describe('Reader whose tags are customer cards (an allow-list entry opens a session)'),
  door: z.strictObject({
    sensor: id.describe('The lines sensor reporting the door'),
    channel: z.string().min(1).default('door'),
    openValue: z.string().min(1).default('open'),
    closedValue: z.string().min(1).default('closed'),
  }),
  lock: id.describe('The actuator that unlocks the door (a pulse the device ends by itself)'),
  unlockValue: z.string().min(1).default('open'),
  lockValue: z.string().min(1).default('closed'),
  unlockMs: z.number().int().min(500).max(60_000).default(5000),
  display: id.optional().describe('MQTT display id: <base>/displays/<id>'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  openTimeoutMs: z
    .number()
    .int()
    .min(1000)
    .max(600_000)
    .default(15_000)
    .describe('Authorised but the door never opened: cancel and relock'),
  doorOpenAlarmMs: z
    .number()
    .int()
    .min(1000)
    .max(3_600_000)
    .default(60_000)
    .describe('Door left open this long raises security.alarm'),
  settle: settleSchema.default(settleSchema.parse({})),
  scale: scaleSchema.optional().describe('Weigh the cabinet before the door opens and after it closes'),
  search: searchSchema.default(searchSchema.parse({})),
  temperature: temperatureGuardSchema
    .optional()
    .describe('Refuse cards while the cabinet has been too warm (food safety); none: no guard'),
});

export const customerSchema = z.strictObject({
  card: z
    .string()
    .regex(/^[0-9A-Fa-f]{2,64}$/, 'must be the card id as hex')
    .transform((card) => card.toUpperCase()),
  reference: z.string().min(1).max(128).describe('Your customer id, passed on to the payment side'),
  name: z.string().min(1).max(64).optional().describe('Shown on the welcome screen (with consent only)'),
  consent: z.boolean().default(false),
});

export type CabinetConfig = z.output<typeof cabinetSchema>;
export type SettleConfig = z.output<typeof settleSchema>;
export type CustomerConfig = z.output<typeof customerSchema>;
