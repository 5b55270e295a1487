import { ANSWER_FIELDS } from '../shared/request-refusal.js';
import { MAX_TRANSACTION_LENGTH, type Transaction } from './request-schemas.js';

/**
 * What a request's answer is made of, apart from routing it: the outcome, its JSON, what the audit
 * says of it, and the decoding of what arrived. Pure, so the router keeps only the I/O and the order.
 */

export type Outcome =
  | { ok: true; data: unknown }
  | {
      ok: false;
      error: string;
      handlerFailed?: boolean;
      /** More fields of the error answer (a RequestRefusal's), beside `error`. */
      details?: Readonly<Record<string, unknown>>;
    };

/** Longest command or topic quoted back in an error or a log line; topics may be 64 KiB long. */
const MAX_QUOTED_LENGTH = 100;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Who answers a group request: every member answers, so each answer names its gateway and group. */
export interface AnswerScope {
  gateway: string;
  group: string;
}

export function serialise(
  transaction: Transaction | null,
  outcome: Outcome,
  scope?: AnswerScope,
): { payload: string; outcome: Outcome } {
  if (!outcome.ok) {
    const reserved = scope === undefined ? ANSWER_FIELDS : [...ANSWER_FIELDS, 'gateway', 'group'];
    const extra = Object.fromEntries(
      Object.entries(outcome.details ?? {}).filter(([key]) => !reserved.includes(key)),
    );
    return {
      payload: JSON.stringify({ transaction, ...scope, status: 'error', error: outcome.error, ...extra }),
      outcome,
    };
  }
  try {
    return {
      payload: JSON.stringify({ transaction, ...scope, status: 'ok', data: outcome.data ?? null }),
      outcome,
    };
  } catch (error) {
    // A handler returned something JSON cannot carry (a BigInt, a cycle): an answer, not a crash.
    const reason = error instanceof Error ? error.message : String(error);
    return serialise(
      transaction,
      { ok: false, error: `response not serialisable: ${reason}`, handlerFailed: true },
      scope,
    );
  }
}

/** `refused` when the handler did not run (signature, validation, expiry, size); `error` when it failed. */
export function auditOutcome(outcome: Outcome): string {
  if (outcome.ok) return 'ok';
  return outcome.handlerFailed ? `error: ${outcome.error}` : `refused: ${outcome.error}`;
}

export function decodeJson(payload: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { ok: false };
  }
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // The parser's message quotes the payload, which may hold secrets: it goes nowhere.
    return { ok: false };
  }
}

/** The transaction is echoed even when the rest of the request is invalid, so callers can match. */
export function echoableTransaction(document: unknown): Transaction | null {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return null;
  const value = (document as { transaction?: unknown }).transaction;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.length <= MAX_TRANSACTION_LENGTH) return value;
  return null;
}

export function truncate(text: string): string {
  return text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH)}…` : text;
}

/**
 * The MQTT 5 response topic when it is a valid topic outside `<base>/`: nothing this gateway publishes
 * leaves its base. Undefined when it may be used, or when it is no topic at all (empty, wildcards),
 * which the router replaces by the default one.
 */
export function responseTopicOutside(
  topic: string | undefined,
  base: string | undefined,
): string | undefined {
  if (topic === undefined || base === undefined) return undefined;
  if (topic === '' || /[+#]/.test(topic) || topic.includes('\u0000')) return undefined;
  return topic.startsWith(`${base}/`) ? undefined : topic;
}

/** `<base>` of a `<base>/request/` prefix. */
export function baseOfRequestPrefix(prefix: string): string | undefined {
  const level = '/request/';
  return prefix.endsWith(level) ? prefix.slice(0, -level.length) : undefined;
}
