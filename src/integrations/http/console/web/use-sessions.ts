import { useEffect, useRef, useState } from 'preact/hooks';
import { request, type SessionRecord } from './api.js';

/** What the Sessions page asks of `sessions/get`: a span (`from`/`to`), a cabinet, a customer. */
export interface SessionQuery {
  limit: number;
  from?: string;
  to?: string;
  cabinet?: string;
  /** A customer's reference, matched exactly by the gateway. */
  customer?: string;
}

/** `sessions/get` with `unresolved: true`: the undecided uncertain sessions, all of them counted. */
export interface UnresolvedAnswer {
  total: number;
  more: boolean;
  sessions: SessionRecord[];
}

/**
 * The answer to `body`, asked again whenever it or `version` moves; or why it is not there. Only the
 * answer to the latest question is kept: changing the day twice quickly must not end on the first
 * day's list because its answer came last.
 */
function useAnswer<T>(
  command: string,
  body: Record<string, unknown>,
  version: number,
): { data: T | undefined; error: string | undefined } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const asked = useRef(0);
  const question = JSON.stringify(body);
  useEffect(() => {
    const mine = ++asked.current;
    request<T>(command, body).then(
      (answer) => {
        if (mine !== asked.current) return; // a later question was asked meanwhile
        if (answer.status === 'ok') {
          setData(answer.data);
          setError(undefined);
        } else setError(answer.error);
      },
      (failure: unknown) => {
        if (mine === asked.current) setError(String(failure));
      },
    );
  }, [command, question, version]);
  return { data, error };
}

/** Sessions (`sessions/get`) as `query` filters them on the gateway, newest first. */
export function useSessions(
  version: number,
  query: SessionQuery,
): { sessions: SessionRecord[] | undefined; error: string | undefined } {
  const { data, error } = useAnswer<SessionRecord[]>('sessions/get', { ...query }, version);
  return { sessions: data, error };
}

/** The newest `limit` uncertain sessions nobody decided, and how many there are. */
export function useUnresolved(
  version: number,
  limit: number,
): { answer: UnresolvedAnswer | undefined; error: string | undefined } {
  const { data, error } = useAnswer<UnresolvedAnswer>('sessions/get', { unresolved: true, limit }, version);
  return { answer: data, error };
}
