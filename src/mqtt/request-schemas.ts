import { z } from 'zod';
import { nonFiniteProblem } from '../shared/issue-messages.js';

/**
 * Payloads of the requests accepted on `<base>/request/<command>`. Objects are strict so that a
 * misspelt field (`zones` for `zone`) is reported instead of silently widening the answer.
 */

export const MAX_TRANSACTION_LENGTH = 128;

export const transactionSchema = z.union(
  [z.string().max(MAX_TRANSACTION_LENGTH, `at most ${MAX_TRANSACTION_LENGTH} characters`), z.number()],
  { error: 'expected a string or a number' },
);

export type Transaction = z.infer<typeof transactionSchema>;

const name = z.string().min(1, 'must not be empty').max(128, 'at most 128 characters');

/**
 * The fields of a signed request (request-signature.ts). The router checks them before validation;
 * here they are only allowed through the strict schemas (and their types named for the error text).
 */
export const signatureFields = {
  client: z.string().min(1, 'must not be empty').max(64, 'at most 64 characters').optional(),
  ts: z
    .union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()], {
      error: 'expected an ISO 8601 date-time or epoch milliseconds',
    })
    .optional(),
  signature: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex digits')
    .optional(),
};

/** Fields of the gateway's own commands (registered by the controller's requests extension). */
export const gatewayCommandFields = {
  ping: {},
  'inventory/get': { zone: name.optional() },
  'readers/get': { reader: name.optional() },
  'readers/restart': { reader: name },
  'config/get': {},
  'outbox/stats': {},
} as const;

export const requestName = name;

/** The gateway's own commands, sorted as the registry lists them. */
export const GATEWAY_COMMANDS = Object.keys(gatewayCommandFields).sort();

/** Zod's defaults read "Invalid input: expected string, received undefined"; operators want shorter. */
const concise: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return 'Required';
  if (typeof issue.input === 'number' && !Number.isFinite(issue.input)) return nonFiniteProblem(issue.input);
  return `expected ${issue.expected}, received ${describe(issue.input)}`;
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Validates a decoded JSON document; the error text names each offending path (`reader: Required`). */
export function parseRequest<T>(schema: z.ZodType<T>, document: unknown): ParseResult<T> {
  const result = schema.safeParse(document, { error: concise });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: result.error.issues.flatMap(describeIssue).join('; ') };
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown field`);
  }
  return [`${formatPath(issue.path)}: ${issue.message}`];
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return 'payload';
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const text = String(segment);
      return index === 0 ? text : `.${text}`;
    })
    .join('');
}
