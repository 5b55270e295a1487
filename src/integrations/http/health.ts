import type { HttpConfig } from '../../config/integrations.js';
import type { OutboxStats } from '../../store/types.js';
import type { HttpContext } from './context.js';

type DeviceState = 'online' | 'offline' | 'stalled' | 'error';

export interface DeviceHealth {
  state: DeviceState;
  /** Since when (clock ms) the device is in this state. */
  since: number;
  /** Why, as its last `reader.status` said (offline and error). */
  reason?: string;
}

/** What the assessment looks at, gathered at one instant (pure input: see `assessHealth`). */
export interface HealthInput {
  now: number;
  devices: ReadonlyMap<string, DeviceHealth>;
  /** Present when events go through the outbox (the gateway has a broker). */
  outbox?: Pick<OutboxStats, 'depth' | 'oldestCommittedAt' | 'ackedThroughSeq'>;
  /** Present with a broker: since when (clock ms) it is disconnected; undefined = connected. */
  broker?: { disconnectedSince: number | undefined };
  store: { diskFull: boolean; diskFullSince: number | null };
  /** Actuators whose device does not take commands (`actuator.status` fault), since when and why. */
  actuators?: ReadonlyMap<string, { since: number; reason: string }>;
}

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  ts: string;
  /** Empty when ok; each a sentence naming what, since when and which limit it passed. */
  reasons: string[];
  readers: Record<string, { state: DeviceState; since: string; reason?: string }>;
  outbox?: { depth: number; oldestAgeMs: number | null };
  broker?: { connected: boolean; since?: string };
  store: { diskFull: boolean; since?: string };
  actuators?: Record<string, { fault: string; since: string }>;
}

const iso = (ms: number) => new Date(ms).toISOString();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Unhealthy when, for longer than the configured limits:
 * - a reader or sensor has been offline (or in error: it does not read) — `readerOfflineMs`;
 * - the oldest event not yet acknowledged by the broker was committed — `outboxUndrainedMs`;
 * - the broker has been disconnected — also `outboxUndrainedMs`: an idle gateway has nothing in its
 *   outbox to age, yet without a broker its requests (`session/start`, `tags/paid`) and retained
 *   state are dead, which a store notices as much as late events;
 * - an actuator has been in fault (its lock, buzzer or relay board does not take commands: a cabinet
 *   whose lock does not answer sells nothing) — `readerOfflineMs`, the limit for devices;
 * and at once when the store's disk is full: events are being dropped to make room, not delayed.
 */
export function assessHealth(input: HealthInput, limits: HttpConfig['health']): HealthReport {
  const { now } = input;
  const reasons: string[] = [];
  const readers: HealthReport['readers'] = {};
  for (const [id, device] of input.devices) {
    readers[id] = {
      state: device.state,
      since: iso(device.since),
      ...(device.reason === undefined ? {} : { reason: device.reason }),
    };
    const forMs = now - device.since;
    if (device.state === 'online' || forMs <= limits.readerOfflineMs) continue;
    const what = device.state === 'error' ? 'in error' : device.state;
    const why = device.reason === undefined ? '' : `: ${device.reason}`;
    reasons.push(
      `reader ${id} ${what} since ${iso(device.since)} (${seconds(forMs)}, longer than readerOfflineMs ${limits.readerOfflineMs} ms)${why}`,
    );
  }
  const report: HealthReport = { status: 'ok', ts: iso(now), reasons, readers, store: { diskFull: false } };
  if (input.outbox) {
    const { depth, oldestCommittedAt, ackedThroughSeq } = input.outbox;
    const ageMs = oldestCommittedAt === null ? null : Math.max(0, now - oldestCommittedAt);
    report.outbox = { depth, oldestAgeMs: ageMs };
    if (ageMs !== null && oldestCommittedAt !== null && ageMs > limits.outboxUndrainedMs)
      reasons.push(
        `oldest unsent event (seq ${ackedThroughSeq + 1}) committed at ${iso(oldestCommittedAt)} (${seconds(ageMs)} ago, longer than outboxUndrainedMs ${limits.outboxUndrainedMs} ms); ${depth} event(s) waiting`,
      );
  }
  if (input.broker) {
    const since = input.broker.disconnectedSince;
    report.broker = { connected: since === undefined, ...(since === undefined ? {} : { since: iso(since) }) };
    if (since !== undefined && now - since > limits.outboxUndrainedMs)
      reasons.push(
        `broker disconnected since ${iso(since)} (${seconds(now - since)}, longer than outboxUndrainedMs ${limits.outboxUndrainedMs} ms)`,
      );
  }
  for (const [id, fault] of input.actuators ?? []) {
    report.actuators = { ...report.actuators, [id]: { fault: fault.reason, since: iso(fault.since) } };
    const forMs = now - fault.since;
    if (forMs > limits.readerOfflineMs)
      reasons.push(
        `actuator ${id} in fault since ${iso(fault.since)} (${seconds(forMs)}, longer than readerOfflineMs ${limits.readerOfflineMs} ms): ${fault.reason}`,
      );
  }
  if (input.store.diskFull) {
    const since = input.store.diskFullSince;
    report.store = { diskFull: true, ...(since === null ? {} : { since: iso(since) }) };
    reasons.push(
      `store disk full${since === null ? '' : ` since ${iso(since)}`}: the oldest low-value events are being dropped`,
    );
  }
  if (reasons.length > 0) report.status = 'unhealthy';
  return report;
}

/**
 * Keeps, for the health check, since when each device is in its state (from the `reader.status`
 * events, at their time) and since when the broker is disconnected. Listens from construction, so
 * that it sees every status whatever the position of the listener among the features.
 */
export class HealthMonitor {
  private readonly devices = new Map<string, DeviceHealth>();
  private brokerDownSince: number | undefined;
  private readonly actuatorFaults = new Map<string, { since: number; reason: string }>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly context: HttpContext,
    private readonly limits: HttpConfig['health'],
  ) {
    const now = context.clock.now();
    // Until its port reports, a device is as its pipeline says (offline before the readers start).
    for (const device of context.tags.devices())
      this.devices.set(device.id, { state: device.state, since: now });
    this.unsubscribe.push(
      context.bus.on('http-health', 'reader.status', (event) => {
        const previous = this.devices.get(event.reader);
        const reason = event.state === 'online' ? undefined : event.reason;
        // A warning that keeps the reader online, or a repeat, is no change of state.
        const since = previous?.state === event.state ? previous.since : Date.parse(event.ts);
        this.devices.set(event.reader, {
          state: event.state,
          since,
          ...(reason === undefined ? {} : { reason }),
        });
      }),
      context.bus.on('http-health', 'actuator.status', (event) => {
        if (event.state === 'ok') this.actuatorFaults.delete(event.actuator);
        // The first fault of an outage dates it; repeats (each failed command) do not.
        else if (!this.actuatorFaults.has(event.actuator))
          this.actuatorFaults.set(event.actuator, { since: Date.parse(event.ts), reason: event.reason });
      }),
    );
  }

  /** Follows the broker connection (the MQTT link is started before any feature). */
  start(): void {
    const { mqtt, clock } = this.context;
    if (!mqtt) return;
    this.brokerDownSince = mqtt.connected ? undefined : clock.now();
    this.unsubscribe.push(
      mqtt.onConnect(() => {
        this.brokerDownSince = undefined;
      }),
      mqtt.onDisconnect(() => {
        this.brokerDownSince ??= clock.now();
      }),
    );
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
  }

  /** Each device's state and since when, as the health check sees them. */
  get deviceStates(): ReadonlyMap<string, Readonly<DeviceHealth>> {
    return this.devices;
  }

  report(): HealthReport {
    const { clock, store, mqtt } = this.context;
    const now = clock.now();
    const health = store.health();
    const input: HealthInput = {
      now,
      devices: this.devices,
      store: { diskFull: health.diskFull, diskFullSince: health.diskFullSince },
      actuators: this.actuatorFaults,
    };
    if (mqtt) {
      // Events are journalled only with a broker: without one the outbox stays empty by design.
      input.outbox = store.outbox.stats();
      const connected = mqtt.connected;
      if (connected) this.brokerDownSince = undefined;
      else this.brokerDownSince ??= now;
      input.broker = { disconnectedSince: this.brokerDownSince };
    }
    return assessHealth(input, this.limits);
  }
}
