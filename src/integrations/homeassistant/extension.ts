import type { MessageHandler } from '../../mqtt/client.js';
import { type DiscoveryTopics, discoveryTopics } from '../../mqtt/topics.js';
import type { Logger } from '../../observability/logger.js';
import type { GatewayEvent } from '../../shared/events.js';
import type { FeatureContext, Services } from '../../shared/feature.js';
import { AnnouncedTopics } from './announced.js';
import { CabinetStates } from './cabinet-state.js';
import {
  type DiscoveryEntity,
  discoveryEntities,
  nodeIdOf,
  ORIGIN_NAME,
  type StateTopics,
  stateTopics,
} from './discovery.js';
import { alarmPayload, type HaEventPayload, purchasePayload } from './events.js';
import { LockControl, lockAuditRow } from './lock-control.js';

export interface HomeAssistantSettings {
  /** false: only remove what an earlier run announced (discovery turned off or its section removed). */
  enabled: boolean;
  prefix: string;
}

export interface HomeAssistantDeps {
  mqtt: Services['mqtt'];
  retained: Services['retained'];
  remoteCommands: Services['remoteCommands'];
  /** Whether a customer is at a cabinet (an unlock is refused then). */
  purchases?: Services['purchases'] | undefined;
  /** Lock commands go into the audit trail like any state-changing command. */
  audit?: Services['audit'] | undefined;
}

/**
 * Home Assistant MQTT discovery (devices.md §3). Publishes one retained config per entity (QoS 1)
 * at every connection and whenever Home Assistant announces itself `online` on `<prefix>/status`,
 * removes with an empty retained payload the entities that left the config, keeps the cabinets' door
 * and lock states retained under `<base>/homeassistant/`, forwards purchases and alarms to `event`
 * entities, and takes `LOCK`/`UNLOCK` from the lock entities (see LockControl).
 *
 * What was announced is kept in the store (`homeassistant_discovery`): at start every stored topic
 * the config no longer has is removed, and forgotten once the broker acknowledged the removal. As a
 * second net (a wiped data directory), the retained configs under this gateway's node id are read
 * back and any the config does not have is removed too.
 *
 * Nothing here throws into the bus or the MQTT client: every handler logs its own failures.
 */
export class HomeAssistantExtension {
  private readonly log: Logger;
  private readonly entities: DiscoveryEntity[];
  private readonly desired: ReadonlySet<string>;
  private readonly topics: StateTopics;
  private readonly node: string;
  private readonly haStatus: string;
  private readonly discovery: DiscoveryTopics;
  private readonly states: CabinetStates;
  private readonly cabinetIds: ReadonlySet<string>;
  private lockControl: LockControl | undefined;
  private announced: AnnouncedTopics | undefined;
  /** Stored topics the config no longer has, until their removal is acknowledged. */
  private readonly removals = new Set<string>();
  private readonly cleanups: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly context: FeatureContext,
    private readonly deps: HomeAssistantDeps,
    private readonly settings: HomeAssistantSettings,
  ) {
    const { config, clock, logger } = context;
    this.log = logger.child({ component: 'homeassistant' });
    const topics = deps.mqtt.topics;
    this.topics = stateTopics(topics);
    this.node = nodeIdOf(config.gatewayId);
    this.discovery = discoveryTopics(settings.prefix, this.node);
    this.haStatus = this.discovery.status;
    this.entities = settings.enabled ? discoveryEntities({ config, topics, prefix: settings.prefix }) : [];
    this.desired = new Set(this.entities.map((entity) => entity.topic));
    this.cabinetIds = new Set(config.cabinets.map((cabinet) => cabinet.id));
    this.states = new CabinetStates(config.cabinets, config.actuators, this.topics, clock, (topic, payload) =>
      this.retain(topic, payload),
    );
  }

  start(): void {
    const { store, bus, config, clock } = this.context;
    const { mqtt, purchases, remoteCommands } = this.deps;
    this.announced = new AnnouncedTopics(store, bus);
    for (const topic of this.announced.list()) if (!this.desired.has(topic)) this.removals.add(topic);
    try {
      this.announced.record([...this.desired], clock.now());
    } catch (error) {
      // Published all the same; only a later removal of these could be missed.
      this.log.error({ err: error }, 'announced discovery topics not stored');
    }
    const filters = [this.discovery.configFilter];
    if (this.settings.enabled) {
      this.lockControl = new LockControl({
        cabinets: config.cabinets,
        bus,
        logger: this.log,
        activeSession: (cabinet) => purchases?.activeSession(cabinet),
        republish: (cabinet) => this.states.republish(cabinet),
        refuseAll:
          remoteCommands.refusedBecause !== undefined
            ? remoteCommands.refusedBecause
            : config.security.signedCommands.required
              ? 'signed commands are required, and Home Assistant cannot sign them'
              : undefined,
      });
      filters.push(this.haStatus, this.topics.lockCommandFilter);
      this.listen();
    }
    // A refusal is logged by the client with its filter: the ACL must allow reading the discovery prefix.
    this.cleanups.push(
      mqtt.subscribe(filters, this.onMessage),
      mqtt.onConnect(() => this.announce('broker connected')),
    );
    if (mqtt.connected) this.announce('start-up');
  }

  stop(): void {
    this.stopped = true;
    for (const cleanup of this.cleanups.splice(0).reverse()) cleanup();
    this.states.stop();
  }

  /** The bus events Home Assistant shows: door and lock states, purchases, alarms. */
  private listen(): void {
    const { bus } = this.context;
    const guarded =
      <E extends GatewayEvent>(what: string, handler: (event: E) => void) =>
      (event: E) => {
        try {
          handler(event);
        } catch (error) {
          this.log.error({ err: error, seq: event.seq, type: event.type }, `${what} not forwarded`);
        }
      };
    this.cleanups.push(
      bus.on(
        'homeassistant',
        ['sensor.changed', 'actuator.changed', 'actuator.status'],
        guarded('state', (event) => this.states.onEvent(event)),
      ),
      bus.on(
        'homeassistant',
        ['purchase.started', 'purchase.completed', 'purchase.cancelled', 'purchase.refused'],
        guarded('purchase', (event) => {
          if (this.cabinetIds.has(event.cabinet))
            this.sendEvent(this.topics.purchase(event.cabinet), purchasePayload(event));
        }),
      ),
      bus.on(
        'homeassistant',
        'security.alarm',
        guarded('alarm', (event) => {
          const cabinet =
            event.cabinet !== undefined && this.cabinetIds.has(event.cabinet) ? event.cabinet : undefined;
          this.sendEvent(this.topics.alarm(cabinet), alarmPayload(event));
        }),
      ),
    );
  }

  private readonly onMessage: MessageHandler = (topic, payload, packet) => {
    try {
      if (topic === this.haStatus) {
        // A retained birth message comes with every (re)subscription, right after the connection's
        // own announcement: nothing new to say.
        const text = payload.toString('utf8').trim();
        if (text === 'online' && !packet.retain) this.announce('Home Assistant online');
        else this.log.debug({ status: text.slice(0, 32), retained: packet.retain }, 'Home Assistant status');
        return;
      }
      const cabinet = this.topics.cabinetOfLockCommand(topic);
      if (cabinet !== undefined) {
        const result = this.lockControl?.handle(cabinet, payload, packet.retain);
        // It opens a door: in the audit like any state-changing command (never signed: HA cannot),
        // once the lock has taken it or not.
        const audit = (failure?: string) =>
          this.deps.audit?.record({
            at: this.context.clock.now(),
            command: 'homeassistant/lock',
            client: 'homeassistant',
            verified: false,
            transaction: null,
            ...lockAuditRow(cabinet, result, failure),
          });
        if (result?.settled) void result.settled.then(audit);
        else audit();
        return;
      }
      if (
        packet.retain &&
        payload.length > 0 &&
        this.isOwnConfig(topic) &&
        !this.desired.has(topic) &&
        // Being removed already (the store listed it): the broker's copy is on its way out.
        !this.removals.has(topic) &&
        isOurs(payload)
      ) {
        // A config of this gateway that neither the config nor the store knows (a wiped data directory).
        this.log.info({ topic }, 'removing a Home Assistant entity this gateway no longer has');
        this.publish(topic, '', true, () => {});
      }
    } catch (error) {
      this.log.error({ err: error, topic }, 'Home Assistant message not handled');
    }
  };

  /** `<prefix>/<component>/<this node>/<object>/config` */
  private isOwnConfig(topic: string): boolean {
    return this.discovery.isConfig(topic);
  }

  /** Every config, every pending removal, every known state. */
  private announce(reason: string): void {
    if (this.stopped || !this.deps.mqtt.connected) return;
    let refused = 0;
    const onRefused = (topic: string, why: string) => {
      // One line per announcement, not one per entity.
      if (refused++ === 0) this.log.warn({ topic, reason: why }, 'the broker refused a discovery topic');
    };
    for (const entity of this.entities) {
      this.publish(entity.topic, JSON.stringify(entity.payload), true, onRefused);
    }
    for (const topic of this.removals) this.remove(topic, onRefused);
    this.states.republish();
    this.log.info(
      { reason, entities: this.entities.length, removing: this.removals.size },
      'Home Assistant discovery published',
    );
  }

  private remove(topic: string, onRefused: (topic: string, why: string) => void): void {
    this.publish(topic, '', true, onRefused, () => {
      if (!this.removals.delete(topic)) return;
      this.log.info({ topic }, 'Home Assistant entity removed');
      try {
        this.announced?.forget(topic);
      } catch (error) {
        // Removed again at the next start: harmless.
        this.log.warn({ err: error, topic }, 'removed discovery topic not forgotten in the store');
      }
    });
  }

  private publish(
    topic: string,
    payload: string,
    retain: boolean,
    onRefused: (topic: string, why: string) => void,
    onAcked?: () => void,
  ): boolean {
    return this.deps.mqtt.publish(topic, payload, { qos: 1, retain }, (outcome) => {
      if (outcome.kind === 'acked') onAcked?.();
      else if (outcome.kind === 'rejected') onRefused(topic, outcome.reason);
    });
  }

  /** A door or lock state: retained, the latest per topic wins, sent again after every reconnect. */
  private retain(topic: string, payload: string): void {
    try {
      this.deps.retained.publish({ kind: 'homeassistant', topic }, payload);
    } catch (error) {
      this.log.warn({ err: error, topic }, 'Home Assistant state not published');
    }
  }

  /** An `event` entity's event: now or never (the durable copy is the gateway's own event). */
  private sendEvent(topic: string, payload: HaEventPayload): void {
    const sent = this.publish(topic, JSON.stringify(payload), false, (_, why) =>
      this.log.warn({ topic, reason: why }, 'the broker refused a Home Assistant event'),
    );
    if (!sent) this.log.debug({ topic, event: payload.event_type }, 'Home Assistant event not sent: offline');
  }
}

/** A config this software published (another integration may use the same node id). */
function isOurs(payload: Buffer): boolean {
  if (payload.length > 64 * 1024) return false;
  try {
    const config = JSON.parse(payload.toString('utf8')) as { origin?: { name?: unknown } } | null;
    return config?.origin?.name === ORIGIN_NAME;
  } catch {
    return false;
  }
}
