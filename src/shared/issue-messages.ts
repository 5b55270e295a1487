import { z } from 'zod';

/**
 * Validation messages that name the value they got. Zod's own say `Invalid option: expected one of
 * "thingmagic"|"em4100-ascii"` and leave the operator to find what the file actually says; a config
 * file, a capture header and a request payload all read better with `, got "foo"` on the end.
 */

/** Long strings are cut: a pasted blob must not flood the terminal or the log. */
const MAX_QUOTED_CHARS = 40;

/** A received value as it would appear in a JSON file: strings quoted, containers by kind only. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > MAX_QUOTED_CHARS ? `${value.slice(0, MAX_QUOTED_CHARS)}…` : value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/**
 * What to say of a number that is not finite. JSON has no Infinity, but `JSON.parse` turns a number
 * too large for a double (`1e309`) into one, and zod's "expected number" for it reads as nonsense.
 */
export function nonFiniteProblem(value: number): string {
  if (Number.isNaN(value)) return 'must be a finite number, got NaN';
  const sign = value < 0 ? '-' : '';
  return `must be a finite number, got ${sign}Infinity (a number too large to represent, such as ${sign}1e309)`;
}

/** Issue codes whose message is about the value itself (not, say, an unknown key). */
const ABOUT_THE_VALUE = new Set([
  'invalid_type',
  'invalid_value',
  'invalid_format',
  'invalid_union',
  'too_big',
  'too_small',
  'not_multiple_of',
]);

/** Sizes of these are bounded, not their value: "expected array to have >=1 items, got an array" says nothing. */
const SIZED = new Set(['array', 'set', 'map', 'file']);

function localeMessage(issue: z.core.$ZodRawIssue): string {
  const message = z.config().localeError?.(issue);
  if (typeof message === 'string') return message;
  return message?.message ?? 'Invalid input';
}

/**
 * A zod error map: zod's English message plus `, got <value>`. Pass it per parse
 * (`schema.safeParse(input, { error: namingReceivedValue })`); messages a schema sets itself win.
 */
export const namingReceivedValue: z.core.$ZodErrorMap = (issue) => {
  if (!ABOUT_THE_VALUE.has(issue.code ?? '')) return undefined;
  // Zod says "expected string, received undefined", which reads as "missing"; keep it.
  if (issue.input === undefined) return undefined;
  if ((issue.code === 'too_big' || issue.code === 'too_small') && SIZED.has(String(issue.origin)))
    return undefined;
  if (typeof issue.input === 'number' && !Number.isFinite(issue.input)) return nonFiniteProblem(issue.input);
  // Zod's "received string" is replaced: the value shows its type and says more.
  const base =
    issue.code === 'invalid_type' ? `Invalid input: expected ${issue.expected}` : localeMessage(issue);
  return `${base}, got ${describeValue(issue.input)}`;
};

/** `readers[1].reconnect.maxMs`; empty for the document as a whole. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** `ports[0].driver: Invalid option: …, got "foo"`; `root` names an empty path. */
export function formatIssue(issue: z.core.$ZodIssue, root = '(root)'): string {
  return `${formatPath(issue.path) || root}: ${issue.message}`;
}

/** Every issue, `; `-separated, for a one-line error. */
export function formatIssues(issues: ReadonlyArray<z.core.$ZodIssue>, root = '(root)'): string {
  return issues.map((issue) => formatIssue(issue, root)).join('; ');
}
