/** The store's defaults, in a module of their own so that the config schema can use them without loading SQLite. */
export const DEFAULT_MAX_ROWS = 1_000_000;
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_BUFFERED_EVENTS = 10_000;
export const DEFAULT_RESERVE_BYTES = 1024 * 1024;
