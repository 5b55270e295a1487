import { z } from 'zod';
import type { CabinetConfig, CustomerConfig } from '../../config/cabinets.js';
import type { PrivacyConfig } from '../../config/privacy.js';
import type { ReaderConfig } from '../../config/schema.js';
import { deviceZones } from '../../config/zones.js';
import type { Logger } from '../../observability/logger.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { TaggedItem } from '../../shared/commerce.js';
import type { EventBody } from '../../shared/events.js';
import type { Bus, CommandRegistry } from '../../shared/extension.js';
import { uuidV5 } from '../../shared/uuid.js';
import type { Store } from '../../store/index.js';
import { Cabinet } from './cabinet.js';
import { CustomerHistory } from './customer-history.js';
import { registerCustomerRequests } from './customer-requests.js';
import { Customers } from './customers.js';
import { CabinetScreen } from './display.js';
import { Forgetting } from './forget.js';
import { ReadHistory } from './read-history.js';
import { registerResolveRequest, SessionResolutions } from './resolutions.js';
import { StoredCalibration } from './search-calibration.js';
import { CabinetEvidence, type TagSearchResult } from './session-evidence.js';
import { SessionStore } from './session-store.js';
import { registerSessionsRequest } from './sessions-request.js';
import { settleHistoryOptions } from './settle.js';
import { TemperatureGuards } from './temperature-guards.js';

/** Reads between two prunings of a cabinet's read history (bounded memory without a timer). */
const PRUNE_EVERY_READS = 4096;

/** Namespace of the name-based session ids (`<gateway> <cabinet> <start time> <n>`). */
const SESSION_ID_NAMESPACE = 'c7b2a3f4-5d6e-4f70-8a91-b2c3d4e5f607';

export interface PurchasesDeps {
  /** Part of every session id: two gateways never share one. */
  gatewayId: string;
  cabinets: readonly CabinetConfig[];
  /** The allow-list seed from the config (MQTT `customers/set` adds to it). */
  customers: readonly CustomerConfig[];
  /** To know which readers read a cabinet's zone (their faults make a session uncertain). */
  readers: readonly ReaderConfig[];
  store: Store;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  requests: CommandRegistry;
  /** Every value a sensor reports, repeats included (the cabinets' scales). */
  observeSamples?: (
    device: string,
    listener: (channel: string, value: string | number, atMs: number) => void,
  ) => void;
  /** Every raw read of a zone, before debounce. */
  observeReads(
    zone: string,
    listener: (tag: string, atMs: number, rssi: number, antenna: number) => void,
  ): void;
  itemFor(tag: string): TaggedItem;
  /** Whether a reader's driver can search for given tags. */
  canSearch?: (reader: string) => boolean;
  /** A targeted search on a reader (absent: no reader can be asked). */
  search?: (
    reader: string,
    tags: readonly string[],
    options: { readPowerDbm?: number },
  ) => Promise<TagSearchResult>;
  /** How long purchase history is kept for the personal welcome, and how often it is purged. */
  privacy: PrivacyConfig;
}

/** What other features may know of the purchases: the session running on a cabinet. */
/** How a sale ends: its final event. */
export type PurchaseEnd = Extract<EventBody, { type: 'purchase.completed' | 'purchase.cancelled' }>;

export interface PurchasesService {
  /** The session running on a cabinet now, if any (read from the store: the truth after a restart too). */
  activeSession(cabinet: string): { id: string; state: string } | undefined;
  /** A customer's display name, only when they consented (the store console's Now page). */
  displayName(customer: string): string | undefined;
  /** A cabinet's latest ended sale: its final event's body and when it ended (epoch ms). */
  lastEnded(cabinet: string): { body: PurchaseEnd; atMs: number } | undefined;
}

declare module '../../shared/feature.js' {
  interface Services {
    purchases: PurchasesService;
  }
}

/**
 * Unattended purchases: one session state machine per configured cabinet, fed by the bus (cards,
 * door, reader status) and by the raw reads of the cabinet's zone, with its MQTT commands:
 * `session/start`, `session/cancel`, `sessions/get`, `customers/get`, `customers/set`.
 */
export class PurchasesExtension implements PurchasesService {
  readonly customers: Customers;
  private readonly sessions: SessionStore;
  private readonly resolutions: SessionResolutions;
  private readonly history: CustomerHistory;
  private readonly forgetting: Forgetting;
  private purgeTimer: TimerHandle | undefined;
  private readonly cabinets = new Map<string, Cabinet>();
  private readonly temperature: TemperatureGuards;
  private readonly unsubscribe: Array<() => void> = [];
  private lastIdKey = '';
  private lastIdCount = 0;

  constructor(private readonly deps: PurchasesDeps) {
    const { store, clock, logger, bus } = deps;
    this.customers = new Customers(store, () => clock.now());
    this.sessions = new SessionStore(store);
    this.resolutions = new SessionResolutions(store);
    this.history = new CustomerHistory(store, () => clock.now(), deps.privacy.historyRetentionDays);
    this.forgetting = new Forgetting({
      ...{ store, clock, logger: logger.child({ component: 'purchases' }) },
      ...{ customers: this.customers, history: this.history, sessions: this.sessions },
    });
    for (const cabinetConfig of deps.cabinets) {
      const history = new ReadHistory(settleHistoryOptions(cabinetConfig.settle));
      let sincePrune = 0;
      deps.observeReads(cabinetConfig.zone, (tag, atMs, rssi, antenna) => {
        history.record(tag, atMs, rssi, antenna);
        if (++sincePrune >= PRUNE_EVERY_READS) {
          sincePrune = 0;
          history.prune(atMs);
        }
      });
      const scale = cabinetConfig.scale;
      if (scale) {
        deps.observeSamples?.(scale.sensor, (channel, value) => {
          if (channel === scale.channel && typeof value === 'number')
            this.cabinets.get(cabinetConfig.id)?.onWeight(value);
        });
      }
      const screen = new CabinetScreen(cabinetConfig.display, cabinetConfig.id, bus, logger);
      const cabinetLogger = logger.child({ component: 'purchases', cabinet: cabinetConfig.id });
      const evidence = new CabinetEvidence({
        config: cabinetConfig,
        logger: cabinetLogger,
        history,
        calibration: new StoredCalibration(store, cabinetConfig.id),
        search: this.searchFor(cabinetConfig),
        itemFor: (tag) => deps.itemFor(tag),
      });
      this.cabinets.set(
        cabinetConfig.id,
        new Cabinet({
          config: cabinetConfig,
          bus,
          clock,
          logger: cabinetLogger,
          sessions: this.sessions,
          customers: this.customers,
          history,
          evidence,
          screen,
          itemFor: (tag) => deps.itemFor(tag),
          welcomeFor: (customer) => this.welcomeFor(customer),
          newId: (atMs) => this.sessionId(cabinetConfig.id, atMs),
        }),
      );
    }
    this.registerRequests();
    this.temperature = new TemperatureGuards({
      ...{ cabinets: deps.cabinets, store, bus, clock, logger, requests: deps.requests },
      cabinet: (id) => this.cabinets.get(id),
    });
  }

  start(): void {
    const { bus } = this.deps;
    if (this.deps.customers.length > 0) this.customers.set(this.deps.customers);
    this.unsubscribe.push(
      bus.on('purchases', ['tag.arrived', 'sensor.changed', 'reader.status'], (event) => {
        for (const cabinet of this.cabinets.values()) {
          const settings = this.deps.cabinets.find((candidate) => candidate.id === cabinet.id);
          if (!settings) continue;
          if (event.type === 'tag.arrived' && event.reader === settings.cardReader) cabinet.onCard(event.tag);
          if (
            event.type === 'sensor.changed' &&
            event.sensor === settings.door.sensor &&
            event.channel === settings.door.channel
          ) {
            cabinet.onDoor(String(event.value));
          }
          if (event.type === 'reader.status' && event.reader === settings.scale?.sensor) {
            cabinet.onScaleStatus(event.state, event.reason);
          }
          if (event.type === 'reader.status' && this.readersOf(settings.zone).has(event.reader)) {
            cabinet.onReaderStatus(event.reader, event.state, event.reason);
          }
        }
      }),
      bus.on('purchases', 'actuator.status', (event) => {
        for (const settings of this.deps.cabinets) {
          if (settings.lock === event.actuator)
            this.cabinets.get(settings.id)?.onLockStatus(event.state, event.reason);
        }
      }),
      // Only with consent, and only what can be shown back ("your usual"): the SKU and its name.
      bus.on('purchases', 'purchase.completed', (event) => {
        if (event.items.length > 0 && this.customers.consents(event.customer)) {
          this.history.record(event.customer, event.items, Date.parse(event.ts));
        }
      }),
      // After the history listener: the outcome is written everywhere before the customer is forgotten.
      bus.on('purchases', ['purchase.completed', 'purchase.cancelled'], () => this.forgetting.runPending()),
    );
    this.purge();
    for (const record of this.sessions.active()) {
      const cabinet = this.cabinets.get(record.cabinet);
      if (cabinet) cabinet.recover(record);
      else
        this.deps.logger.error(
          { session: record.id, cabinet: record.cabinet },
          'session of an unknown cabinet left as it is',
        );
    }
    for (const cabinet of this.cabinets.values()) cabinet.startCalibrating();
    // A forget whose session ended just before the gateway went down.
    this.forgetting.runPending();
    this.temperature.start();
  }

  stop(): void {
    if (this.purgeTimer !== undefined) this.deps.clock.clearTimeout(this.purgeTimer);
    this.purgeTimer = undefined;
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    for (const cabinet of this.cabinets.values()) cabinet.stop();
    this.temperature.stop();
    this.forgetting.stop();
  }

  /**
   * A session's id, from what started it: the same capture replayed gives the same ids (DESIGN:
   * same capture and config, same events). A second session of one cabinet in the same millisecond
   * (a cancel and a start on one chunk) gets the next number.
   */
  private sessionId(cabinet: string, atMs: number): string {
    const key = `${cabinet} ${atMs}`;
    const n = this.lastIdKey === key ? this.lastIdCount + 1 : 0;
    this.lastIdKey = key;
    this.lastIdCount = n;
    return uuidV5(SESSION_ID_NAMESPACE, `${this.deps.gatewayId} ${key} ${n}`);
  }

  /**
   * The cabinet's search: on the first reader of its zone that can search (the others are asked
   * nothing); undefined when there is no such reader or searching is off.
   */
  private searchFor(
    cabinet: CabinetConfig,
  ): ((tags: readonly string[]) => Promise<TagSearchResult>) | undefined {
    const search = this.deps.search;
    if (!search || !cabinet.search.enabled) return undefined;
    const reader = [...this.readersOf(cabinet.zone)].find((id) => this.deps.canSearch?.(id) ?? false);
    if (reader === undefined) return undefined;
    const options =
      cabinet.search.readPowerDbm === undefined ? {} : { readPowerDbm: cabinet.search.readPowerDbm };
    return (tags) => search(reader, tags, options);
  }

  activeSession(cabinet: string): { id: string; state: string } | undefined {
    const found = this.sessions.active().find((session) => session.cabinet === cabinet);
    return found ? { id: found.id, state: found.state } : undefined;
  }

  displayName(customer: string): string | undefined {
    if (!this.customers.consents(customer)) return undefined;
    return this.customers.ofReference(customer).find((card) => card.name !== undefined)?.name;
  }

  lastEnded(cabinet: string): { body: PurchaseEnd; atMs: number } | undefined {
    const session = this.sessions.lastEnded(cabinet);
    return session?.outcome ? { body: session.outcome as PurchaseEnd, atMs: session.updatedAt } : undefined;
  }

  /** The welcome's name and usual items: only for a customer who consented, else nothing personal. */
  private welcomeFor(customer: string): { name?: string; usual?: string[] } {
    if (!this.customers.consents(customer)) return {};
    const name = this.displayName(customer);
    const usual = this.history.usual(customer, this.deps.privacy.usualItems);
    return { ...(name === undefined ? {} : { name }), ...(usual.length > 0 ? { usual } : {}) };
  }

  /** Drops history past its retention now and every purgeIntervalMs; a failure is retried next time. */
  private purge(): void {
    try {
      const purged = this.history.purge();
      if (purged > 0) this.deps.logger.info({ rows: purged }, 'customer history past retention purged');
    } catch (error) {
      this.deps.logger.error({ err: error }, 'customer history purge failed');
    }
    // A chore: it runs as time passes, and is no reason for a replay's clock to run on.
    this.purgeTimer = this.deps.clock.setTimeout(() => this.purge(), this.deps.privacy.purgeIntervalMs, {
      background: true,
    });
  }

  private readersOf(zone: string): Set<string> {
    const ids = new Set<string>();
    for (const reader of this.deps.readers) if (deviceZones(reader).all.includes(zone)) ids.add(reader.id);
    return ids;
  }

  private cabinet(id: string): Cabinet {
    const cabinet = this.cabinets.get(id);
    if (!cabinet)
      throw new Error(
        `unknown cabinet "${id}" (cabinets: ${[...this.cabinets.keys()].join(', ') || 'none'})`,
      );
    return cabinet;
  }

  private registerRequests(): void {
    const { requests } = this.deps;
    const owner = 'purchases';
    const cabinet = z.string().min(1).max(64);
    requests.register(
      'session/start',
      { cabinet, customer: z.string().min(1).max(128) },
      ({ cabinet: id, customer }) => {
        const session = this.cabinet(id).start(customer, 'request');
        return { session: session.id, cabinet: id, state: session.state };
      },
      { owner, changesState: true },
    );
    requests.register(
      'session/cancel',
      { cabinet },
      ({ cabinet: id }) => {
        const session = this.cabinet(id).cancel('request');
        return { session: session.id, cabinet: id, state: 'cancelled' };
      },
      { owner, changesState: true },
    );
    registerSessionsRequest({
      ...{ requests, sessions: this.sessions, resolutions: this.resolutions, owner },
      itemFor: (tag) => this.deps.itemFor(tag),
    });
    this.unsubscribe.push(
      registerResolveRequest({
        ...{ requests, store: this.deps.store, bus: this.deps.bus, clock: this.deps.clock },
        ...{ sessions: this.sessions, resolutions: this.resolutions, cabinets: this.deps.cabinets },
        itemFor: (tag) => this.deps.itemFor(tag),
        owner,
      }),
    );
    this.unsubscribe.push(
      ...registerCustomerRequests({
        requests,
        store: this.deps.store,
        logger: this.deps.logger,
        customers: this.customers,
        history: this.history,
        forgetting: this.forgetting,
        fromConfig: {
          references: new Set(this.deps.customers.map((customer) => customer.reference)),
          cards: new Set(this.deps.customers.map((customer) => customer.card.toUpperCase())),
        },
      }),
    );
  }
}
