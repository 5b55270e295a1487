import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { AlarmsPage } from './alarms-page.js';
import { fetchNow, type GatewayEvent, login, logout, type NowState, openEvents } from './api.js';
import { CatalogPage } from './catalog-page.js';
import { CustomersPage } from './customers-page.js';
import { DevicesPage } from './devices-page.js';
import { EngagementPage } from './engagement-page.js';
import { EventsPage } from './events-page.js';
import { html } from './html.js';
import { InventoryPage } from './inventory-page.js';
import { NowPage } from './now-page.js';
import { PageBoundary } from './page-boundary.js';
import { ReviewPage } from './review-page.js';
import { SessionsPage } from './sessions-page.js';
import { LANGUAGES, type Language, preferredLanguage, type TextKey, translate } from './texts.js';
import { useThrottled } from './throttle.js';

/** Events the page keeps for the Events page; older ones are on MQTT and in the gateway's log. */
const KEPT_EVENTS = 500;
const LANGUAGE_KEY = 'rfid-console-language';
/** Events that change the engagement figures (a till's `tags.paid` makes a pick-up bought). */
const FUNNEL_EVENTS = new Set(['product.pickedUp', 'product.putBack', 'purchase.completed', 'tags.paid']);
/** A page fetches its data again at most this often, however busy the store (the last change included). */
const PAGE_REFETCH_MS = 2000;
/** The state behind Now and Devices is fetched again once a burst of events has passed, at most this often. */
const NOW_REFETCH_MS = 1000;
/** After the event stream was refused for a reason other than a sign-in, it is opened again this much later. */
const REOPEN_MS = 5000;

/** The pages, in the order of the menu, with their titles. */
const ROUTES = [
  ['now', 'now'],
  ['review', 'review'],
  ['alarms', 'alarmsPage'],
  ['inventory', 'inventory'],
  ['catalog', 'catalog'],
  ['customers', 'customersPage'],
  ['sessions', 'sessions'],
  ['engagement', 'engagement'],
  ['devices', 'devicesPage'],
  ['events', 'events'],
] as const satisfies ReadonlyArray<readonly [string, TextKey]>;
type Route = (typeof ROUTES)[number][0];
type Access = 'unknown' | 'allowed' | 'login' | 'off';

function routeOf(hash: string): Route {
  return ROUTES.find(([name]) => hash === `#/${name}`)?.[0] ?? 'now';
}

function startLanguage(): Language {
  const saved = localStorage.getItem(LANGUAGE_KEY);
  return (LANGUAGES as readonly string[]).includes(saved ?? '')
    ? (saved as Language)
    : preferredLanguage(navigator.languages);
}

function App() {
  const [language, setLanguage] = useState<Language>(startLanguage);
  const [route, setRoute] = useState<Route>(routeOf(location.hash));
  const [access, setAccess] = useState<Access>('unknown');
  const [now, setNow] = useState<NowState | undefined>(undefined);
  const [events, setEvents] = useState<GatewayEvent[]>([]);
  const [live, setLive] = useState(false);
  /** Counts purchase events: the pages that list sessions fetch them again when it moves. */
  const [purchases, setPurchases] = useState(0);
  /** Counts stock events (tags arriving, leaving, moving): the inventory is fetched again. */
  const [stock, setStock] = useState(0);
  /** Counts alarms raised and acknowledged: the Alarms page fetches its lists again. */
  const [alarms, setAlarms] = useState(0);
  /** Counts the shelf's funnel events (pick-ups, put-backs, sales): the Engagement page refetches. */
  const [funnel, setFunnel] = useState(0);
  /**
   * Counts reconnections of the event stream: events were perhaps missed (a restarted gateway, a
   * network cut), so every page fetches its data again. The first connection is not one.
   */
  const [reconnects, setReconnects] = useState(0);
  const connected = useRef(false);
  /** Moved to open the event stream again after the gateway closed it for good. */
  const [stream, setStream] = useState(0);
  const purchasesShown = useThrottled(purchases + reconnects, PAGE_REFETCH_MS);
  const stockShown = useThrottled(stock + reconnects, PAGE_REFETCH_MS);
  const alarmsShown = useThrottled(alarms + reconnects, PAGE_REFETCH_MS);
  const funnelShown = useThrottled(funnel + reconnects, PAGE_REFETCH_MS);
  const t = (key: Parameters<typeof translate>[1]) => translate(language, key);

  const refresh = async (): Promise<Access | undefined> => {
    const result = await fetchNow().catch(() => undefined);
    if (!result) return undefined;
    const next: Access = result.ok
      ? 'allowed'
      : result.status === 401
        ? 'login'
        : result.status === 403
          ? 'off'
          : 'unknown';
    if (result.ok) setNow(result.value);
    setAccess(next);
    return next;
  };

  useEffect(() => {
    const onHash = () => setRoute(routeOf(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = `${t('title')} · rfid-gateway`;
    localStorage.setItem(LANGUAGE_KEY, language);
  }, [language]);

  useEffect(() => {
    void refresh();
  }, []);

  useEffect(() => {
    if (access !== 'allowed') return;
    let pending: ReturnType<typeof setTimeout> | undefined;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    // The state behind Now changes with the events: fetched again once a burst of them has passed.
    const refreshSoon = () => {
      pending ??= setTimeout(() => {
        pending = undefined;
        void refresh();
      }, NOW_REFETCH_MS);
    };
    const close = openEvents({
      onEvent: (event) => {
        setEvents((kept) => [...kept.slice(-(KEPT_EVENTS - 1)), event]);
        if (event.type.startsWith('purchase.')) setPurchases((count) => count + 1);
        if (event.type === 'inventory.changed') setStock((count) => count + 1);
        if (event.type === 'security.alarm' || event.type === 'alarm.acknowledged')
          setAlarms((count) => count + 1);
        if (FUNNEL_EVENTS.has(event.type)) setFunnel((count) => count + 1);
        refreshSoon();
      },
      // (Re)connected, perhaps to a restarted gateway: catch up with its state.
      onOpen: () => {
        setLive(true);
        if (connected.current) setReconnects((count) => count + 1);
        connected.current = true;
        void refresh();
      },
      onDown: () => setLive(false),
      // Refused for good (the browser will not retry): a revoked token or an expired sign-in shows the
      // sign-in page; anything else, the stream is tried again a little later.
      onClosed: () => {
        setLive(false);
        void refresh().then((next) => {
          if (next === 'allowed' || next === undefined)
            reopen = setTimeout(() => setStream((count) => count + 1), REOPEN_MS);
        });
      },
    });
    return () => {
      close();
      if (pending) clearTimeout(pending);
      if (reopen) clearTimeout(reopen);
    };
  }, [access, stream]);

  const openAlarms = now?.openAlarms ?? now?.alarms.length ?? 0;
  const header = html`
    <header>
      <h1>${t('title')}${now ? html` <small>${now.gateway}</small>` : ''}</h1>
      <nav aria-label=${t('title')}>
        ${ROUTES.map(
          ([name, label]) =>
            html`<a href=${`#/${name}`} aria-current=${route === name ? 'page' : undefined}>${t(label)}${
              name === 'alarms' && openAlarms > 0
                ? html` <span class="badge" data-open-alarms=${openAlarms} aria-label=${`${openAlarms} ${t('alarmsOpenCount')}`}>${openAlarms}</span>`
                : ''
            }</a> `,
        )}
      </nav>
      <label class="language">
        ${t('language')}
        <select
          value=${language}
          onChange=${(event: Event) => setLanguage((event.target as HTMLSelectElement).value as Language)}
        >
          <option value="en">English</option>
          <option value="zh-TW">繁體中文</option>
        </select>
      </label>
      <span class=${live ? 'live on' : 'live'} role="status">${live ? t('live') : t('reconnecting')}</span>
      ${
        now?.tokenRequired && access === 'allowed'
          ? html`<button type="button" data-action="logout" onClick=${async () => {
              await logout();
              setAccess('login');
            }}>${t('logout')}</button>`
          : ''
      }
    </header>
  `;
  const timeZone = now?.timeZone;
  const page = () => {
    switch (route) {
      case 'review':
        return html`<${ReviewPage} language=${language} timeZone=${timeZone} version=${purchasesShown} />`;
      case 'alarms':
        return html`<${AlarmsPage} language=${language} timeZone=${timeZone} version=${alarmsShown} />`;
      case 'inventory':
        return html`<${InventoryPage} language=${language} timeZone=${timeZone} version=${stockShown} />`;
      case 'catalog':
        return html`<${CatalogPage} language=${language} version=${reconnects} />`;
      case 'customers':
        return html`<${CustomersPage} language=${language} version=${reconnects} />`;
      case 'sessions':
        return html`<${SessionsPage} language=${language} timeZone=${timeZone} version=${purchasesShown}
          cabinets=${now?.cabinets.map((cabinet) => cabinet.id)} />`;
      case 'engagement':
        return (
          now &&
          html`<${EngagementPage} language=${language} timeZone=${timeZone} gatewayTime=${now.ts} version=${funnelShown} />`
        );
      case 'devices':
        return now && html`<${DevicesPage} now=${now} language=${language} />`;
      case 'events':
        return html`<${EventsPage} events=${events} language=${language} timeZone=${timeZone} />`;
      default:
        return now && html`<${NowPage} now=${now} language=${language} />`;
    }
  };
  if (access === 'login')
    return html`${header}<main><${Login} language=${language} onDone=${refresh} /></main>`;
  if (access === 'off') return html`${header}<main><p class="warn">${t('off')}</p></main>`;
  return html`${header}
    <main>
      <${PageBoundary} key=${route} language=${language}>${page()}<//>
    </main>`;
}

function Login({ language, onDone }: { language: Language; onDone: () => void }) {
  const [token, setToken] = useState('');
  const [wrong, setWrong] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (await login(token)) onDone();
    else setWrong(true);
  };
  return html`<form onSubmit=${submit} class="login">
    <label>${translate(language, 'token')}
      <input type="password" autocomplete="current-password" required value=${token}
        onInput=${(event: Event) => setToken((event.target as HTMLInputElement).value)} />
    </label>
    <button type="submit">${translate(language, 'login')}</button>
    ${wrong && html`<p class="warn" role="alert">${translate(language, 'wrongToken')}</p>`}
  </form>`;
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
}
