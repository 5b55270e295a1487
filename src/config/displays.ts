import { z } from 'zod';
import { SCREEN_TEMPLATES } from '../shared/screen.js';
import { id, locale, serialPath } from './common.js';

export { SCREEN_TEMPLATES, type ScreenTemplateName } from '../shared/screen.js';

const common = {
  id,
  locale,
  idleAfterMs: z
    .number()
    .int()
    .min(1000)
    .max(3_600_000)
    .default(20_000)
    .describe('A screen other than idle, take and settling goes back to idle after this long'),
};

/** Retained JSON on `<base>/displays/<id>`, for a screen app in any language. */
const mqttDisplay = z.strictObject({ ...common, driver: z.literal('mqtt') });

/** An HD44780 character display behind a UART backpack. */
const serialLcd = z.strictObject({
  ...common,
  driver: z.literal('serial-lcd'),
  port: serialPath,
  baudRate: z.number().int().min(300).max(115_200).default(9600),
  model: z
    .enum(['serlcd', 'matrix-orbital'])
    .describe('serlcd: SparkFun SerLCD/OpenLCD; matrix-orbital: Adafruit USB+Serial backpack'),
  size: z.enum(['16x2', '20x4']).default('16x2'),
});

export const displaySchema = z.discriminatedUnion('driver', [mqttDisplay, serialLcd]);

/**
 * Screen texts: locale → template → lines. Placeholders: {name}, {cabinet}, {total}, {count},
 * {reason}, {tag}, {product}, {usual}; a line `{items}` becomes one line per item. A line whose
 * placeholders are all empty is left out. Given templates replace the shipped ones of that locale.
 */
export const displayTextsSchema = z
  .record(
    z.string().regex(/^[a-z]{2,3}(-[A-Z][A-Za-z]{1,3})?$/, 'must be a locale tag such as en or zh-TW'),
    z.partialRecord(z.enum(SCREEN_TEMPLATES), z.array(z.string().max(200)).min(1).max(12)),
  )
  .default({});

export type DisplayConfig = z.output<typeof displaySchema>;
export type SerialLcdConfig = z.output<typeof serialLcd>;
export type DisplayTexts = z.output<typeof displayTextsSchema>;
