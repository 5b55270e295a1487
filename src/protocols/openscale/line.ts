/**
 * One line of the SparkFun OpenScale's serial output (firmware/OpenScale/OpenScale.ino, `loop()`),
 * without its CR LF:
 *
 *   [millis,]<weight>,<kg|lbs>,[raw,][local °C,][remote °C or 0,]
 *
 * Every field ends with a comma, the last one too. The weight is `Serial.print(float, decimals)`
 * (0 to 4 decimals as set in the menu, 2 by default), so it may be negative (below the tare) or
 * `nan`/`inf`/`ovf` (an uncalibrated scale). The timestamp is `millis()` stored in a `long`: it
 * goes negative after 24.8 days up. Anything else the firmware prints is text: the boot banner,
 * "Readings:", and the `x` menu.
 */

/** Grams per unit the firmware prints; lbs is the international avoirdupois pound. */
const GRAMS_PER_UNIT = { kg: 1000, lbs: 453.59237 } as const;
export type OpenScaleUnit = keyof typeof GRAMS_PER_UNIT;

/** What `Serial.print(float, n)` writes for a finite value (n = 0 writes no point). */
const DECIMAL = /^-?[0-9]{1,10}(?:\.[0-9]{1,6})?$/;
/** `millis()` as a signed 32-bit `long`. */
const TIMESTAMP = /^-?[0-9]{1,10}$/;
/** Arduino's Print::printFloat for a value it cannot print. */
const NOT_A_NUMBER = /^-?(?:nan|inf|ovf)$/;
/** A menu entry (`1) Tare scale to zero [8402113]`, `x) Exit`): starts like a reading, is text. */
const MENU_ENTRY = /^[0-9a-z]\) /;
/** displaySystemHeader() (Menus.ino), printed at power-up and atop the `x` menu. */
const BANNER = /^Serial Load Cell Converter version (\S{1,16})/;

/** `DecodeError.reason` values, stable so that tests and dashboards can match them. */
export const OpenScaleDecodeReason = {
  notPrintable: 'non-printable bytes in a line (wrong baud rate or line noise)',
  nulBytes: 'NUL bytes in a line (adapter unplugged or scale powered down)',
  tooLong: 'line too long',
  malformedReading: 'malformed reading',
  noWeight: 'weight not a number (scale not calibrated, or no load cell)',
  reset: 'partial line discarded by reset',
} as const;

export type OpenScaleLine =
  | { kind: 'reading'; grams: number; unit: OpenScaleUnit }
  | { kind: 'text'; text: string; firmware?: string }
  | { kind: 'error'; reason: string };

/** Grams to 0.1 g: finer than any load cell the board is used with, and free of float noise. */
export function toGrams(value: number, unit: OpenScaleUnit): number {
  const grams = Math.round(value * GRAMS_PER_UNIT[unit] * 10) / 10;
  return grams === 0 ? 0 : grams;
}

/**
 * Classifies a printable line (no control bytes: the decoder has checked). A line with the unit
 * where the firmware puts it is a reading and must be one in full; a line starting like a number is
 * a reading gone wrong; any other line is the firmware's text.
 */
export function parseOpenScaleLine(text: string): OpenScaleLine {
  const fields = text.split(',');
  // The firmware ends every field with a comma; a line without that last comma is accepted.
  if (fields.length > 1 && fields[fields.length - 1] === '') fields.pop();
  const unitAt = fields.findIndex((field, index) => index <= 2 && (field === 'kg' || field === 'lbs'));
  if (unitAt < 1) return looksNumeric(text) ? malformed() : textLine(text);
  if (unitAt === 2 && !TIMESTAMP.test(fields[0] as string)) return malformed();
  // raw reading, local and remote temperature: at most three more, each a number.
  const extra = fields.slice(unitAt + 1);
  if (extra.length > 3 || !extra.every((field) => DECIMAL.test(field))) return malformed();
  const weight = fields[unitAt - 1] as string;
  if (NOT_A_NUMBER.test(weight)) return { kind: 'error', reason: OpenScaleDecodeReason.noWeight };
  if (!DECIMAL.test(weight)) return malformed();
  const unit = fields[unitAt] as OpenScaleUnit;
  return { kind: 'reading', grams: toGrams(Number(weight), unit), unit };
}

function looksNumeric(text: string): boolean {
  if (MENU_ENTRY.test(text)) return false;
  return /^[-+.0-9]/.test(text) || NOT_A_NUMBER.test(text.split(',')[0] as string);
}

function textLine(text: string): OpenScaleLine {
  const banner = BANNER.exec(text);
  return banner ? { kind: 'text', text, firmware: banner[1] as string } : { kind: 'text', text };
}

function malformed(): OpenScaleLine {
  return { kind: 'error', reason: OpenScaleDecodeReason.malformedReading };
}
