import { useEffect, useRef, useState } from 'preact/hooks';
import { type LowStockReport, request, type ZoneStock } from './api.js';
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
  const [low, setLow] = useState<LowStockReport | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const asked = useRef(0);
  useEffect(() => {
    const mine = ++asked.current;
    void Promise.all([
      request<Record<string, ZoneStock>>('inventory/get'),
      request<LowStockReport>('inventory/low'),
    ]).then(([stock, lowStock]) => {
      if (mine !== asked.current) return; // a later fetch was asked meanwhile: its answer is newer
      if (stock.status === 'ok') {
        setZones(Object.values(stock.data));
        setError(undefined);
      } else setError(stock.error);
      // Without the catalog (no such request) or any threshold set, the section stays away.
      setLow(lowStock.status === 'ok' && lowStock.data.watched > 0 ? lowStock.data : undefined);
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
      ${low && html`<${LowStock} report=${low} language=${language} />`}
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

/** The products under their minimum (the catalog's `minStock`), the emptiest first. */
function LowStock({ report, language }: { report: LowStockReport; language: Language }) {
  const t = (key: TextKey) => translate(language, key);
  return html`<article class="card low-stock" aria-labelledby="low-stock">
    <h3 id="low-stock">${t('lowStock')} <span data-field="low-count">${report.products.length}</span></h3>
    ${
      report.stale.length > 0 &&
      html`<p class="warn" data-field="low-stale">${t('lowStockStale')} ${report.stale.join(', ')}</p>`
    }
    ${
      report.products.length === 0
        ? html`<p>${t('lowStockNone')}</p>`
        : html`<table>
            <thead>
              <tr><th scope="col">${t('lowStockProduct')}</th><th scope="col">${t('onHand')}</th>
                <th scope="col">${t('minimum')}</th><th scope="col">${t('where')}</th></tr>
            </thead>
            <tbody>
              ${report.products.map(
                (product) => html`<tr data-sku=${product.sku} class=${product.count === 0 ? 'warn' : ''}>
                  <th scope="row">${product.name}</th>
                  <td data-field="on-hand">${product.count === 0 ? t('emptyShelf') : product.count}</td>
                  <td data-field="minimum">${product.minStock}</td>
                  <td>${Object.entries(product.zones)
                    .map(([zone, count]) => `${zone} ${count}`)
                    .join(', ')}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
    }
  </article>`;
}
