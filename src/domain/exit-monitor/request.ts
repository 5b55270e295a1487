import { z } from 'zod';
import { describeValue } from '../../shared/issue-messages.js';

export const MAX_PAID_TAGS = 1000;
export const MAX_PAID_TTL_MS = 90 * 86_400_000;
/** Below a second is taken for a unit mistake (seconds sent as milliseconds), not a wish. */
export const MIN_PAID_TTL_MS = 1000;
export const MAX_REFERENCE_LENGTH = 128;
/** Gen2 EPC memory holds at most 62 bytes; an EM4100 id is 5, an NFC UID 4 to 10. */
const MAX_TAG_BYTES = 62;
const HEX = /^[0-9A-Fa-f]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A tag identifier as events carry it: whole bytes of hex, returned uppercase. */
const tagId = z.string().transform((value, context) => {
  const problem = !HEX.test(value)
    ? 'expected hex digits'
    : value.length % 2 !== 0
      ? 'expected whole bytes (an even number of hex digits)'
      : value.length > MAX_TAG_BYTES * 2
        ? `at most ${MAX_TAG_BYTES * 2} hex digits`
        : undefined;
  if (problem === undefined) return value.toUpperCase();
  context.issues.push({ code: 'custom', input: value, message: `${problem}, got ${describeValue(value)}` });
  return z.NEVER;
});

/** Fields of `tags/paid`; the registry makes the object strict and adds `transaction`/`expiresAt`. */
export const tagsPaidFields = {
  tags: z
    .array(tagId)
    .min(1, 'give at least one tag')
    .max(MAX_PAID_TAGS, `at most ${MAX_PAID_TAGS} tags per request`),
  ttlMs: z
    .number()
    .int('expected whole milliseconds')
    .min(MIN_PAID_TTL_MS, `at least ${MIN_PAID_TTL_MS} ms`)
    .max(MAX_PAID_TTL_MS, `at most ${MAX_PAID_TTL_MS} ms (90 days)`)
    .optional(),
  reference: z
    .string()
    .min(1, 'must not be empty')
    .max(MAX_REFERENCE_LENGTH, `at most ${MAX_REFERENCE_LENGTH} characters`)
    .refine((value) => !CONTROL.test(value), 'must not contain control characters')
    .optional(),
} as const;

export interface TagsPaidRequest {
  tags: string[];
  ttlMs?: number | undefined;
  reference?: string | undefined;
}

export interface TagsPaidResponse {
  /** Distinct tags of the request, all now paid. */
  marked: number;
  /** Each of them is paid at least until then (a longer mark a tag already had is kept). */
  until: string;
  reference?: string;
}
