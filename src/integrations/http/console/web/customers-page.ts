import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from './api.js';
import { html } from './html.js';
import { type Language, type TextKey, translate } from './texts.js';

/** One card of the allow-list as `customers/get` answers it (src/domain/purchases/customers.ts). */
interface CustomerCard {
  card: string;
  reference: string;
  name?: string;
  consent: boolean;
}

/** A customer: their reference and every card of theirs (consent holds when every card says so). */
interface Customer {
  reference: string;
  cards: CustomerCard[];
  name: string | undefined;
  consent: boolean;
}

interface Props {
  language: Language;
  /** Moves when the event stream reconnects: the list is fetched again. */
  version: number;
}

/** A card id shown on a shared screen: only its last 4 hex digits. */
export function maskCard(card: string): string {
  return `••••${card.slice(-4)}`;
}

function byReference(cards: readonly CustomerCard[]): Customer[] {
  const customers = new Map<string, Customer>();
  for (const card of cards) {
    const customer = customers.get(card.reference) ?? {
      reference: card.reference,
      cards: [],
      name: undefined,
      consent: true,
    };
    customer.cards.push(card);
    customer.name ??= card.name;
    customer.consent &&= card.consent;
    customers.set(card.reference, customer);
  }
  return [...customers.values()];
}

/**
 * The allow-list: each customer's reference, display name, cards (masked) and consent. Consent is
 * given (with the name to show) or withdrawn through `customers/set` for every card of the customer;
 * withdrawing it deletes their purchase history, so it is confirmed first. Forget asks the person to
 * type the reference, then sends `customers/forget`.
 */
export function CustomersPage({ language, version }: Props) {
  const t = (key: TextKey) => translate(language, key);
  const [customers, setCustomers] = useState<Customer[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [changed, setChanged] = useState(0);
  const [outcome, setOutcome] = useState<Record<string, string>>({});
  const [forgetting, setForgetting] = useState<Customer | undefined>(undefined);
  const asked = useRef(0);
  useEffect(() => {
    const mine = ++asked.current;
    void request<CustomerCard[]>('customers/get').then((answer) => {
      if (mine !== asked.current) return; // a later fetch was asked meanwhile: its answer is newer
      if (answer.status === 'ok') {
        setCustomers(byReference(answer.data));
        setError(undefined);
      } else setError(answer.error);
    });
  }, [version, changed]);
  const say = (reference: string, text: string) => setOutcome((before) => ({ ...before, [reference]: text }));

  const setConsent = async (customer: Customer, consent: boolean, name: string | undefined) => {
    const answer = await request('customers/set', {
      customers: customer.cards.map((card) => ({
        card: card.card,
        reference: customer.reference,
        consent,
        ...(consent && name ? { name } : {}),
      })),
    });
    say(customer.reference, answer.status === 'ok' ? t('saved') : answer.error);
    if (answer.status === 'ok') setChanged((count) => count + 1);
  };
  const withdraw = (customer: Customer) => {
    if (confirm(`${t('confirmWithdraw')} (${customer.reference})`))
      void setConsent(customer, false, undefined);
  };
  const forgotten = (customer: Customer, text: string) => {
    setForgetting(undefined);
    say(customer.reference, text);
    setChanged((count) => count + 1);
  };

  if (error) return html`<p class="warn" role="alert">${error}</p>`;
  if (!customers) return html`<p>…</p>`;
  return html`
    <section aria-labelledby="customers">
      <h2 id="customers">${t('customers')}</h2>
      ${
        customers.length === 0
          ? html`<p>${t('noCustomers')}</p>`
          : html`<table class="customers">
            <thead>
              <tr>
                <th scope="col">${t('reference')}</th><th scope="col">${t('displayName')}</th>
                <th scope="col">${t('cards')}</th><th scope="col">${t('consent')}</th><th scope="col"></th>
              </tr>
            </thead>
            <tbody>
              ${customers.map(
                (customer) => html`<tr key=${customer.reference} data-customer=${customer.reference}>
                  <th scope="row">${customer.reference}</th>
                  <td data-field="name">${customer.name ?? ''}</td>
                  <td data-field="cards">${customer.cards.map((card) => html`<code>${maskCard(card.card)}</code> `)}</td>
                  <td data-field="consent">
                    ${
                      customer.consent
                        ? html`${t('consentGiven')}
                          <button type="button" data-action="withdraw" onClick=${() => withdraw(customer)}>${t('withdrawConsent')}</button>`
                        : html`<${GiveConsent} language=${language}
                            onGive=${(name: string) => setConsent(customer, true, name)} />`
                    }
                  </td>
                  <td>
                    <button type="button" data-action="forget" onClick=${() => setForgetting(customer)}>${t('forget')}</button>
                    <span role="status">${outcome[customer.reference] ?? ''}</span>
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`
      }
      ${
        forgetting &&
        html`<${ForgetDialog}
          key=${forgetting.reference}
          customer=${forgetting}
          language=${language}
          onCancel=${() => setForgetting(undefined)}
          onDone=${(text: string) => forgotten(forgetting, text)}
        />`
      }
      ${Object.entries(outcome).map(
        ([reference, text]) =>
          !customers.some((customer) => customer.reference === reference) &&
          html`<p role="status" data-outcome=${reference}>${reference}: ${text}</p>`,
      )}
    </section>
  `;
}

/** A name to show with consent: the gateway keeps none without it, so it is asked again. */
function GiveConsent({ language, onGive }: { language: Language; onGive: (name: string) => void }) {
  const t = (key: TextKey) => translate(language, key);
  const [name, setName] = useState('');
  return html`<form class="consent" onSubmit=${(event: Event) => {
    event.preventDefault();
    onGive(name.trim());
  }}>
    ${t('consentNotGiven')}
    <input type="text" name="name" maxlength="64" required placeholder=${t('displayName')} aria-label=${t('displayName')}
      value=${name} onInput=${(event: Event) => setName((event.target as HTMLInputElement).value)} />
    <button type="submit" data-action="consent">${t('giveConsent')}</button>
  </form>`;
}

/**
 * Forgetting cannot be undone: the dialog asks for the customer's reference, typed, before the
 * button does anything. A customer in session is forgotten when the session ends (`pending`).
 */
function ForgetDialog(props: {
  customer: Customer;
  language: Language;
  onCancel: () => void;
  onDone: (text: string) => void;
}) {
  const { customer, language } = props;
  const t = (key: TextKey) => translate(language, key);
  const dialog = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  const forget = async (event: Event) => {
    event.preventDefault();
    if (typed !== customer.reference) return;
    const answer = await request<{ pending?: boolean; cards?: number }>('customers/forget', {
      reference: customer.reference,
    });
    if (answer.status !== 'ok') setProblem(answer.error);
    else props.onDone(answer.data.pending ? t('forgetPending') : t('forgotten'));
  };
  return html`<dialog ref=${dialog} class="forget" data-dialog="forget" onCancel=${props.onCancel}>
    <form onSubmit=${forget}>
      <h3>${t('forgetTitle')}</h3>
      <p>${t('forgetExplain')}</p>
      <label>${t('typeReference')} <code>${customer.reference}</code>
        <input type="text" name="reference" autocomplete="off" value=${typed}
          onInput=${(event: Event) => setTyped((event.target as HTMLInputElement).value)} />
      </label>
      ${problem && html`<p class="warn" role="alert">${problem}</p>`}
      <div class="actions">
        <button type="submit" data-action="confirm-forget" disabled=${typed !== customer.reference}>${t('forget')}</button>
        <button type="button" onClick=${props.onCancel}>${t('cancel')}</button>
      </div>
    </form>
  </dialog>`;
}
