import { alarmKindText, alarmPlace } from './alarms-page.js';
import type { NowState } from './api.js';
import { formatMoney, formatTime } from './format.js';
import { html } from './html.js';
import { type Language, type TextKey, translate } from './texts.js';

interface Props {
  now: NowState;
  language: Language;
}

/** What a store manager asks first: each cabinet, the readers and devices, open alarms, the outbox. */
export function NowPage({ now, language }: Props) {
  const t = (key: TextKey) => translate(language, key);
  const time = (iso: string) => formatTime(iso, language, now.timeZone);
  const stateText = (state: string) =>
    ['online', 'offline', 'stalled', 'error'].includes(state) ? t(`state_${state}` as TextKey) : state;
  return html`
    <section aria-labelledby="cabinets">
      <h2 id="cabinets">${t('cabinets')}</h2>
      <div class="cards">
        ${now.cabinets.map(
          (cabinet) => html`
            <article class="card" data-cabinet=${cabinet.id}>
              <h3>${cabinet.id}</h3>
              <dl>
                <dt>${t('door')}</dt><dd data-field="door">${cabinet.door ?? t('unknown')}</dd>
                <dt>${t('lock')}</dt><dd data-field="lock">${cabinet.lock ?? t('unknown')}</dd>
                <dt>${t('session')}</dt>
                <dd data-field="session">
                  ${
                    cabinet.session
                      ? `${t(`session_${cabinet.session.state}` as TextKey)}: ${t('customer')} ${cabinet.session.name ?? cabinet.session.customer}, ${t('since')} ${time(cabinet.session.since)}`
                      : t('noSession')
                  }
                </dd>
                ${
                  cabinet.last &&
                  html`<dt>${t('lastSale')}</dt>
                  <dd data-field="last" class=${cabinet.last.type === 'purchase.uncertain' ? 'warn' : ''}>
                    ${t(cabinet.last.type as TextKey)}
                    ${
                      cabinet.last.total !== undefined && cabinet.last.currency
                        ? ` ${formatMoney(cabinet.last.total, cabinet.last.currency, language)}`
                        : ''
                    }
                    ${` (${cabinet.last.items} ${t('items')}, ${time(cabinet.last.ts)})`}
                  </dd>`
                }
              </dl>
            </article>
          `,
        )}
      </div>
    </section>
    <section aria-labelledby="devices">
      <h2 id="devices">${t('devices')}</h2>
      <table>
        <tbody>
          ${now.devices.map(
            (device) => html`<tr data-device=${device.id}>
              <th scope="row">${device.id}</th>
              <td>${device.kind}</td>
              <td class=${`state ${device.state}`}>${stateText(device.state)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section aria-labelledby="alarms">
      <h2 id="alarms">${t('alarms')}</h2>
      ${
        now.alarms.length === 0
          ? html`<p>${t('noAlarms')}</p>`
          : html`<ul>
            ${now.alarms.map(
              (alarm) =>
                html`<li class="warn" data-alarm=${alarm.id ?? alarm.seq}>${time(alarm.ts)}
                  ${alarmKindText(language, alarm.kind)} ${alarmPlace(language, alarm)}
                  ${alarm.product ?? ''} ${alarm.detail ?? ''}</li>`,
            )}
          </ul>
          <p><a href="#/alarms">${t('alarmsPage')}${(now.openAlarms ?? 0) > now.alarms.length ? ` (${now.openAlarms})` : ''}</a></p>`
      }
    </section>
    <section aria-labelledby="health">
      <h2 id="health">${t('health')}</h2>
      <dl>
        <dt>${t('health')}</dt><dd data-field="status">${now.health.status}</dd>
        <dt>${t('outbox')}</dt><dd>${now.health.outbox?.depth ?? 0}</dd>
        <dt>${t('broker')}</dt>
        <dd>${now.broker ? (now.broker.connected ? t('connected') : t('disconnected')) : t('noBroker')}</dd>
      </dl>
    </section>
  `;
}
