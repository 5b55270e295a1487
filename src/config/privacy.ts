import { z } from 'zod';

/**
 * Purchase history per customer, for the personal welcome: kept only for customers whose consent
 * flag is set, for `retentionDays`, purged every `purgeIntervalMs`, and deleted on `customers/forget`.
 */
export const privacySchema = z.strictObject({
  historyRetentionDays: z.number().int().min(1).max(3660).default(90),
  purgeIntervalMs: z.number().int().min(60_000).max(86_400_000).default(3_600_000),
  usualItems: z.number().int().min(0).max(5).default(2).describe('Products shown on the welcome screen'),
});

export type PrivacyConfig = z.output<typeof privacySchema>;
