import type { Database } from 'better-sqlite3';

/** A field of an event's JSON to overwrite where it holds `value` (a forgotten customer's card). */
export interface Redaction {
  field: 'customer' | 'card' | 'tag';
  value: string;
  replacement: string;
  /**
   * Events of these purchase sessions keep the value: the sessions a customer asked to be
   * forgotten during, whose charge the payment side still has to make under their reference.
   */
  keepSessions?: readonly string[];
}

/**
 * Overwrites personal values in the events that wait for the broker and in the dead letters, so
 * that forgetting a customer does not leave them in the outbox. The events stay (a payment must not
 * be lost), under the replacement. Returns how many rows changed; the caller recounts the bytes.
 */
export function redactEvents(db: Database, redactions: readonly Redaction[]): number {
  let changed = 0;
  for (const { field, value, replacement, keepSessions = [] } of redactions) {
    const path = `$.${field}`;
    const kept = JSON.stringify(keepSessions);
    changed += db
      .prepare(
        `UPDATE events SET payload = json_set(payload, ?, ?), bytes = length(CAST(json_set(payload, ?, ?) AS BLOB))
         WHERE json_extract(payload, ?) = ?
           AND coalesce(json_extract(payload, '$.session') NOT IN (SELECT value FROM json_each(?)), 1)`,
      )
      .run(path, replacement, path, replacement, path, value, kept).changes;
    changed += db
      .prepare('UPDATE dead_letters SET payload = json_set(payload, ?, ?) WHERE json_extract(payload, ?) = ?')
      .run(path, replacement, path, value).changes;
  }
  return changed;
}
