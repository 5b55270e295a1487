import type { ActuatorConfig } from '../../config/actuators.js';
import type { CabinetConfig } from '../../config/cabinets.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { GatewayEvent } from '../../shared/events.js';
import type { StateTopics } from './discovery.js';

export type LockState = 'LOCKED' | 'UNLOCKED' | 'JAMMED';
export type DoorState = 'open' | 'closed';

interface Cabinet {
  config: CabinetConfig;
  /** What the lock returns to at the end of a pulse: its safe state, else the cabinet's lock value. */
  restValue: string;
  door: DoorState | undefined;
  lock: LockState | undefined;
  /** The last state before a fault, shown again when the device answers. */
  beforeFault: LockState | undefined;
  pulseEnd: TimerHandle | undefined;
}

/**
 * The door and lock of each cabinet as Home Assistant shows them, kept from the bus: the door from
 * its sensor's `sensor.changed`, the lock from `actuator.changed` (a pulse ends by itself after
 * `pulseMs`, so the lock is shown locked again then) and `actuator.status` (a fault is `JAMMED`: the
 * gateway cannot drive it). Unknown until the first report: nothing is published for it before.
 */
export class CabinetStates {
  private readonly cabinets: Cabinet[];

  constructor(
    cabinets: readonly CabinetConfig[],
    actuators: readonly ActuatorConfig[],
    private readonly topics: StateTopics,
    private readonly clock: Clock,
    /** Retained publish; must not throw. */
    private readonly publish: (topic: string, payload: string) => void,
  ) {
    this.cabinets = cabinets.map((config) => ({
      config,
      restValue: actuators.find((actuator) => actuator.id === config.lock)?.safeState ?? config.lockValue,
      door: undefined,
      lock: undefined,
      beforeFault: undefined,
      pulseEnd: undefined,
    }));
  }

  lockOf(cabinet: string): LockState | undefined {
    return this.cabinets.find((candidate) => candidate.config.id === cabinet)?.lock;
  }

  doorOf(cabinet: string): DoorState | undefined {
    return this.cabinets.find((candidate) => candidate.config.id === cabinet)?.door;
  }

  onEvent(event: GatewayEvent): void {
    for (const cabinet of this.cabinets) {
      const { config } = cabinet;
      if (
        event.type === 'sensor.changed' &&
        event.sensor === config.door.sensor &&
        event.channel === config.door.channel
      ) {
        const value = String(event.value);
        if (value === config.door.openValue) this.setDoor(cabinet, 'open');
        else if (value === config.door.closedValue) this.setDoor(cabinet, 'closed');
      } else if (event.type === 'actuator.changed' && event.actuator === config.lock) {
        this.clearPulse(cabinet);
        cabinet.beforeFault = undefined;
        this.setLock(cabinet, this.stateOf(cabinet, event.value));
        if (event.pulseMs !== undefined) {
          cabinet.pulseEnd = this.clock.setTimeout(() => {
            cabinet.pulseEnd = undefined;
            if (cabinet.lock !== 'JAMMED') this.setLock(cabinet, this.stateOf(cabinet, cabinet.restValue));
          }, event.pulseMs);
        }
      } else if (event.type === 'actuator.status' && event.actuator === config.lock) {
        if (event.state === 'fault') {
          if (cabinet.lock !== 'JAMMED') cabinet.beforeFault = cabinet.lock;
          this.setLock(cabinet, 'JAMMED');
        } else if (cabinet.lock === 'JAMMED') {
          // The write that proved it works is reported next (`actuator.changed`) and says the rest.
          this.setLock(cabinet, cabinet.beforeFault);
          cabinet.beforeFault = undefined;
        }
      }
    }
  }

  /** Publishes every known state again (Home Assistant came back, a command was refused). */
  republish(cabinet?: string): void {
    for (const entry of this.cabinets) {
      if (cabinet !== undefined && entry.config.id !== cabinet) continue;
      if (entry.door !== undefined) this.publish(this.topics.door(entry.config.id), entry.door);
      if (entry.lock !== undefined) this.publish(this.topics.lock(entry.config.id), entry.lock);
    }
  }

  stop(): void {
    for (const cabinet of this.cabinets) this.clearPulse(cabinet);
  }

  private stateOf(cabinet: Cabinet, value: string): LockState {
    return value === cabinet.config.lockValue ? 'LOCKED' : 'UNLOCKED';
  }

  private setDoor(cabinet: Cabinet, door: DoorState): void {
    if (cabinet.door === door) return;
    cabinet.door = door;
    this.publish(this.topics.door(cabinet.config.id), door);
  }

  /** `undefined` (nothing known) leaves the shown state as it is. */
  private setLock(cabinet: Cabinet, lock: LockState | undefined): void {
    if (lock === undefined || cabinet.lock === lock) return;
    cabinet.lock = lock;
    this.publish(this.topics.lock(cabinet.config.id), lock);
  }

  private clearPulse(cabinet: Cabinet): void {
    if (cabinet.pulseEnd !== undefined) this.clock.clearTimeout(cabinet.pulseEnd);
    cabinet.pulseEnd = undefined;
  }
}
