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
    this.screen.show('refused', session, undefined, { reason });
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
        this.screen.show('fault', session(), undefined, { reason: 'lock' });
      });
  }
}
