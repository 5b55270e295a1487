import type { CabinetConfig } from '../../config/cabinets.js';
import type { Logger } from '../../observability/logger.js';
import type { Bus } from '../../shared/extension.js';
import type { CabinetScreen } from './display.js';
import type { SessionRecord } from './session-store.js';

/** What a cabinet tells the world outside its session state: refusals, alarms, and its lock. */
export class CabinetSignals {
  constructor(
    private readonly config: CabinetConfig,
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly screen: CabinetScreen,
  ) {}

  refuse(
    reason: string,
    who: { card?: string; customer?: string },
    session: SessionRecord | undefined,
  ): void {
    this.bus.emit({ type: 'purchase.refused', cabinet: this.config.id, reason, ...who });
    this.logger.info({ cabinet: this.config.id, reason }, 'session refused');
    // Out of order stays on screen: a refusal would time out to idle and invite the next card.
    if (reason === 'out_of_order' || reason === 'temperature') this.screen.show(reason, session);
    else this.screen.show('refused', session, { reason });
  }

  /** An alarm is critical: committed with FULL durability before anything else happens. */
  alarm(kind: string, session?: string): void {
    this.bus.transaction(() =>
      this.bus.emit({
        type: 'security.alarm',
        kind,
        cabinet: this.config.id,
        zone: this.config.zone,
        ...(session === undefined ? {} : { session }),
      }),
    );
    this.logger.warn({ cabinet: this.config.id, kind, session }, 'cabinet alarm');
  }

  /** A failed lock command is shown as out of order; the safe state follows when the device is back. */
  lock(
    value: string,
    pulseMs: number | undefined,
    reason: string,
    session: () => SessionRecord | undefined,
  ): void {
    const { config } = this;
    this.bus
      .command('actuator.set', {
        actuator: config.lock,
        value,
        ...(pulseMs === undefined ? {} : { pulseMs }),
        reason,
      })
      .catch((error: unknown) => {
        this.logger.error({ err: error, cabinet: config.id, actuator: config.lock }, 'lock command failed');
        this.screen.show('out_of_order', session(), { reason: 'lock' });
      });
  }
}

/** Whether a cabinet can sell now: every reader of its zone online, its lock answering, not too warm. */
export class CabinetHealth {
  /** Readers of this cabinet that are offline or faulty now, with why. */
  private readonly readerFaults = new Map<string, string>();
  private lockFault: string | undefined;
  /** Too warm for too long (temperature-guard.ts): no selling until it has cooled down. */
  private tooWarm = false;

  /** Records a reader's state; returns what is wrong with it, undefined when it is online. */
  reader(
    reader: string,
    state: 'online' | 'offline' | 'stalled' | 'error',
    reason: string | undefined,
  ): string | undefined {
    if (state === 'online') {
      this.readerFaults.delete(reader);
      return undefined;
    }
    const why = `${reader} ${state}${reason ? ` (${reason})` : ''}`;
    this.readerFaults.set(reader, why);
    return why;
  }

  lock(state: 'fault' | 'ok', reason: string): void {
    this.lockFault = state === 'fault' ? reason : undefined;
  }

  get lockFaulty(): boolean {
    return this.lockFault !== undefined;
  }

  temperature(exceeded: boolean): void {
    this.tooWarm = exceeded;
  }

  /** What the display shows while no session runs: why the cabinet does not sell, or idle. */
  get restingScreen(): 'out_of_order' | 'temperature' | 'idle' {
    if (this.lockFault !== undefined) return 'out_of_order';
    return this.tooWarm ? 'temperature' : 'idle';
  }

  /** Why a session cannot start now (the refusal's reason), undefined when it can. */
  get blocking(): string | undefined {
    // A lock that does not answer would take a customer's card and never open: out of order.
    if (this.lockFault !== undefined) return 'out_of_order';
    if (this.tooWarm) return 'temperature';
    if (this.readerFaults.size > 0) return `reader_fault: ${[...this.readerFaults.values()].join('; ')}`;
    return undefined;
  }
}
