import { z } from 'zod';
import { id } from './common.js';
import { SCREEN_TEMPLATES } from './displays.js';

const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item).min(1)]).transform((value) => (Array.isArray(value) ? value : [value]));

const eventType = z
  .string()
  .regex(/^[a-z]+(\.[A-Za-z]+)+$/, 'must be an event type such as tag.arrived or security.alarm');

/** What an event must match for the rule to fire; every given field must match. */
const ruleFilter = z.strictObject({
  zone: oneOrMany(id).optional(),
  reader: oneOrMany(id).optional(),
  tag: z
    .string()
    .min(1)
    .optional()
    .describe('A GS1 pattern URI (urn:epc:pat:sgtin-96:*.0614141.*.*) or hex digits with a trailing *'),
  sku: oneOrMany(z.string().min(1)).optional(),
  gtin: oneOrMany(z.string().regex(/^[0-9]{14}$/, 'must be a 14-digit GTIN')).optional(),
  category: oneOrMany(z.string().min(1)).optional(),
  kind: oneOrMany(z.string().min(1)).optional().describe('security.alarm kind'),
  cabinet: oneOrMany(id).optional(),
  sensor: oneOrMany(id).optional(),
  value: oneOrMany(z.union([z.string(), z.number()]))
    .optional()
    .describe('sensor.changed value'),
  channel: oneOrMany(z.string().min(1)).optional().describe('sensor.changed channel'),
  above: z
    .number()
    .optional()
    .describe('sensor.changed value above this number (fires when it crosses, once per crossing)'),
  below: z
    .number()
    .optional()
    .describe('sensor.changed value below this number (with above: between the two)'),
  forMs: z
    .number()
    .int()
    .min(1)
    .max(86_400_000)
    .optional()
    .describe('With above/below: the value must stay there this long before the rule fires'),
});

const action = z.union([
  z.strictObject({
    pulse: z.strictObject({
      actuator: id,
      value: z.string().min(1).default('on'),
      ms: z.number().int().min(10).max(600_000),
    }),
  }),
  z.strictObject({ set: z.strictObject({ actuator: id, value: z.string().min(1) }) }),
  z.strictObject({
    show: z.strictObject({
      display: id,
      template: z.enum(SCREEN_TEMPLATES),
      forMs: z.number().int().min(500).max(3_600_000).optional(),
    }),
  }),
  z.strictObject({
    publish: z.strictObject({
      topic: z
        .string()
        .min(1)
        .regex(/^[^#+]+$/, 'must be a topic without wildcards')
        .describe('Relative to the base topic'),
      payload: z.unknown().optional().describe('JSON; default: the event itself'),
      retain: z.boolean().default(false),
      qos: z.union([z.literal(0), z.literal(1)]).default(1),
    }),
  }),
]);

export const ruleSchema = z.strictObject({
  id,
  on: oneOrMany(eventType),
  when: ruleFilter.default({}),
  do: z.array(action).min(1),
  rateLimit: z
    .strictObject({
      count: z.number().int().min(1).max(10_000).default(1),
      perMs: z.number().int().min(1).max(86_400_000),
      per: z.enum(['rule', 'tag']).default('rule'),
    })
    .optional()
    .describe('At most `count` firings per `perMs`, for the rule as a whole or per tag'),
  enabled: z.boolean().default(true),
});

export type RuleConfig = z.output<typeof ruleSchema>;
export type RuleAction = RuleConfig['do'][number];
