import { z } from 'zod';
import {
  BANDS as CHAFON_BANDS,
  MAX_POWER_DBM as CHAFON_MAX_POWER_DBM,
  MAX_SCAN_TIME_MS as CHAFON_MAX_SCAN_TIME_MS,
  MIN_SCAN_TIME_MS as CHAFON_MIN_SCAN_TIME_MS,
  SCAN_TIME_UNIT_MS as CHAFON_SCAN_TIME_UNIT_MS,
} from '../protocols/chafon/commands.js';
import {
  MAX_POLL_INTERVAL_MS as CHAFON_MAX_POLL_MS,
  MIN_POLL_INTERVAL_MS as CHAFON_MIN_POLL_MS,
} from '../protocols/chafon/driver.js';
import {
  MAX_POLL_INTERVAL_MS as PN532_MAX_POLL_MS,
  MIN_POLL_INTERVAL_MS as PN532_MIN_POLL_MS,
} from '../protocols/pn532/driver.js';
import {
  MAX_ANTENNA as R2000_MAX_ANTENNA,
  MAX_POWER_DBM as R2000_MAX_POWER_DBM,
  REGIONS as R2000_REGIONS,
} from '../protocols/r2000/commands.js';
import { REGIONS as THINGMAGIC_REGIONS } from '../protocols/thingmagic/commands.js';
import { namingReceivedValue } from '../shared/issue-messages.js';

/**
 * A reader's `settings`: one object whose keys each reader family honours some of, with the ranges
 * that family's protocol allows. The shape below is the union, for editors and the JSON schema; the
 * per-driver schemas decide, so that a Chafon band given to an R2000 or a `session` given to a
 * PN532 is an error naming the value rather than something the reader is silently never told.
 */

const regionNames = (regions: object) => Object.keys(regions) as [string, ...string[]];
const address = z.number().int().min(0).max(255);
const names = (regions: object) => Object.keys(regions).join(', ');

export const readerSettingsSchema = z.strictObject({
  region: z
    .string()
    .optional()
    .describe(
      `Frequency plan; unset = leave the reader as it is. ThingMagic: ${names(THINGMAGIC_REGIONS)}; R2000: ${names(R2000_REGIONS)}; Chafon: ${names(CHAFON_BANDS)}`,
    ),
  readPowerDbm: z
    .number()
    .optional()
    .describe('Read power in dBm (ThingMagic 0-31.5, Nano at most 27; R2000 whole dBm 0-33; Chafon 0-30)'),
  antennas: z
    .array(z.number().int())
    .optional()
    .describe('Antenna ports to read on (ThingMagic 1-64; R2000 1-8, several only among 1-4)'),
  address: z.number().int().optional().describe('Reader address 0-255 (R2000, Chafon); default 255 = any'),
  session: z.number().int().optional().describe('R2000: Gen2 session 0-3 of each round (0x8B)'),
  target: z.enum(['A', 'B']).optional().describe('R2000: inventoried flag target with `session`'),
  roundsPerPoll: z.number().int().optional().describe('R2000: inventory rounds per poll, 1-255 (default 1)'),
  pollIntervalMs: z
    .number()
    .int()
    .optional()
    .describe(
      'Pause between two polls, ms (R2000 0-60000, default 0; Chafon 50-60000, default 250; PN532 50-10000, default 250)',
    ),
  mode: z
    .enum(['answer', 'scan'])
    .optional()
    .describe('Chafon: `answer` (polled, default) or `scan` (the reader pushes tags)'),
  scanTimeMs: z
    .number()
    .int()
    .optional()
    .describe('Chafon: inventory scan time, 300-25500 ms in steps of 100 (default 1000)'),
});

const thingmagic = z.strictObject({
  region: z.enum(regionNames(THINGMAGIC_REGIONS)).optional(),
  readPowerDbm: z.number().min(0).max(31.5).optional(),
  antennas: z.array(z.number().int().min(1).max(64)).min(1).optional(),
});

const r2000 = z.strictObject({
  region: z.enum(regionNames(R2000_REGIONS)).optional(),
  readPowerDbm: z.number().int().min(0).max(R2000_MAX_POWER_DBM).optional(),
  antennas: z.array(z.number().int().min(1).max(R2000_MAX_ANTENNA)).min(1).max(4).optional(),
  address: address.optional(),
  session: z.number().int().min(0).max(3).optional(),
  target: z.enum(['A', 'B']).optional(),
  roundsPerPoll: z.number().int().min(1).max(255).optional(),
  pollIntervalMs: z.number().int().min(0).max(60_000).optional(),
});

const chafon = z.strictObject({
  region: z.enum(regionNames(CHAFON_BANDS)).optional(),
  readPowerDbm: z.number().int().min(0).max(CHAFON_MAX_POWER_DBM).optional(),
  address: address.optional(),
  mode: z.enum(['answer', 'scan']).optional(),
  scanTimeMs: z
    .number()
    .int()
    .min(CHAFON_MIN_SCAN_TIME_MS)
    .max(CHAFON_MAX_SCAN_TIME_MS)
    .multipleOf(CHAFON_SCAN_TIME_UNIT_MS)
    .optional(),
  pollIntervalMs: z.number().int().min(CHAFON_MIN_POLL_MS).max(CHAFON_MAX_POLL_MS).optional(),
});

const pn532 = z.strictObject({
  pollIntervalMs: z.number().int().min(PN532_MIN_POLL_MS).max(PN532_MAX_POLL_MS).optional(),
});

const em4100Ascii = z.strictObject({});

const perDriver: Readonly<Record<string, z.ZodObject>> = {
  thingmagic,
  r2000,
  chafon,
  pn532,
  'em4100-ascii': em4100Ascii,
};

export const readerDrivers = ['thingmagic', 'r2000', 'chafon', 'pn532', 'em4100-ascii'] as const;

/** The settings problems of one reader, by its driver, as issues under `settings`. */
export function checkReaderSettings(
  reader: { driver: string; settings: Record<string, unknown> },
  context: z.core.$RefinementCtx,
): void {
  const schema = perDriver[reader.driver];
  if (!schema) return;
  const known = Object.keys(schema.shape);
  for (const [key, value] of Object.entries(reader.settings)) {
    if (value === undefined || known.includes(key)) continue;
    context.addIssue({
      code: 'custom',
      path: ['settings', key],
      input: value,
      message: `${reader.driver} readers have no "${key}" setting (theirs: ${known.join(', ') || 'none'})`,
    });
  }
  const present = Object.fromEntries(Object.entries(reader.settings).filter(([key]) => known.includes(key)));
  const result = schema.safeParse(present, { error: namingReceivedValue });
  if (result.success) return;
  for (const issue of result.error.issues) {
    // The shape every reader shares has reported a value of the wrong type already.
    if (issue.code === 'invalid_type' && issue.expected !== 'int') continue;
    context.addIssue({
      code: 'custom',
      path: ['settings', ...issue.path],
      input: undefined,
      message: `${issue.message} (${reader.driver})`,
    });
  }
}
