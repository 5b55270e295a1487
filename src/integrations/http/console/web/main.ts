import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { AlarmsPage } from './alarms-page.js';
import { fetchNow, type GatewayEvent, login, type NowState, openEvents } from './api.js';
import { CatalogPage } from './catalog-page.js';
import { CustomersPage } from './customers-page.js';
import { DevicesPage } from './devices-page.js';
import { EngagementPage } from './engagement-page.js';
import { EventsPage } from './events-page.js';
import { html } from './html.js';
import { InventoryPage } from './inventory-page.js';
import { NowPage } from './now-page.js';
import { ReviewPage } from './review-page.js';
import { SessionsPage } from './sessions-page.js';
import { LANGUAGES, type Language, preferredLanguage, type TextKey, translate } from './texts.js';

/** Events the page keeps for the Events page; older ones are on MQTT and in the gateway's log. */
const KEPT_EVENTS = 500;
const LANGUAGE_KEY = 'rfid-console-language';
/** Events that change the engagement figures (a till's `tags.paid` makes a pick-up bought). */
const FUNNEL_EVENTS = new Set(['product.pickedUp', 'product.putBack', 'purchase.completed', 'tags.paid']);

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
  const t = (key: Parameters<typeof translate>[1]) => translate(language, key);

  const refresh = async () => {
    const result = await fetchNow().catch(() => undefined);
    if (!result) return;
    if (result.ok) {
      setNow(result.value);
      setAccess('allowed');
    } else setAccess(result.status === 401 ? 'login' : result.status === 403 ? 'off' : 'unknown');
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
    // The state behind Now changes with the events: fetched again once a burst of them has passed.
    const refreshSoon = () => {
      pending ??= setTimeout(() => {
        pending = undefined;
        void refresh();
      }, 200);
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
        void refresh();
      },
      onDown: () => setLive(false),
    });
    return () => {
      close();
      if (pending) clearTimeout(pending);
    };
  }, [access]);

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
    </header>
  `;
  const timeZone = now?.timeZone;
  const page = () => {
    switch (route) {
      case 'review':
        return html`<${ReviewPage} language=${language} timeZone=${timeZone} version=${purchases} />`;
      case 'alarms':
        return html`<${AlarmsPage} language=${language} timeZone=${timeZone} version=${alarms} />`;
      case 'inventory':
        return html`<${InventoryPage} language=${language} timeZone=${timeZone} version=${stock} />`;
      case 'catalog':
        return html`<${CatalogPage} language=${language} />`;
      case 'customers':
        return html`<${CustomersPage} language=${language} />`;
      case 'sessions':
        return html`<${SessionsPage} language=${language} timeZone=${timeZone} version=${purchases} />`;
      case 'engagement':
        return (
          now &&
          html`<${EngagementPage} language=${language} timeZone=${timeZone} gatewayTime=${now.ts} version=${funnel} />`
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
      ${page()}
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
