import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { customerSchema } from '../../config/cabinets.js';
import type { Logger } from '../../observability/logger.js';
import type { CommandRegistry } from '../../shared/extension.js';
import type { Store } from '../../store/index.js';
import type { CustomerHistory } from './customer-history.js';
import type { Customers } from './customers.js';
import type { SessionStore } from './session-store.js';

export interface CustomerRequestsDeps {
  requests: CommandRegistry;
  store: Store;
  logger: Logger;
  customers: Customers;
  history: CustomerHistory;
  sessions: SessionStore;
}

/**
 * `customers/get`, `customers/set` (withdrawing consent deletes the history at once) and
 * `customers/forget` (every card, the history, and the reference in past sessions, with
 * secure_delete so that nothing readable is left in the file). Logs say how many, never who.
 */
export function registerCustomerRequests(deps: CustomerRequestsDeps): Array<() => void> {
  const { requests, store, logger, customers, history, sessions } = deps;
  const owner = 'purchases';
  return [
    requests.register('customers/get', {}, () => customers.list(), { owner }),
    requests.register(
      'customers/set',
      {
        customers: z.array(customerSchema).max(10_000).default([]),
        remove: z.array(z.string()).max(10_000).default([]),
      },
      ({ customers: entries, remove }) => {
        const withdrawn = entries.filter((entry) => !entry.consent).map((entry) => entry.reference);
        const set = customers.set(entries);
        const removed = customers.remove(remove);
        let forgotten = 0;
        if (withdrawn.length > 0) {
          forgotten = store.erase(() =>
            withdrawn.reduce((sum, reference) => sum + history.forget(reference), 0),
          );
        }
        if (forgotten > 0)
          logger.info({ customers: withdrawn.length, rows: forgotten }, 'consent withdrawn: history deleted');
        return { set, removed, historyDeleted: forgotten };
      },
      { owner, changesState: true },
    ),
    requests.register(
      'customers/forget',
      {
        reference: z.string().min(1).max(128).optional(),
        card: z
          .string()
          .regex(/^[0-9A-Fa-f]{2,64}$/, 'must be the card id as hex')
          .optional(),
      },
      ({ reference, card }) => {
        if ((reference === undefined) === (card === undefined)) {
          throw new Error('give exactly one of reference or card');
        }
        const who = reference ?? customers.find(card as string)?.reference;
        if (who === undefined) return { cards: 0, history: 0, sessions: 0 };
        // Past sessions keep what was sold, under a name that cannot be traced back to the customer.
        const replacement = `forgotten-${randomUUID()}`;
        const outcome = store.erase(() => ({
          cards: customers.removeReference(who),
          history: history.forget(who),
          sessions: sessions.anonymise(who, replacement),
        }));
        logger.info(outcome, 'customer forgotten');
        return outcome;
      },
      { owner, changesState: true },
    ),
  ];
}
