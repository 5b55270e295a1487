import { z } from 'zod';
import { customerSchema } from '../../config/cabinets.js';
import type { Logger } from '../../observability/logger.js';
import type { CommandRegistry } from '../../shared/extension.js';
import type { Store } from '../../store/index.js';
import type { CustomerHistory } from './customer-history.js';
import type { Customers } from './customers.js';
import type { Forgetting } from './forget.js';

export interface CustomerRequestsDeps {
  requests: CommandRegistry;
  store: Store;
  logger: Logger;
  customers: Customers;
  history: CustomerHistory;
  /** `customers/forget`, now or when the customer's session in progress ends. */
  forgetting: Forgetting;
  /**
   * Customer references and cards listed in the config's `customers`: the config is their source,
   * written again at every start, so changing or forgetting them over MQTT would not last.
   */
  fromConfig: { references: ReadonlySet<string>; cards: ReadonlySet<string> };
}

/**
 * `customers/get`, `customers/set` (withdrawing consent deletes the history at once) and
 * `customers/forget` (see Forgetting: at once, or when the customer's session in progress ends).
 * Logs say how many, never who.
 */
export function registerCustomerRequests(deps: CustomerRequestsDeps): Array<() => void> {
  const { requests, store, logger, customers, history, forgetting, fromConfig } = deps;
  const refuseConfigured = (reference: string | undefined, card: string | undefined) => {
    if (
      (reference !== undefined && fromConfig.references.has(reference)) ||
      (card !== undefined && fromConfig.cards.has(card.toUpperCase()))
    ) {
      throw new Error(
        `${card !== undefined ? `card ${card.toUpperCase()}` : 'this customer'} is listed in the config's customers: change or remove it there (it is written again at every start)`,
      );
    }
  };
  const owner = 'purchases';
  return [
    requests.register('customers/get', {}, () => customers.list(), { owner, sensitive: true }),
    requests.register(
      'customers/set',
      {
        customers: z.array(customerSchema).max(10_000).default([]),
        remove: z.array(z.string()).max(10_000).default([]),
      },
      ({ customers: entries, remove }) => {
        for (const entry of entries) refuseConfigured(entry.reference, entry.card);
        for (const card of remove) refuseConfigured(undefined, card);
        const withdrawn = entries.filter((entry) => !entry.consent).map((entry) => entry.reference);
        // A customer whose last card is removed is no customer any more: their history goes too.
        const leaving = remove.flatMap((card) => customers.find(card)?.reference ?? []);
        const set = customers.set(entries);
        const removed = customers.remove(remove);
        const gone = [
          ...withdrawn,
          ...leaving.filter((reference) => customers.ofReference(reference).length === 0),
        ];
        let forgotten = 0;
        if (gone.length > 0) {
          forgotten = store.erase(() => gone.reduce((sum, reference) => sum + history.forget(reference), 0));
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
        refuseConfigured(who, card);
        return forgetting.request(who);
      },
      { owner, changesState: true },
    ),
  ];
}
