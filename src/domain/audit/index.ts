export {
  AUDIT_MIGRATIONS,
  type AuditEntry,
  type AuditInput,
  AuditLog,
  type AuditLogOptions,
  type AuditQuery,
  PURGE_INTERVAL_MS,
  UNSIGNED,
} from './audit-log.js';
export { auditFeature } from './feature.js';
export {
  type AuditAnswer,
  auditGetFields,
  DEFAULT_AUDIT_LIMIT,
  MAX_AUDIT_LIMIT,
  registerAuditRequests,
} from './request.js';
export {
  MAX_OUTCOME_LENGTH,
  REDACTED,
  redactOutcome,
  type Summary,
  summarise,
  UNKNOWN_FIELDS,
} from './summary.js';
