import { z } from 'zod';
import { id } from './common.js';

/**
 * Shopper engagement on shelves and in open fridges: a product that leaves its zone and comes back
 * within `putBackWithinMs` is picked up then put back; one that leaves and is bought closes the
 * funnel. Counts per product and store day.
 */
export const engagementSchema = z.strictObject({
  zones: z.array(id).min(1).describe('Shelves and open fridges whose products are watched'),
  putBackWithinMs: z
    .number()
    .int()
    .min(1000)
    .max(3_600_000)
    .default(300_000)
    .describe('Back in the zone within this long after leaving: put back'),
  timeZone: z
    .string()
    .min(1)
    .default('UTC')
    .refine(
      (zone) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be an IANA time zone such as Europe/Berlin' },
    )
    .describe("The store's time zone: days are store days"),
  retentionDays: z.number().int().min(1).max(3660).default(400),
});

export type EngagementConfig = z.output<typeof engagementSchema>;
