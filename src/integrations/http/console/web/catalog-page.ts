import { useEffect, useRef, useState } from 'preact/hooks';
// A type import, erased in the bundle: commerce.ts has no imports, so no server code comes in.
import type { CatalogProduct } from '../../../../shared/commerce.js';
import { request } from './api.js';
import { formatMoney } from './format.js';
import { html } from './html.js';
import { type Language, type TextKey, translate } from './texts.js';

/** One bad line of a refused `catalog/import`. */
interface ImportProblem {
  line: number;
  field: string;
  message: string;
  value?: string;
}

interface ImportCounts {
  added: number;
  updated: number;
  unchanged: number;
}

/** `check`: the file is sent with `dryRun`, so the gateway checks all of it and writes nothing. */
type ImportState =
  | { kind: 'idle' }
  | { kind: 'sending'; file: string; check: boolean }
  | { kind: 'done'; file: string; counts: ImportCounts; check: boolean }
  | {
      kind: 'refused';
      file: string;
      error: string;
      problems: ImportProblem[];
      count: number;
      check: boolean;
    };

/** What `catalog/get` gives in one page (its largest), and what the table shows at once. */
const FETCH_PAGE = 1000;
const SHOWN_PAGE = 50;
/** As the gateway's `catalog/import` limit: a larger file is refused here before it is sent. */
const MAX_CSV_BYTES = 2 * 1024 * 1024;

interface Props {
  language: Language;
  /** Moves when the event stream reconnects: the catalog is fetched again. */
  version: number;
}

/** Every product, page by page: a store's catalog is hundreds to a few thousand lines. */
async function fetchCatalog(): Promise<
  { ok: true; products: CatalogProduct[] } | { ok: false; error: string }
> {
  const products: CatalogProduct[] = [];
  for (;;) {
    const answer = await request<{ total: number; products: CatalogProduct[] }>('catalog/get', {
      offset: products.length,
      limit: FETCH_PAGE,
    });
    if (answer.status !== 'ok') return { ok: false, error: answer.error };
    products.push(...answer.data.products);
    if (answer.data.products.length === 0 || products.length >= answer.data.total)
      return { ok: true, products };
  }
}

/**
 * The product catalog: a searchable, paged table, and the import of a CSV file (the format of
 * `rfid-gateway catalog import`), read here as text and sent as `catalog/import` through the
 * gateway's request router. A refused file lists every bad line with its field and value. "Check"
 * sends it with `dryRun`: the same answer (the bad lines, or what would be added and updated), nothing
 * written.
 */
export function CatalogPage({ language, version }: Props) {
  const t = (key: TextKey) => translate(language, key);
  const [products, setProducts] = useState<CatalogProduct[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [imported, setImported] = useState(0);
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(0);
  const [state, setState] = useState<ImportState>({ kind: 'idle' });
  const asked = useRef(0);
  useEffect(() => {
    const mine = ++asked.current;
    void fetchCatalog().then((result) => {
      if (mine !== asked.current) return; // a later fetch was asked meanwhile: its answer is newer
      if (result.ok) {
        setProducts(result.products);
        setError(undefined);
      } else setError(result.error);
    });
  }, [version, imported]);

  const upload = async (event: SubmitEvent) => {
    event.preventDefault();
    const check = (event.submitter as HTMLElement | null)?.dataset.action === 'check';
    const input = (event.target as HTMLFormElement).querySelector<HTMLInputElement>('input[type="file"]');
    const file = input?.files?.[0];
    if (!file) return;
    if (file.size > MAX_CSV_BYTES) {
      setState({ kind: 'refused', file: file.name, error: t('csvTooLarge'), problems: [], count: 0, check });
      return;
    }
    let csv: string;
    try {
      // Strictly UTF-8, as the command line reads it: a Latin-1 export would import as mojibake.
      csv = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer());
    } catch {
      setState({ kind: 'refused', file: file.name, error: t('csvNotUtf8'), problems: [], count: 0, check });
      return;
    }
    setState({ kind: 'sending', file: file.name, check });
    const answer = await request<ImportCounts>('catalog/import', { csv, ...(check ? { dryRun: true } : {}) });
    if (answer.status === 'ok') {
      setState({ kind: 'done', file: file.name, counts: answer.data, check });
      if (!check) setImported((count) => count + 1);
    } else {
      const problems = Array.isArray(answer.details?.problems)
        ? (answer.details.problems as ImportProblem[])
        : [];
      const count = typeof answer.details?.problemCount === 'number' ? answer.details.problemCount : 0;
      setState({ kind: 'refused', file: file.name, error: answer.error, problems, count, check });
    }
  };

  const query = search.trim().toLowerCase();
  const shown = (products ?? []).filter(
    (product) =>
      query === '' ||
      [product.sku, product.gtin, product.name, product.category].some((field) =>
        field?.toLowerCase().includes(query),
      ),
  );
  const pages = Math.max(1, Math.ceil(shown.length / SHOWN_PAGE));
  const current = Math.min(page, pages - 1);
  return html`
    <section aria-labelledby="catalog">
      <h2 id="catalog">${t('catalog')}</h2>
      <form class="import" onSubmit=${upload}>
        <label>${t('importCsv')}
          <input type="file" name="csv" accept=".csv,text/csv" required />
        </label>
        <button type="submit" data-action="check" disabled=${state.kind === 'sending'}>${t('importCheck')}</button>
        <button type="submit" data-action="import" disabled=${state.kind === 'sending'}>${t('importSend')}</button>
        <small>${t('importHint')}</small>
      </form>
      ${importResult(language, state)}
      <div class="filters">
        <label>${t('search')}
          <input type="search" name="search" value=${search}
            onInput=${(event: Event) => {
              setSearch((event.target as HTMLInputElement).value);
              setPage(0);
            }} />
        </label>
      </div>
      ${error && html`<p class="warn" role="alert">${error}</p>`}
      ${!products && !error && html`<p>…</p>`}
      ${
        products &&
        html`<p data-field="count">${shown.length} / ${products.length} ${t('products')}</p>
        <table class="catalog">
          <thead>
            <tr>
              <th scope="col">${t('sku')}</th><th scope="col">${t('gtin')}</th><th scope="col">${t('productName')}</th>
              <th scope="col">${t('category')}</th><th scope="col" class="money">${t('price')}</th>
              <th scope="col">${t('weight')}</th><th scope="col">${t('catalogMinStock')}</th><th scope="col">${t('tags')}</th>
            </tr>
          </thead>
          <tbody>
            ${shown.slice(current * SHOWN_PAGE, (current + 1) * SHOWN_PAGE).map(
              (product) => html`<tr key=${product.sku} data-sku=${product.sku}>
                <td><code>${product.sku}</code>${product.catalogFile ? html` <small title=${product.catalogFile}>${t('fromFile')}</small>` : ''}</td>
                <td>${product.gtin ?? ''}</td>
                <td>${product.name}</td>
                <td>${product.category ?? ''}</td>
                <td class="money" data-field="price">${formatMoney(product.unitPrice, product.currency, language)}</td>
                <td>${weightText(product)}</td>
                <td data-field="min-stock">${product.minStock ?? ''}</td>
                <td>${product.tags.join(' ')}</td>
              </tr>`,
            )}
          </tbody>
        </table>
        ${
          pages > 1 &&
          html`<div class="pager">
            <button type="button" disabled=${current === 0} onClick=${() => setPage(current - 1)}>‹</button>
            <span>${current + 1} / ${pages}</span>
            <button type="button" disabled=${current >= pages - 1} onClick=${() => setPage(current + 1)}>›</button>
          </div>`
        }`
      }
    </section>
  `;
}

function weightText(product: CatalogProduct): string {
  if (product.unitWeightG === undefined) return '';
  return product.weightToleranceG === undefined
    ? `${product.unitWeightG} g`
    : `${product.unitWeightG} ± ${product.weightToleranceG} g`;
}

function importResult(language: Language, state: ImportState) {
  const t = (key: TextKey) => translate(language, key);
  switch (state.kind) {
    case 'idle':
      return null;
    case 'sending':
      return html`<p role="status">${state.file}: ${t(state.check ? 'importChecking' : 'importSending')}</p>`;
    case 'done':
      return html`<p role="status" class="ok" data-import=${state.check ? 'checked' : 'done'}>
        ${`${state.file}: ${state.check ? `${t('importChecked')} ` : ''}${state.counts.added} ${t('added')}, ${state.counts.updated} ${t('updated')}, ${state.counts.unchanged} ${t('unchanged')}`}
      </p>`;
    case 'refused':
      return html`<div role="alert" data-import="refused" data-check=${state.check ? 'true' : undefined}>
        <p class="warn">${state.file}: ${t(state.check ? 'importCheckRefused' : 'importRefused')}${state.count > 0 ? ` (${state.count})` : ''}</p>
        ${
          state.problems.length === 0
            ? html`<p class="warn">${state.error}</p>`
            : html`<table class="problems">
              <thead>
                <tr><th scope="col">${t('line')}</th><th scope="col">${t('field')}</th>
                  <th scope="col">${t('value')}</th><th scope="col">${t('problem')}</th></tr>
              </thead>
              <tbody>
                ${state.problems.map(
                  (problem) => html`<tr data-line=${problem.line} data-problem-field=${problem.field}>
                    <td>${problem.line}</td><td><code>${problem.field}</code></td>
                    <td><code>${problem.value ?? ''}</code></td><td>${problem.message}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`
        }
        ${state.count > state.problems.length && html`<p>${t('moreProblems')} ${state.count - state.problems.length}</p>`}
      </div>`;
  }
}
