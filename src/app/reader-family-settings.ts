import { z } from 'zod';
import type { ConfigProblem } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
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
import { formatPath, namingReceivedValue } from '../shared/issue-messages.js';

/**
 * The settings each reader family takes, with the ranges its protocol allows (the constants are the
 * protocols' own). Checked after the config's shape, by `check-config`, `run` and `record`.
 */

const address = z.number().int().min(0).max(255);
const regionNames = (regions: object) => Object.keys(regions) as [string, ...string[]];

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

/**
 * Each family's own settings: its keys, its regions, its ranges (the config's shape is their union),
 * with the family named after the value so that an R2000 given a Chafon band says whose rule it broke.
 */
export function familySettingsProblems(config: GatewayConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  config.readers.forEach((reader, index) => {
    const schema = perDriver[reader.driver];
    if (!schema) return;
    const at = ['readers', index, 'settings'];
    const known = Object.keys(schema.shape);
    const given = Object.entries(reader.settings).filter(([, value]) => value !== undefined);
    for (const [key] of given) {
      if (known.includes(key)) continue;
      problems.push({
        path: formatPath([...at, key]),
        message: `${reader.driver} readers have no "${key}" setting (theirs: ${known.join(', ') || 'none'})`,
      });
    }
    const present = Object.fromEntries(given.filter(([key]) => known.includes(key)));
    const result = schema.safeParse(present, { error: namingReceivedValue });
    if (result.success) return;
    for (const issue of result.error.issues) {
      problems.push({
        path: formatPath([...at, ...issue.path]),
        message: `${issue.message} (${reader.driver})`,
      });
    }
  });
  return problems;
}
