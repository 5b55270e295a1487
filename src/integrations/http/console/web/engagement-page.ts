import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type EngagementAnswer, type EngagementFigures, request } from './api.js';
import { FunnelChart, type FunnelDays, type FunnelLabels } from './funnel-chart.js';
import { html } from './html.js';
import { addDays, dayOf, daysFrom, formatDay } from './store-day.js';
import { type Language, type TextKey, translate } from './texts.js';
import { useThrottled } from './throttle.js';

interface Props {
  language: Language;
  /** The store's zone (the gateway's `engagement.timeZone`); the browser's when the gateway does not say. */
  timeZone: string | undefined;
  /** The gateway's time (`/api/now`): "today" is the gateway's day, not the browser's. */
  gatewayTime: string;
  /** Moves with each pick-up, put-back and sale: the figures are fetched again, at most every REFETCH_MS. */
  version: number;
}

/** A busy store moves `version` many times a second; the figures are a summary, fetched this often at most. */
const REFETCH_MS = 5000;
const FIELDS = ['pickedUp', 'putBack', 'bought'] as const;

/** Every day of the range, a day the answer leaves out (nothing picked up) at zero. */
export function funnelDays(answer: EngagementAnswer): FunnelDays {
  const byDay = new Map(answer.days.map((day) => [day.day, day.totals]));
  const days = daysFrom(answer.from, answer.to);
  const of = (day: string) => byDay.get(day);
  return {
    days,
    pickedUp: days.map((day) => of(day)?.pickedUp ?? 0),
    putBack: days.map((day) => of(day)?.putBack ?? 0),
    bought: days.map((day) => of(day)?.bought ?? 0),
    conversion: days.map((day) => of(day)?.conversion ?? null),
  };
}

/** The shelf's funnel per product and store day over a chosen range (`engagement/get`). */
export function EngagementPage({ language, timeZone, gatewayTime, version }: Props) {
  const t = (key: TextKey) => translate(language, key);
  const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const today = () => dayOf(Date.parse(gatewayTime), zone);
  const [to, setTo] = useState(today);
  const [from, setFrom] = useState(() => addDays(today(), -6));
  const [sku, setSku] = useState('');
  const [answer, setAnswer] = useState<EngagementAnswer | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  /** Products seen in any answer, by SKU: the choice stays whole while one product is shown. */
  const [known, setKnown] = useState<ReadonlyMap<string, string>>(new Map());
  const fresh = useThrottled(version, REFETCH_MS);
  const asked = useRef(0);

  useEffect(() => {
    if (from === '' || to === '') return;
    const mine = ++asked.current;
    void request<EngagementAnswer>('engagement/get', { from, to, ...(sku === '' ? {} : { sku }) }).then(
      (result) => {
        if (mine !== asked.current) return; // a later range was asked meanwhile
        if (result.status === 'error') {
          setError(result.error);
          return;
        }
        setError(undefined);
        setAnswer(result.data);
        setKnown((before) => {
          const after = new Map(before);
          for (const product of result.data.products) after.set(product.sku, product.name ?? product.sku);
          return after.size === before.size ? before : after;
        });
      },
    );
  }, [from, to, sku, fresh]);

  const funnel = useMemo(() => (answer ? funnelDays(answer) : undefined), [answer]);
  const labels = useMemo<FunnelLabels>(
    () => ({
      day: t('engagementDay'),
      pickedUp: t('engagementPickedUp'),
      putBack: t('engagementPutBack'),
      bought: t('engagementBought'),
      conversion: t('engagementConversion'),
    }),
    [language],
  );
  const counts = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
  const percent = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 });
  const cells = (figures: EngagementFigures) => html`
    ${FIELDS.map((field) => html`<td class="number" data-field=${field}>${counts.format(figures[field])}</td>`)}
    <td class="number" data-field="conversion">${figures.conversion === null ? '–' : percent.format(figures.conversion)}</td>`;
  const heads = html`${FIELDS.map(
    (field) =>
      html`<th scope="col" class="number">${t(`engagement${field[0]?.toUpperCase()}${field.slice(1)}` as TextKey)}</th>`,
  )}<th scope="col" class="number">${t('engagementConversion')}</th>`;
  const last = (days: number) => {
    const end = today();
    setTo(end);
    setFrom(addDays(end, -(days - 1)));
  };
  const dateInput = (value: string, set: (day: string) => void) => html`<input
    type="date"
    value=${value}
    required
    onChange=${(event: Event) => set((event.target as HTMLInputElement).value)}
  />`;
  const products = [...known].sort(([, a], [, b]) => a.localeCompare(b, language));

  return html`
    <section aria-labelledby="engagement" class="engagement">
      <h2 id="engagement">${t('engagement')}</h2>
      <div class="filters" role="group" aria-label=${t('engagementRange')}>
        <label>${t('engagementFrom')} ${dateInput(from, setFrom)}</label>
        <label>${t('engagementTo')} ${dateInput(to, setTo)}</label>
        <button type="button" data-days="7" onClick=${() => last(7)}>${t('engagementLast7')}</button>
        <button type="button" data-days="30" onClick=${() => last(30)}>${t('engagementLast30')}</button>
        <label>${t('engagementProduct')}
          <select value=${sku} onChange=${(event: Event) => setSku((event.target as HTMLSelectElement).value)}>
            <option value="">${t('engagementAllProducts')}</option>
            ${products.map(([id, name]) => html`<option value=${id}>${name}</option>`)}
          </select>
        </label>
      </div>
      ${error && html`<p class="warn" role="alert" data-field="error">${error}</p>`}
      ${
        !answer || !funnel
          ? !error && html`<p>…</p>`
          : html`
        <h3 id="engagement-days">${t('engagementPerDay')}</h3>
        <${FunnelChart}
          funnel=${funnel}
          labels=${labels}
          language=${language}
          description=${`${t('engagementChart')} ${formatDay(answer.from, language)} – ${formatDay(answer.to, language)}`}
        />
        <details open=${funnel.days.length <= 31}>
          <summary>${t('engagementDayTable')}</summary>
          <table class="figures" data-table="days" aria-labelledby="engagement-days">
            <thead><tr><th scope="col">${t('engagementDay')}</th>${heads}</tr></thead>
            <tbody>
              ${funnel.days.map(
                (day, index) => html`<tr key=${day} data-day=${day}>
                  <th scope="row">${formatDay(day, language)}</th>
                  ${cells({
                    pickedUp: funnel.pickedUp[index] ?? 0,
                    putBack: funnel.putBack[index] ?? 0,
                    bought: funnel.bought[index] ?? 0,
                    conversion: funnel.conversion[index] ?? null,
                  })}
                </tr>`,
              )}
            </tbody>
          </table>
        </details>
        <h3 id="engagement-products">${t('engagementPerProduct')}</h3>
        ${
          answer.products.length === 0
            ? html`<p data-field="none">${t('engagementNone')}</p>`
            : html`<table class="figures" data-table="products" aria-labelledby="engagement-products">
            <thead><tr><th scope="col">${t('engagementProduct')}</th>${heads}</tr></thead>
            <tbody>
              ${answer.products.map(
                (product) => html`<tr key=${product.sku} data-sku=${product.sku}>
                  <th scope="row">${product.name ?? product.sku}</th>
                  ${cells(product)}
                </tr>`,
              )}
            </tbody>
            <tfoot>
              <tr data-sku="">
                <th scope="row">${t('engagementTotal')}</th>
                ${cells(answer.totals)}
              </tr>
            </tfoot>
          </table>`
        }
      `
      }
    </section>
  `;
}
