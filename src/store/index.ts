export { OutboxError } from './errors.js';
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS, type OutboxOptions, SqliteOutbox } from './sqlite-outbox.js';
export type { EventPriority, Outbox, OutboxRecord, OutboxStats } from './types.js';
export { priorityOf } from './types.js';
