import { z } from 'zod';

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

const common = {
  transaction: transactionSchema.optional(),
  /** A request still queued when the operator has moved on (e.g. a restart) must not run late. */
  expiresAt: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time' }).optional(),
};

const name = z.string().min(1, 'must not be empty').max(128, 'at most 128 characters');

export const requestSchemas = {
  ping: z.strictObject({ ...common }),
  'inventory/get': z.strictObject({ ...common, zone: name.optional() }),
  'readers/get': z.strictObject({ ...common, reader: name.optional() }),
  'readers/restart': z.strictObject({ ...common, reader: name }),
  'config/get': z.strictObject({ ...common }),
  'outbox/stats': z.strictObject({ ...common }),
} as const;

export type RequestCommand = keyof typeof requestSchemas;

export type RequestPayload<C extends RequestCommand> = z.infer<(typeof requestSchemas)[C]>;

export const REQUEST_COMMANDS = Object.keys(requestSchemas) as RequestCommand[];

export function isRequestCommand(command: string): command is RequestCommand {
  return Object.hasOwn(requestSchemas, command);
}

/** Zod's defaults read "Invalid input: expected string, received undefined"; operators want shorter. */
const concise: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return 'Required';
  return `expected ${issue.expected}, received ${describe(issue.input)}`;
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export type ParseResult<C extends RequestCommand> =
  | { ok: true; value: RequestPayload<C> }
  | { ok: false; error: string };

/** Validates a decoded JSON document; the error text names each offending path (`reader: Required`). */
export function parseRequest<C extends RequestCommand>(command: C, document: unknown): ParseResult<C> {
  const result = requestSchemas[command].safeParse(document, { error: concise });
  if (result.success) return { ok: true, value: result.data as RequestPayload<C> };
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
