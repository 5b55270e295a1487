import { useState } from 'preact/hooks';
import type { SessionRecord } from './api.js';
import { formatMoney, formatTime } from './format.js';
import { html } from './html.js';
import { dayRange } from './store-day.js';
import { type Language, type TextKey, translate } from './texts.js';
import { useSessions } from './use-sessions.js';

interface Props {
  language: Language;
  timeZone: string | undefined;
  /** Changes with each purchase event: the list is fetched again. */
  version: number;
}

/**
 * Recent purchases with their receipts (`sessions/get`), filtered by cabinet and customer; a store
 * day chosen asks the gateway for that day's sessions (the store's time zone), however long ago.
 */
export function SessionsPage({ language, timeZone, version }: Props) {
  const t = (key: TextKey) => translate(language, key);
  const [day, setDay] = useState('');
  const { sessions, error } = useSessions(version, day === '' ? undefined : dayRange(day, timeZone));
  const [cabinet, setCabinet] = useState('');
  const [customer, setCustomer] = useState('');
  if (error) return html`<p class="warn" role="alert">${error}</p>`;
  if (!sessions) return html`<p>…</p>`;
  const cabinets = [...new Set(sessions.map((session) => session.cabinet))];
  const shown = sessions.filter(
    (session) =>
      (cabinet === '' || session.cabinet === cabinet) &&
      (customer === '' || session.customer.toLowerCase().includes(customer.toLowerCase())),
  );
  return html`
    <section aria-labelledby="sessions">
      <h2 id="sessions">${t('sessions')}</h2>
      <div class="filters">
        <label>${t('cabinet')}
          <select value=${cabinet} onChange=${(event: Event) => setCabinet((event.target as HTMLSelectElement).value)}>
            <option value="">${t('all')}</option>
            ${cabinets.map((id) => html`<option value=${id}>${id}</option>`)}
          </select>
        </label>
        <label>${t('customer')}
          <input type="search" value=${customer}
            onInput=${(event: Event) => setCustomer((event.target as HTMLInputElement).value)} />
        </label>
        <label>${t('day')}
          <input type="date" value=${day} data-filter="day"
            onChange=${(event: Event) => setDay((event.target as HTMLInputElement).value)} />
        </label>
      </div>
      ${
        shown.length === 0
          ? html`<p>${t('noSessions')}</p>`
          : html`<ol class="sessions">
            ${shown.map(
              (session) => html`<li key=${session.id} data-session=${session.id} data-state=${session.state}>
              <strong>${formatTime(new Date(session.startedAt).toISOString(), language, timeZone)}</strong>
              ${` ${session.cabinet} · ${t('customer')} ${session.customer} · ${stateText(language, session)}`}
              ${receipt(language, session)}
            </li>`,
            )}
          </ol>`
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
