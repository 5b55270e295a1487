import { z } from 'zod';
import { id } from './common.js';

/** How long a paid mark lasts unless the config says otherwise (also without an exit monitor). */
export const DEFAULT_PAID_TTL_MS = 86_400_000;

/**
 * Exit doors: a tag that walks a door's path (the `doors` section, inside → outside) without being
 * paid raises `security.alarm` kind `unpaid_exit`. Paid = sold in a completed purchase, or marked
 * over MQTT `tags/paid` by a point of sale (kept for `paidTtlMs`, across restarts).
 */
export const exitMonitorSchema = z.strictObject({
  doors: z.array(id).min(1).describe('Ids of `doors` entries to watch'),
  unknownTags: z
    .enum(['alarm', 'log', 'ignore'])
    .default('alarm')
    .describe('A tag that maps to no catalog product: alarm like an unpaid one, log it, or ignore it'),
  alarmIntervalMs: z
    .number()
    .int()
    .min(1000)
    .max(86_400_000)
    .default(60_000)
    .describe('At most one alarm per tag in this long'),
  paidTtlMs: z
    .number()
    .int()
    .min(60_000)
    .max(90 * 86_400_000)
    .default(DEFAULT_PAID_TTL_MS)
    .describe('How long a paid mark lasts'),
  alarm: z
    .strictObject({
      actuators: z.array(id).default([]).describe('Pulsed on every unpaid exit (a buzzer, a light)'),
      value: z.string().min(1).default('on'),
      pulseMs: z.number().int().min(100).max(600_000).default(3000),
      display: id.optional().describe('Shows the alarm screen'),
    })
    .optional()
    .describe('The default rules: what an unpaid exit sets off'),
});

export type ExitMonitorConfig = z.output<typeof exitMonitorSchema>;
