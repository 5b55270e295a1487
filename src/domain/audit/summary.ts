import { REDACTED } from '../../shared/redaction.js';

/**
 * What the audit keeps of a request: never personal data. Card ids, customer references and names
 * (and anything else the audit cannot know to be harmless) are reduced to their shape, and removed
 * from the outcome text (a handler's error may quote a card id).
 */

/** Fields every request may carry; the audit has columns for them or keeps nothing of them. */
const COMMON_FIELDS: ReadonlySet<string> = new Set(['transaction', 'expiresAt', 'client', 'ts', 'signature']);

/**
 * Values kept as they are: ids of the gateway's own devices from its config, and settings. Anything
 * not listed here is summarised by its shape only.
 */
const KEPT_VALUES: Readonly<Record<string, readonly string[]>> = {
  'actuators/set': ['actuator', 'value', 'pulseMs'],
  'readers/restart': ['reader'],
  'session/start': ['cabinet'],
  'session/cancel': ['cabinet'],
  'cabinets/resume': ['cabinet'],
  'tags/paid': ['ttlMs'],
  'homeassistant/lock': ['cabinet', 'command'],
};

/** The key under which fields the command does not have are counted (their names may be data too). */
export const UNKNOWN_FIELDS = '(unknown fields)';
export { REDACTED };

const MAX_KEPT_STRING = 64;
const MAX_OUTCOME_SCANNED = 4000;
export const MAX_OUTCOME_LENGTH = 1000;
const MIN_REDACTED_LENGTH = 2;

export type Summary = Record<string, string | number | boolean>;

/**
 * `{field: value or shape}` of a decoded request, e.g. `{"actuator":"lock","value":"open"}` or
 * `{"customers":"<2 items>","remove":"<0 items>"}`; `null` when there was nothing decoded.
 */
export function summarise(command: string, fields: readonly string[], payload: unknown): Summary | null {
  if (payload === undefined) return null;
  if (!isRecord(payload)) return { '(payload)': shapeOf(payload) };
  const kept = KEPT_VALUES[command] ?? [];
  const summary: Summary = {};
  let unknown = 0;
  for (const key of Object.keys(payload).sort()) {
    if (COMMON_FIELDS.has(key)) continue;
    if (!fields.includes(key)) {
      unknown++;
      continue;
    }
    const value = payload[key];
    summary[key] = kept.includes(key) && isKeptValue(value) ? value : shapeOf(value);
  }
  if (unknown > 0) summary[UNKNOWN_FIELDS] = unknown;
  return summary;
}

/**
 * The outcome with every string of the payload that is not kept (and every unknown key) replaced by
 * `[redacted]`, whatever its case, then cut to {@link MAX_OUTCOME_LENGTH} characters.
 */
export function redactOutcome(
  outcome: string,
  command: string,
  fields: readonly string[],
  payload: unknown,
): string {
  let text = outcome.slice(0, MAX_OUTCOME_SCANNED);
  const lower = text.toLowerCase();
  const candidates = [...new Set(sensitiveStrings(command, fields, payload))]
    .filter((value) => value.length >= MIN_REDACTED_LENGTH && lower.includes(value.toLowerCase()))
    .sort((a, b) => b.length - a.length);
  if (candidates.length > 0) {
    text = text.replace(new RegExp(candidates.map(escapeRegExp).join('|'), 'gi'), REDACTED);
  }
  return text.length > MAX_OUTCOME_LENGTH ? `${text.slice(0, MAX_OUTCOME_LENGTH)}…` : text;
}

function sensitiveStrings(command: string, fields: readonly string[], payload: unknown): string[] {
  if (!isRecord(payload)) return collectStrings(payload);
  const kept = KEPT_VALUES[command] ?? [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(payload)) {
    if (COMMON_FIELDS.has(key)) continue;
    if (!fields.includes(key)) found.push(key);
    if (kept.includes(key) && isKeptValue(value)) continue;
    found.push(...collectStrings(value));
  }
  return found;
}

/** Every string in a decoded JSON value, object keys included. Iterative: payloads may nest deeply. */
function collectStrings(root: unknown): string[] {
  const found: string[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') found.push(value);
    else if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else if (isRecord(value)) {
      for (const [key, item] of Object.entries(value)) {
        found.push(key);
        stack.push(item);
      }
    }
  }
  return found;
}

function shapeOf(value: unknown): string {
  if (value === null) return '<null>';
  if (Array.isArray(value)) return `<${value.length} item${value.length === 1 ? '' : 's'}>`;
  if (typeof value === 'string') return '<text>';
  if (typeof value === 'object') return '<object>';
  return `<${typeof value}>`;
}

function isKeptValue(value: unknown): value is string | number | boolean {
  return (
    (typeof value === 'string' && value.length <= MAX_KEPT_STRING) ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    typeof value === 'boolean'
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
