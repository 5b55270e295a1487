import { useState } from 'preact/hooks';
import type { GatewayEvent } from './api.js';
import { formatTime } from './format.js';
import { html } from './html.js';
import { type Language, translate } from './texts.js';

interface Props {
  events: readonly GatewayEvent[];
  language: Language;
  timeZone: string | undefined;
}

/** The live event stream, newest first, for whoever is debugging at 3 a.m. */
export function EventsPage({ events, language, timeZone }: Props) {
  const [filter, setFilter] = useState('');
  const shown = events
    .filter((event) => filter === '' || event.type.includes(filter))
    .slice(-200)
    .reverse();
  return html`
    <section aria-labelledby="events">
      <h2 id="events">${translate(language, 'events')}</h2>
      <label>
        ${translate(language, 'filter')}
        <input
          type="search"
          value=${filter}
          onInput=${(event: Event) => setFilter((event.target as HTMLInputElement).value)}
        />
      </label>
      ${
        shown.length === 0
          ? html`<p>${translate(language, 'noEvents')}</p>`
          : html`<ol class="events">
            ${shown.map(
              (event) => html`<li key=${event.id} data-id=${event.id} data-type=${event.type}>
                <span class="time">${formatTime(event.ts, language, timeZone)}</span>
                <strong>${event.type}</strong>
                <code>${summary(event)}</code>
              </li>`,
            )}
          </ol>`
      }
    </section>
  `;
}

function summary(event: GatewayEvent): string {
  const { id: _id, seq: _seq, ts: _ts, type: _type, gateway: _gateway, ...rest } = event;
  const text = JSON.stringify(rest);
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}
