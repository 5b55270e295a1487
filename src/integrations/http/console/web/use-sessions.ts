import { useEffect, useState } from 'preact/hooks';
import { request, type SessionRecord } from './api.js';

/** Recent sessions (`sessions/get`), fetched again whenever `version` moves; or why they are not there. */
export function useSessions(version: number): {
  sessions: SessionRecord[] | undefined;
  error: string | undefined;
} {
  const [sessions, setSessions] = useState<SessionRecord[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    void request<SessionRecord[]>('sessions/get', { limit: 100 }).then((answer) => {
      if (answer.status === 'ok') {
        setSessions(answer.data);
        setError(undefined);
      } else setError(answer.error);
    });
  }, [version]);
  return { sessions, error };
}
