import { useEffect, useState } from 'preact/hooks';
import { type AlarmEntry, type AlarmsAnswer, request } from './api.js';
import { formatTime } from './format.js';
import { html } from './html.js';
import { type Language, type TextKey, translate } from './texts.js';

/** Open alarms listed at most (an "acknowledge all" acknowledges these); the rest follow once they are. */
const OPEN_SHOWN = 200;
const ACKNOWLEDGED_SHOWN = 50;

/** The kinds the gateway raises that have a name of their own; any other shows as it is. */
const NAMED_KINDS: readonly string[] = [
  'unpaid_exit',
  'door_left_open',
  'temperature',
  'door_opened_without_session',
  'door_closed_without_open',
];

/** An alarm's kind in the page's language ("Unpaid exit"), or the raw kind when it has no name. */
export function alarmKindText(language: Language, kind: string): string {
  return NAMED_KINDS.includes(kind) ? translate(language, `alarm_${kind}` as TextKey) : kind;
}

/** Where an alarm went off: its cabinet, else the exit door, else its zone. */
export function alarmPlace(
  language: Language,
  alarm: { cabinet?: string | undefined; door?: string | undefined; zone?: string | undefined },
): string {
  if (alarm.cabinet) return alarm.cabinet;
  if (alarm.door) return `${translate(language, 'alarmsDoor')} ${alarm.door}`;
  return alarm.zone ?? '';
}

interface Props {
  language: Language;
  timeZone: string | undefined;
  /** Changes with each alarm raised or acknowledged: the lists are fetched again. */
  version: number;
}

interface Lists {
  open: AlarmsAnswer;
  acknowledged: AlarmsAnswer;
}

/**
 * The alarms the gateway raised (unpaid exits, doors left open, temperature), open ones first, each
 * acknowledged by a person after a confirmation, with an optional note: `alarms/ack` through the
 * gateway's request router (audited, signed where required). Those acknowledged lately follow, with
 * who and when.
 */
export function AlarmsPage({ language, timeZone, version }: Props) {
  const t = (key: TextKey) => translate(language, key);
  const [done, setDone] = useState(0);
  const [lists, setLists] = useState<Lists | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [allNote, setAllNote] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  useEffect(() => {
    let current = true;
    void Promise.all([
      request<AlarmsAnswer>('alarms/get', { state: 'open', limit: OPEN_SHOWN }),
      request<AlarmsAnswer>('alarms/get', { state: 'acknowledged', limit: ACKNOWLEDGED_SHOWN }),
    ]).then(([open, acknowledged]) => {
      if (!current) return;
      if (open.status === 'ok' && acknowledged.status === 'ok') {
        setLists({ open: open.data, acknowledged: acknowledged.data });
        setError(undefined);
      } else setError(open.status === 'error' ? open.error : (acknowledged as { error: string }).error);
    });
    return () => {
      current = false;
    };
  }, [version, done]);
  if (error) return html`<p class="warn" role="alert">${error}</p>`;
  if (!lists) return html`<p>…</p>`;
  const time = (iso: string) => formatTime(iso, language, timeZone);
  const open = lists.open.alarms;
  const acknowledgeAll = async () => {
    if (!confirm(`${t('alarmsConfirmAll')} (${open.length})`)) return;
    const answer = await acknowledge(
      open.map((alarm) => alarm.id),
      allNote,
    );
    if (answer === undefined) {
      setAllNote('');
      setProblem(undefined);
      setDone((count) => count + 1);
    } else setProblem(answer);
  };
  return html`
    <section aria-labelledby="open-alarms">
      <h2 id="open-alarms">${t('alarms')} (${lists.open.counts.open})</h2>
      ${
        open.length === 0
          ? html`<p data-empty="open">${t('noAlarms')}</p>`
          : html`<table class="alarms">
              <thead>
                <tr>
                  <th scope="col">${t('alarmsWhen')}</th>
                  <th scope="col">${t('alarmsKind')}</th>
                  <th scope="col">${t('alarmsWhere')}</th>
                  <th scope="col">${t('alarmsProduct')}</th>
                  <th scope="col">${t('alarmsDetail')}</th>
                  <th scope="col"><span class="hidden">${t('alarmsAcknowledge')}</span></th>
                </tr>
              </thead>
              <tbody>
                ${open.map(
                  (alarm) => html`<${OpenAlarm}
                    key=${alarm.id}
                    alarm=${alarm}
                    language=${language}
                    time=${time}
                    onDone=${() => setDone((count) => count + 1)}
                  />`,
                )}
              </tbody>
            </table>
            ${lists.open.more && html`<p class="warn">${t('alarmsMore')}</p>`}
            <div class="actions">
              <label>
                ${t('alarmsNote')}
                <input
                  type="text"
                  maxlength="500"
                  data-note="all"
                  value=${allNote}
                  onInput=${(event: Event) => setAllNote((event.target as HTMLInputElement).value)}
                />
              </label>
              <button type="button" data-action="ack-all" onClick=${acknowledgeAll}>
                ${t('alarmsAcknowledgeAll')}
              </button>
            </div>
            ${problem && html`<p class="warn" role="alert">${problem}</p>`}`
      }
    </section>
    <section aria-labelledby="acknowledged-alarms">
      <h2 id="acknowledged-alarms">${t('alarmsAcknowledged')}</h2>
      ${
        lists.acknowledged.alarms.length === 0
          ? html`<p>${t('alarmsNoneAcknowledged')}</p>`
          : html`<table class="alarms acknowledged">
              <tbody>
                ${lists.acknowledged.alarms.map(
                  (alarm) => html`<tr data-acknowledged=${alarm.id}>
                    <td>${time(alarm.ts)}</td>
                    <td>${alarmKindText(language, alarm.kind)}</td>
                    <td>${alarmPlace(language, alarm)}</td>
                    <td>
                      ${alarm.acknowledged && `${t('alarmsBy')} ${alarm.acknowledged.by}, ${time(alarm.acknowledged.at)}`}
                    </td>
                    <td>${alarm.acknowledged?.note ?? ''}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`
      }
    </section>
  `;
}

function OpenAlarm(props: {
  alarm: AlarmEntry;
  language: Language;
  time: (iso: string) => string;
  onDone: () => void;
}) {
  const { alarm, language, time } = props;
  const t = (key: TextKey) => translate(language, key);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const go = async () => {
    if (!confirm(`${t('alarmsConfirm')} (${alarmKindText(language, alarm.kind)})`)) return;
    const answer = await acknowledge([alarm.id], note);
    if (answer === undefined) props.onDone();
    else setProblem(answer);
  };
  return html`<tr class="warn" data-alarm=${alarm.id} data-kind=${alarm.kind}>
    <td>${time(alarm.ts)}</td>
    <td>${alarmKindText(language, alarm.kind)}</td>
    <td>${alarmPlace(language, alarm)}</td>
    <td>${alarm.product ?? alarm.tag ?? ''}</td>
    <td>${alarm.detail ?? ''}${problem && html`<p role="alert">${problem}</p>`}</td>
    <td class="ack">
      <input
        type="text"
        maxlength="500"
        aria-label=${t('alarmsNote')}
        placeholder=${t('alarmsNote')}
        value=${note}
        onInput=${(event: Event) => setNote((event.target as HTMLInputElement).value)}
      />
      <button type="button" data-action="ack" onClick=${go}>${t('alarmsAcknowledge')}</button>
    </td>
  </tr>`;
}

/** Acknowledges alarms as the console; undefined when done, else the gateway's error. */
async function acknowledge(alarms: string[], note: string): Promise<string | undefined> {
  const text = note.trim();
  const answer = await request('alarms/ack', {
    alarms,
    by: 'console',
    ...(text === '' ? {} : { note: text }),
  });
  return answer.status === 'ok' ? undefined : answer.error;
}
