import { z } from 'zod';
import type { CabinetConfig } from '../../config/cabinets.js';
import type { Clock } from '../../shared/clock.js';
import type { TaggedItem } from '../../shared/commerce.js';
import type { EventBody } from '../../shared/events.js';
import type { Bus, CommandRegistry } from '../../shared/extension.js';
import { namingReceivedValue } from '../../shared/issue-messages.js';
import { type Attribution, attribute } from '../../shared/request-caller.js';
import type { Store } from '../../store/index.js';
import { receiptFor } from './receipt.js';
import type { SessionRecord, SessionStore } from './session-store.js';

type Resolved = Extract<EventBody, { type: 'purchase.resolved' }>;

/** What `sessions/get` shows of a decided uncertain session. */
export interface Resolution {
  at: number;
  resolvedBy: string;
  /** Whether a signature vouches for `resolvedBy` (absent for decisions booked before it was kept). */
  byVerified?: boolean;
  items: number;
  total: number;
  currency: string;
}

const MIGRATIONS = [
  `CREATE TABLE session_resolutions (
     session TEXT PRIMARY KEY,
     at REAL NOT NULL,
     resolved_by TEXT NOT NULL,
     charged TEXT NOT NULL,
     total INTEGER NOT NULL,
     currency TEXT NOT NULL
   )`,
  // 1 when a signature vouches for resolved_by (the signed request's client), 0 when it is the name
  // an unsigned request claimed; NULL for decisions booked before this step.
  'ALTER TABLE session_resolutions ADD COLUMN by_verified INTEGER',
];

interface Row {
  session: string;
  at: number;
  resolved_by: string;
  charged: string;
  total: number;
  currency: string;
  by_verified: number | null;
}

/** Decisions on uncertain sessions, one per session, written with their event. */
export class SessionResolutions {
  private readonly insert;
  private readonly byId;

  constructor(store: Store) {
    store.migrate('session_resolutions', MIGRATIONS);
    this.insert = store.db.prepare<[string, number, string, number, string, number, string]>(
      `INSERT INTO session_resolutions (session, at, resolved_by, by_verified, charged, total, currency)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byId = store.db.prepare<[string], Row>('SELECT * FROM session_resolutions WHERE session = ?');
  }

  get(session: string): (Resolution & { tags: string[] }) | undefined {
    const row = this.byId.get(session);
    if (!row) return undefined;
    const tags = JSON.parse(row.charged) as string[];
    return {
      at: row.at,
      resolvedBy: row.resolved_by,
      ...(row.by_verified === null ? {} : { byVerified: row.by_verified === 1 }),
      items: tags.length,
      total: row.total,
      currency: row.currency,
      tags,
    };
  }

  add(
    session: string,
    at: number,
    who: Attribution,
    tags: readonly string[],
    total: number,
    currency: string,
  ): void {
    this.insert.run(session, at, who.by, who.byVerified ? 1 : 0, JSON.stringify(tags), total, currency);
  }
}

/** A wrong value is named in the answer, as in the other requests. */
const named = { error: namingReceivedValue };
const tag = z.string().regex(/^[0-9A-F]{2,124}$/, 'must be a tag as upper-case hex');

/**
 * `purchases/resolve` `{"session","charge":[tags],"by"?}`: a person decides a purchase that ended
 * uncertain, charging some of its candidate tags (`candidateTags`), or none (`charge: []`). State-changing, so
 * audited (and signed where signatures are required) by the router like any other; the same
 * decision sent twice (an MQTT redelivery) answers the first; another decision is refused.
 */
export function registerResolveRequest(deps: {
  requests: CommandRegistry;
  store: Store;
  bus: Bus;
  clock: Clock;
  sessions: SessionStore;
  resolutions: SessionResolutions;
  cabinets: readonly CabinetConfig[];
  itemFor: (tag: string) => TaggedItem;
  owner: string;
}): () => void {
  return deps.requests.register(
    'purchases/resolve',
    {
      session: z.string().min(1).max(128),
      charge: z.array(tag).max(500),
      /** Booked only for an unsigned request, marked unverified (see `attribute`). */
      by: z.string(named).min(1, named).max(64, named).optional(),
    },
    ({ session: id, charge, by }, caller) => {
      const session = deps.sessions.get(id);
      if (!session) throw new Error(`unknown session "${id}"`);
      const outcome = session.outcome as Partial<Extract<EventBody, { type: 'purchase.cancelled' }>> | null;
      if (outcome?.type !== 'purchase.cancelled' || outcome.confidence !== 'uncertain') {
        throw new Error(
          `session "${id}" did not end uncertain (${session.state}): there is nothing to resolve`,
        );
      }
      const wanted = [...new Set(charge)].sort();
      const earlier = deps.resolutions.get(id);
      if (earlier) {
        if (JSON.stringify(earlier.tags) === JSON.stringify(wanted)) return answer(id, earlier);
        throw new Error(`session "${id}" was resolved already, by ${earlier.resolvedBy}`);
      }
      const candidates = new Set(candidateTags(session));
      const stranger = wanted.find((candidate) => !candidates.has(candidate));
      if (stranger !== undefined)
        throw new Error(`tag ${stranger} was not in the cabinet when session "${id}" opened its door`);
      const currency = deps.cabinets.find((cabinet) => cabinet.id === session.cabinet)?.currency;
      if (!currency) throw new Error(`cabinet "${session.cabinet}" is not in the config`);
      const receipt = receiptFor(wanted, [], deps.itemFor, currency);
      if (!receipt.ok) throw new Error(`cannot charge: ${receipt.reason}`);
      const who = attribute(caller, by);
      const event: Resolved = {
        type: 'purchase.resolved',
        ...{ session: id, cabinet: session.cabinet, customer: session.customer },
        ...{ items: receipt.items, total: receipt.total, currency },
        ...{ resolvedBy: who.by, byVerified: who.byVerified },
      };
      const at = deps.clock.now();
      deps.bus.transaction(() => {
        deps.resolutions.add(id, at, who, wanted, receipt.total, currency);
        deps.bus.emit(event);
      });
      return answer(id, { at, resolvedBy: who.by, items: wanted.length, total: receipt.total, currency });
    },
    { owner: deps.owner, changesState: true },
  );
}

/**
 * What a person may charge for an uncertain session: anything inside when the door opened (a hung
 * reader decides nothing, yet the person may know what left), and what the session saw taken or
 * left undecided.
 */
export function candidateTags(session: SessionRecord): string[] {
  const outcome = session.outcome as Partial<Extract<EventBody, { type: 'purchase.cancelled' }>> | null;
  return [
    ...new Set([
      ...(outcome?.items ?? []).map((item) => item.tag),
      ...(outcome?.undecided ?? []).map((undecided) => undecided.tag),
      ...(session.before ?? []).map((before) => before.tag),
    ]),
  ];
}

function answer(session: string, resolution: Resolution) {
  return { session, items: resolution.items, total: resolution.total, currency: resolution.currency };
}
