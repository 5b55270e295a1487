/**
 * Why the store cannot work, said so that the person reading the log knows what to do. Always names
 * the database file; the file itself is never deleted or replaced to make an error go away, because
 * it may hold purchases that were never published.
 */
export class OutboxError extends Error {
  override readonly name = 'OutboxError';
  /**
   * The write failed because the disk (or the database's page limit) is full. Expected to repeat
   * until space comes back, so callers log it once per episode (`Store.health().diskFull`).
   */
  readonly diskFull: boolean;

  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown; diskFull?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.diskFull = options?.diskFull ?? false;
  }
}

/** The same class under the name of what it now guards: the whole gateway store. */
export const StoreError = OutboxError;
export type StoreError = OutboxError;

/** The `code` of a Node.js or SQLite error (`ENOENT`, `SQLITE_NOTADB`, ...) when it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

/** SQLITE_FULL: the filesystem, or `max_page_count`, left no room for the write. */
export function isDiskFull(error: unknown): boolean {
  if (error instanceof OutboxError) return error.diskFull;
  return errorCode(error) === 'SQLITE_FULL' || errorCode(error) === 'ENOSPC';
}
