import { useEffect, useState } from 'preact/hooks';
import { request, type SessionRecord } from './api.js';

/**
 * Recent sessions (`sessions/get`), those of a span when `range` says which, fetched again whenever
 * `version` or the range moves; or why they are not there.
 */
export function useSessions(
  version: number,
  range?: { from: string; to: string },
): {
  sessions: SessionRecord[] | undefined;
  error: string | undefined;
} {
  const [sessions, setSessions] = useState<SessionRecord[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    void request<SessionRecord[]>('sessions/get', { limit: 100, ...range }).then((answer) => {
      if (answer.status === 'ok') {
        setSessions(answer.data);
        setError(undefined);
      } else setError(answer.error);
    });
  }, [version, range?.from, range?.to]);
  return { sessions, error };
}
