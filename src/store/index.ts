export { DEFAULT_RESERVE_BYTES, type DiskHealth } from './disk-guard.js';
export { OutboxError, StoreError } from './errors.js';
export { LEGACY_FILE } from './legacy-outbox.js';
export {
  DEFAULT_MAX_BUFFERED_EVENTS,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_ROWS,
  type OutboxOptions,
} from './outbox-options.js';
export { SqliteOutbox } from './sqlite-outbox.js';
export { STORE_FILE, Store, type StoreHealth, type StoreOptions } from './store.js';
export { LOCK_FILE, type LockHolder, StoreLockedError } from './store-lock.js';
export type { EventPriority, Outbox, OutboxRecord, OutboxStats } from './types.js';
export { priorityOf } from './types.js';
