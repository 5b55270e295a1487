import { useEffect, useState } from 'preact/hooks';
import { fetchNow, type SessionRecord } from './api.js';
import { formatMoney, formatTime } from './format.js';
import { html } from './html.js';
import { listText } from './sessions-texts.js';
import { dayRange } from './store-day.js';
import { type Language, type TextKey, translate } from './texts.js';
import { type SessionQuery, useSessions } from './use-sessions.js';

interface Props {
  language: Language;
  timeZone: string | undefined;
  /** Changes with each purchase event: the list is fetched again. */
  version: number;
  /** The gateway's cabinets (`/api/now`); without them the page asks `/api/now` once itself. */
  cabinets?: readonly string[];
}

/** Sessions shown at most; one more is asked for, to know that older ones match too. */
const LIMIT = 100;

/** The configured cabinets: from the props, else from `/api/now` (asked once). */
function useCabinets(given: readonly string[] | undefined): readonly string[] {
  const [fetched, setFetched] = useState<readonly string[]>([]);
  useEffect(() => {
    if (given !== undefined) return;
    fetchNow().then(
      (now) => {
        if (now.ok) setFetched(now.value.cabinets.map((cabinet) => cabinet.id));
      },
      () => undefined, // the select offers "all" only; the list itself says what went wrong
    );
  }, [given === undefined]);
  return given ?? fetched;
}

/**
 * Purchases with their receipts (`sessions/get`), the newest first, filtered by the gateway: a
 * cabinet, a customer's reference (exactly), a store day (the store's time zone), however long ago;
 * when the newest LIMIT do not hold all that match, it says so.
 */
export function SessionsPage({ language, timeZone, version, cabinets: given }: Props) {
  const t = (key: TextKey) => translate(language, key);
  const [day, setDay] = useState('');
  const [cabinet, setCabinet] = useState('');
  /** What is typed; asked for once it is committed (Enter, leaving the field) or emptied. */
  const [typed, setTyped] = useState('');
  const [customer, setCustomer] = useState('');
  const cabinets = useCabinets(given);
  const query: SessionQuery = {
    limit: LIMIT + 1,
    ...(day === '' ? {} : dayRange(day, timeZone)),
    ...(cabinet === '' ? {} : { cabinet }),
    ...(customer === '' ? {} : { customer }),
  };
  const { sessions, error } = useSessions(version, query);
  const commit = (value: string) => setCustomer(value.trim());
  const choices = cabinet === '' || cabinets.includes(cabinet) ? cabinets : [...cabinets, cabinet];
  return html`
    <section aria-labelledby="sessions">
      <h2 id="sessions">${t('sessions')}</h2>
      <div class="filters">
        <label>${t('cabinet')}
          <select value=${cabinet} data-filter="cabinet"
            onChange=${(event: Event) => setCabinet((event.target as HTMLSelectElement).value)}>
            <option value="">${t('all')}</option>
            ${choices.map((id) => html`<option value=${id}>${id}</option>`)}
          </select>
        </label>
        <label>${t('customer')}
          <input type="search" value=${typed} data-filter="customer" maxlength="128"
            placeholder=${listText(language, 'customerHint')}
            onInput=${(event: Event) => {
              const value = (event.target as HTMLInputElement).value;
              setTyped(value);
              if (value.trim() === '') commit('');
            }}
            onChange=${(event: Event) => commit((event.target as HTMLInputElement).value)} />
        </label>
        <label>${t('day')}
          <input type="date" value=${day} data-filter="day"
            onChange=${(event: Event) => setDay((event.target as HTMLInputElement).value)} />
        </label>
      </div>
      ${
        error
          ? html`<p class="warn" role="alert">${error}</p>`
          : !sessions
            ? html`<p>…</p>`
            : sessions.length === 0
              ? html`<p>${t('noSessions')}</p>`
              : html`<ol class="sessions">
            ${sessions.slice(0, LIMIT).map(
              (session) => html`<li key=${session.id} data-session=${session.id} data-state=${session.state}>
              <strong>${formatTime(new Date(session.startedAt).toISOString(), language, timeZone)}</strong>
              ${` ${session.cabinet} · ${t('customer')} ${session.customer} · ${stateText(language, session)}`}
              ${receipt(language, session)}
            </li>`,
            )}
          </ol>`
      }
      ${
        !error &&
        sessions !== undefined &&
        sessions.length > LIMIT &&
        html`<p class="warn" data-field="latest-only">${listText(language, 'latestOnly', LIMIT)}</p>`
      }
    </section>
  `;
}

function stateText(language: Language, session: SessionRecord): string {
  if (session.outcome?.confidence === 'uncertain') return translate(language, 'purchase.uncertain');
  const key = `session_${session.state}` as TextKey;
  const text = translate(language, key);
  return text === undefined || text === key ? session.state : text;
}

function receipt(language: Language, session: SessionRecord) {
  const items = session.outcome?.items ?? [];
  const { total, currency } = session.outcome ?? {};
  if (items.length === 0 && total === undefined) return null;
  return html`<table class="receipt">
    <tbody>
      ${items.map(
        (item) => html`<tr>
          <td>${item.name ?? item.tag}</td>
          <td class="money">${item.unitPrice !== undefined && item.currency ? formatMoney(item.unitPrice, item.currency, language) : ''}</td>
        </tr>`,
      )}
      ${
        total !== undefined && currency
          ? html`<tr class="total"><th scope="row">${translate(language, 'total')}</th>
            <td class="money" data-field="total">${formatMoney(total, currency, language)}</td></tr>`
          : null
      }
    </tbody>
  </table>`;
}
