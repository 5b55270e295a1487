import type { ReaderMessage } from '../../shared/decoding.js';

/**
 * The text of one line of the `lines` protocol (DESIGN.md) → messages: `<channel>=<value>`, one
 * JSON object of channels, a `#` device log, or nothing for a blank line.
 */

/** Longest line, in bytes, without its `\n` or `\r\n` terminator. */
export const MAX_LINE_BYTES = 256;

/**
 * Channel names: letters, digits, `_`, `.`, `-`, 1 to 64 of them. Narrow on purpose: they end up
 * in events, logs and rules, where spaces, `=`, `/`, `#` or `+` would be ambiguous.
 */
export const CHANNEL_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * What `<channel>=<value>` values become numbers: JSON-style decimals without exponent, leading
 * zeros or `+` (so `007`, `1e3` and `+5` stay strings, a PIN or a code is not mangled), with at
 * most 15 digits, which a double holds exactly.
 */
const DECIMAL_PATTERN = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;
const MAX_EXACT_DIGITS = 15;

export const LinesDecodeReason = {
  tooLong: `line longer than ${MAX_LINE_BYTES} bytes`,
  nonPrintable: 'non-printable character',
  invalidUtf8: 'invalid UTF-8',
  notAssignment: 'neither <channel>=<value> nor a JSON object',
  invalidChannel: 'invalid channel name',
  invalidJson: 'invalid JSON',
  unsupportedJsonValue: 'JSON value is not a string, number or boolean',
  reset: 'partial line discarded by reset',
} as const;

export type LinesDecodeReason = (typeof LinesDecodeReason)[keyof typeof LinesDecodeReason];

/** A rejected line. */
export interface LineError {
  error: LinesDecodeReason;
}

export function isValidChannel(channel: string): boolean {
  return CHANNEL_PATTERN.test(channel);
}

/** True for C0 control characters other than TAB, and DEL: nothing a device should print. */
export function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

/** A `<channel>=<value>` value: a number when it is a plain decimal, otherwise the trimmed text. */
export function parseValue(text: string): string | number {
  const value = text.trim();
  if (!DECIMAL_PATTERN.test(value)) return value;
  let digits = value.length;
  if (value.startsWith('-')) digits--;
  if (value.includes('.')) digits--;
  return digits <= MAX_EXACT_DIGITS ? Number(value) : value;
}

/**
 * Messages for one line (without its terminator): none for a blank line, one `log` for `#…`, one
 * `sensor` per channel otherwise. A line with any bad part yields only its error, so a half
 * applied JSON object never reaches the rules.
 */
export function parseLine(line: string): ReaderMessage[] | LineError {
  const text = line.trim();
  if (text === '') return [];
  if (hasControlCharacter(text)) return { error: LinesDecodeReason.nonPrintable };
  if (text.startsWith('#')) return [{ kind: 'log', text: text.slice(1).trim() }];
  if (text.startsWith('{')) return parseJsonLine(text);
  const equals = text.indexOf('=');
  if (equals < 0) return { error: LinesDecodeReason.notAssignment };
  const channel = text.slice(0, equals).trim();
  if (!isValidChannel(channel)) return { error: LinesDecodeReason.invalidChannel };
  return [{ kind: 'sensor', channel, value: parseValue(text.slice(equals + 1)) }];
}

/**
 * `{"door":"open","temp":4.2}`: the device typed its values, so strings stay strings and numbers
 * numbers; booleans become "true"/"false", as `door=true` would.
 */
function parseJsonLine(text: string): ReaderMessage[] | LineError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: LinesDecodeReason.invalidJson };
  }
  // JSON text starting with `{` that parses is an object: neither an array nor null.
  const messages: ReaderMessage[] = [];
  for (const [channel, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (!isValidChannel(channel)) return { error: LinesDecodeReason.invalidChannel };
    let value: string | number;
    if (typeof raw === 'string') {
      if (hasControlCharacter(raw)) return { error: LinesDecodeReason.nonPrintable };
      value = raw;
    } else if (typeof raw === 'number' && Number.isFinite(raw)) {
      value = raw;
    } else if (typeof raw === 'boolean') {
      value = String(raw);
    } else {
      return { error: LinesDecodeReason.unsupportedJsonValue };
    }
    messages.push({ kind: 'sensor', channel, value });
  }
  return messages;
}
