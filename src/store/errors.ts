/**
 * Why the outbox cannot work, said so that the person reading the log knows what to do. Always names
 * the database file; the file itself is never deleted or replaced to make an error go away, because
 * it may hold purchases that were never published.
 */
export class OutboxError extends Error {
  override readonly name = 'OutboxError';

  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The `code` of a Node.js or SQLite error (`ENOENT`, `SQLITE_NOTADB`, ...) when it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
