import { z } from 'zod';
import { eventItem, type TaggedItem } from '../../shared/commerce.js';
import type { CommandRegistry } from '../../shared/extension.js';
import { namingReceivedValue } from '../../shared/issue-messages.js';
import { candidateTags, type SessionResolutions } from './resolutions.js';
import type { SessionRecord, SessionStore } from './session-store.js';

const RECENT_SESSIONS_MAX = 200;
/** A wrong value is named in the answer (`offset: Too small: expected number to be >=0, got -1`). */
const named = { error: namingReceivedValue };

/**
 * `sessions/get`: one session by id, or the newest ones filtered by span, cabinet and customer and
 * paged, or the uncertain ones nobody decided yet. Answers carry personal data, so `sensitive`.
 */
export function registerSessionsRequest(deps: {
  requests: CommandRegistry;
  sessions: SessionStore;
  resolutions: SessionResolutions;
  itemFor: (tag: string) => TaggedItem;
  owner: string;
}): () => void {
  return deps.requests.register(
    'sessions/get',
    {
      limit: z.number().int().min(1).max(RECENT_SESSIONS_MAX).optional(),
      session: z.string().optional(),
      // A day or any span: the console's date filter, in the store's time zone, as instants.
      from: z.iso.datetime({ offset: true }).optional(),
      to: z.iso.datetime({ offset: true }).optional(),
      cabinet: z.string().min(1).max(64).optional(),
      customer: z.string().min(1).max(128).optional(),
      // Paging: skip this many of the newest (with `limit`).
      offset: z.number(named).int(named).min(0, named).max(1_000_000, named).optional(),
      // Only uncertain ends nobody decided, however old: the Review page's queue; answered as
      // `{ total, more, sessions }`.
      unresolved: z.literal(true, named).optional(),
    },
    ({ limit, session, from, to, cabinet, customer, offset, unresolved }) => {
      // An uncertain session carries what a person may charge for it, priced, and once someone
      // decided, the decision (`purchases/resolve`).
      const withResolution = (record: SessionRecord) => {
        const resolved = deps.resolutions.get(record.id);
        if (resolved) {
          const { tags: _tags, ...resolution } = resolved;
          return { ...record, resolution };
        }
        const outcome = record.outcome as { confidence?: string } | null;
        if (outcome?.confidence !== 'uncertain') return record;
        return {
          ...record,
          candidates: candidateTags(record).map((tag) => eventItem(deps.itemFor(tag))),
        };
      };
      if (session !== undefined) {
        const found = deps.sessions.get(session);
        if (!found) throw new Error(`unknown session "${session}"`);
        return withResolution(found);
      }
      const fromMs = from === undefined ? undefined : Date.parse(from);
      const toMs = to === undefined ? undefined : Date.parse(to);
      if (fromMs !== undefined && toMs !== undefined && fromMs > toMs)
        throw new Error(`to: must not be before from (from ${from}, to ${to})`);
      const filter = { fromMs, toMs, cabinet, customer };
      if (unresolved) {
        const { total, sessions } = deps.sessions.unresolved(limit ?? 20, filter, offset ?? 0);
        const more = (offset ?? 0) + sessions.length < total;
        return { total, more, sessions: sessions.map(withResolution) };
      }
      return deps.sessions.recent(limit ?? 20, filter, offset ?? 0).map(withResolution);
    },
    { owner: deps.owner, sensitive: true },
  );
}
