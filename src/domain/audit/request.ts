import { z } from 'zod';
import type { CommandRegistry } from '../../shared/extension.js';
import type { AuditEntry, AuditLog } from './audit-log.js';

export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 1000;

const dateTime = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time' });

/** Fields of `audit/get`; the registry makes the object strict and adds the common fields. */
export const auditGetFields = {
  /** Inclusive. */
  from: dateTime.optional(),
  /** Exclusive. */
  to: dateTime.optional(),
  command: z.string().min(1).max(128).optional(),
  limit: z.number().int().min(1).max(MAX_AUDIT_LIMIT).optional(),
};

export interface AuditAnswer {
  entries: AuditEntry[];
  /** More rows match than `limit`: narrow `from`/`to` (entries are newest first). */
  more: boolean;
}

/**
 * Registers `audit/get`: the audit trail, newest first. It changes nothing, so it is not audited;
 * but who did what is sensitive, so like the allow-list it needs a signature when signatures are
 * required (one given is always checked).
 */
export function registerAuditRequests(registry: CommandRegistry, log: AuditLog): () => void {
  return registry.register(
    'audit/get',
    auditGetFields,
    ({ from, to, command, limit }): AuditAnswer => {
      const fromMs = from === undefined ? undefined : Date.parse(from);
      const toMs = to === undefined ? undefined : Date.parse(to);
      if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) {
        throw new Error(`from (${from}) is after to (${to})`);
      }
      return log.query({
        ...(fromMs === undefined ? {} : { fromMs }),
        ...(toMs === undefined ? {} : { toMs }),
        ...(command === undefined ? {} : { command }),
        limit: limit ?? DEFAULT_AUDIT_LIMIT,
      });
    },
    { owner: 'audit', sensitive: true },
  );
}
