import { z } from 'zod';

/**
 * A reader's `settings`: one object whose keys each reader family honours some of. The shape below
 * is their union, for editors and the JSON schema; the per-family checks (the app's
 * reader-family-settings.ts, which knows the protocols' ranges) decide, so that a Chafon band given
 * to an R2000 or a `session` given to a PN532 is an error naming the value rather than something
 * the reader is silently never told.
 */
export const readerSettingsSchema = z.strictObject({
  region: z
    .string()
    .optional()
    .describe(
      'Frequency plan; unset = leave the reader as it is. ThingMagic: NA, EU, EU3, KR, KR2, IN, JP, PRC, AU, NZ, NA2, NA3, OPEN; R2000: FCC, ETSI, CHN; Chafon: US, EU, EU3, CN1, CN2, KR',
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

/** The reader families a config may name (each a driver of `src/protocols`). */
export const readerDrivers = ['thingmagic', 'r2000', 'chafon', 'pn532', 'em4100-ascii'] as const;
