import { useState } from 'preact/hooks';
import { request, type SessionRecord } from './api.js';
import { formatMoney, formatTime } from './format.js';
import { html } from './html.js';
import { listText } from './sessions-texts.js';
import { type Language, type TextKey, translate } from './texts.js';
import { useUnresolved } from './use-sessions.js';

interface Props {
  language: Language;
  timeZone: string | undefined;
  /** Changes with each purchase event: the list is fetched again. */
  version: number;
}

/** Cards shown at first, and added by each "show more". */
const PAGE = 20;
/** `sessions/get`'s largest `limit`: past it, deciding the listed ones brings the rest up. */
const MOST = 200;

/**
 * Purchases that ended uncertain and nobody has decided yet, however old (the gateway's
 * `sessions/get` with `unresolved: true`, counted): their undecided tags, the items they took, the
 * reasons, and two decisions (charge the ticked items, or nothing), each confirmed and sent as
 * `purchases/resolve` through the gateway's request router (audited, signed where required).
 * "Show more" asks for a longer list rather than the next page: a card decided meanwhile would make
 * an offset skip one.
 */
export function ReviewPage({ language, timeZone, version }: Props) {
  const t = (key: TextKey) => translate(language, key);
  const [done, setDone] = useState(0);
  const [wanted, setWanted] = useState(PAGE);
  const { answer, error } = useUnresolved(version + done, wanted);
  if (error) return html`<p class="warn" role="alert">${error}</p>`;
  if (!answer) return html`<p>…</p>`;
  const open = answer.sessions;
  return html`
    <section aria-labelledby="review">
      <h2 id="review">${t('review')}</h2>
      ${
        answer.total === 0
          ? html`<p>${t('nothingToReview')}</p>`
          : html`<p data-field="unresolved" data-count=${answer.total}>${listText(language, 'toReview', answer.total)}</p>`
      }
      ${open.map(
        (session) => html`<${Uncertain}
          key=${session.id}
          session=${session}
          language=${language}
          timeZone=${timeZone}
          onResolved=${() => setDone((count) => count + 1)}
        />`,
      )}
      ${
        answer.more &&
        (wanted < MOST
          ? html`<button type="button" data-action="more" onClick=${() => setWanted((count) => Math.min(count + PAGE, MOST))}>
              ${listText(language, 'showMore')}
            </button>`
          : html`<p class="warn">${listText(language, 'reviewRest')}</p>`)
      }
    </section>
  `;
}

function Uncertain(props: {
  session: SessionRecord;
  language: Language;
  timeZone: string | undefined;
  onResolved: () => void;
}) {
  const { session, language, timeZone } = props;
  const t = (key: TextKey) => translate(language, key);
  const outcome = session.outcome ?? {};
  const takenTags = new Set((outcome.items ?? []).map((item) => item.tag));
  const unread = new Map((outcome.undecided ?? []).map((entry) => [entry.tag, entry.pUnread]));
  const candidates = session.candidates ?? [];
  const [ticked, setTicked] = useState<ReadonlySet<string>>(new Set(takenTags));
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const toggle = (tag: string) =>
    setTicked((before) => {
      const after = new Set(before);
      if (after.has(tag)) after.delete(tag);
      else after.add(tag);
      return after;
    });
  const resolve = async (charge: string[]) => {
    const question = charge.length === 0 ? t('confirmNothing') : `${t('confirmCharge')} (${charge.length})`;
    if (!confirm(question)) return;
    const answer = await request('purchases/resolve', { session: session.id, charge, by: 'console' });
    if (answer.status === 'ok') props.onResolved();
    else setProblem(answer.error);
  };
  const unexplained = outcome.evidence?.weight?.unexplainedG;
  return html`<article class="card review" data-review=${session.id}>
    <h3>${session.cabinet} · ${formatTime(new Date(session.startedAt).toISOString(), language, timeZone)}</h3>
    <p>${t('customer')} ${session.customer}</p>
    <ul class="reasons">
      ${(outcome.reasons ?? []).map((reason) => html`<li>${reason}</li>`)}
      ${unexplained !== undefined && html`<li>${t('weightUnexplained')}: ${unexplained} g</li>`}
    </ul>
    <fieldset>
      <legend>${t('chargeWhich')}</legend>
      ${candidates.map((item) => {
        const odds = unread.get(item.tag);
        const what = takenTags.has(item.tag)
          ? t('taken')
          : odds !== undefined
            ? `${t('undecided')}, ${t('pUnread')} ${(odds * 100).toFixed(1)} %`
            : t('wasInside');
        return html`<label class="choice" data-candidate=${item.tag}>
          <input type="checkbox" checked=${ticked.has(item.tag)} onChange=${() => toggle(item.tag)} />
          ${item.name ?? item.tag}
          ${item.unitPrice !== undefined && item.currency ? ` ${formatMoney(item.unitPrice, item.currency, language)}` : ''}
          <small>${what}</small>
        </label>`;
      })}
    </fieldset>
    <div class="actions">
      <button type="button" data-action="charge" onClick=${() => resolve([...ticked])}>${t('chargeTicked')}</button>
      <button type="button" data-action="nothing" onClick=${() => resolve([])}>${t('chargeNothing')}</button>
    </div>
    ${problem && html`<p class="warn" role="alert">${problem}</p>`}
  </article>`;
}
