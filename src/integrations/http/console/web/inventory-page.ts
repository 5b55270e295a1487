import { useEffect, useRef, useState } from 'preact/hooks';
import { request, type ZoneStock } from './api.js';
import { formatTime } from './format.js';
import { html } from './html.js';
import { type Language, type TextKey, translate } from './texts.js';

interface Props {
  language: Language;
  timeZone: string | undefined;
  /** Changes with tag events and reconnections (at most every 2 s, main.ts): the stock is fetched again. */
  version: number;
}

/** One CSV field: quoted when it holds a separator, a quote or a line break (RFC 4180). */
function csvField(value: string | number | undefined): string {
  const text = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The stock as a spreadsheet opens it: one line per tag, with its zone and product. */
export function stockCsv(zones: readonly ZoneStock[]): string {
  const lines = ['zone,tag,sku,gtin,since,last_seen'];
  for (const zone of zones)
    for (const tag of zone.tags)
      lines.push([zone.zone, tag.tag, tag.sku, tag.gtin, tag.since, tag.lastSeen].map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Per zone: how many, of which product, which tags, and whether it may be out of date (stale). */
export function InventoryPage({ language, timeZone, version }: Props) {
  const t = (key: TextKey) => translate(language, key);
  const [zones, setZones] = useState<ZoneStock[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const asked = useRef(0);
  useEffect(() => {
    const mine = ++asked.current;
    void request<Record<string, ZoneStock>>('inventory/get').then((answer) => {
      if (mine !== asked.current) return; // a later fetch was asked meanwhile: its answer is newer
      if (answer.status === 'ok') {
        setZones(Object.values(answer.data));
        setError(undefined);
      } else setError(answer.error);
    });
  }, [version]);
  if (error) return html`<p class="warn" role="alert">${error}</p>`;
  if (!zones) return html`<p>…</p>`;
  const download = () => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([stockCsv(zones)], { type: 'text/csv' }));
    link.download = 'inventory.csv';
    link.click();
    URL.revokeObjectURL(link.href);
  };
  return html`
    <section aria-labelledby="inventory">
      <h2 id="inventory">${t('inventory')}</h2>
      <button type="button" onClick=${download}>${t('exportCsv')}</button>
      ${zones.map(
        (zone) => html`<article class="card zone" data-zone=${zone.zone}>
          <h3>${zone.zone} <span data-field="count">${zone.count}</span></h3>
          ${zone.stale && html`<p class="warn" data-field="stale">${t('stale')}: ${zone.stale}</p>`}
          <table>
            <tbody>
              ${zone.products.map(
                (product) => html`<tr>
                  <th scope="row">${product.name ?? product.sku ?? product.gtin ?? t('unknownProduct')}</th>
                  <td>${product.count}</td>
                </tr>`,
              )}
            </tbody>
          </table>
          <details>
            <summary>${t('tags')} (${zone.tags.length}${zone.truncated ? '+' : ''})</summary>
            <ul class="tags">
              ${zone.tags.map(
                (tag) => html`<li><code>${tag.tag}</code> ${tag.sku ?? ''} · ${t('since')}
                  ${formatTime(tag.since, language, timeZone)}</li>`,
              )}
            </ul>
          </details>
        </article>`,
      )}
    </section>
  `;
}
