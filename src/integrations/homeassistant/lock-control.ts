import type { CabinetConfig } from '../../config/cabinets.js';
import type { Logger } from '../../observability/logger.js';
import type { Bus } from '../../shared/extension.js';

export type LockCommand = 'LOCK' | 'UNLOCK';

/** Longer payloads are not a lock command (and are not logged in full). */
const MAX_PAYLOAD_BYTES = 64;
/** What an `actuator.changed` caused by Home Assistant gives as its reason. */
export const HOME_ASSISTANT_REASON = 'home assistant';

export function parseLockCommand(payload: Uint8Array): LockCommand | undefined {
  if (payload.length > MAX_PAYLOAD_BYTES) return undefined;
  const text = Buffer.from(payload).toString('utf8').trim();
  return text === 'LOCK' || text === 'UNLOCK' ? text : undefined;
}

function preview(payload: Uint8Array): string {
  return Buffer.from(payload.subarray(0, MAX_PAYLOAD_BYTES)).toString('utf8');
}

export interface LockControlDeps {
  cabinets: readonly CabinetConfig[];
  bus: Pick<Bus, 'command'>;
  logger: Logger;
  /** The purchase session running on a cabinet now, if any (read from the store: the truth after a restart too). */
  activeSession(cabinet: string): { id: string; state: string } | undefined;
  /** Publishes the cabinet's lock state again, so that Home Assistant drops the state it expected. */
  republish(cabinet: string): void;
  /** Why every command is refused (a replay, commands that must be signed), or undefined. */
  refuseAll?: string | undefined;
}

export type LockOutcome = 'sent' | 'refused' | 'ignored';

/**
 * `LOCK` / `UNLOCK` from Home Assistant's lock entity. An unlock is a pulse of the cabinet's
 * `unlockMs` (the lock closes by itself, even if the gateway dies meanwhile), refused while a
 * purchase session runs on the cabinet: the session owns the door until it is settled. `LOCK` sets
 * the cabinet's lock value. Both go through `actuator.set` like every other lock command. Anything
 * else (unknown cabinet, a payload that is not a command, a retained command) is logged and ignored;
 * nothing here throws.
 */
export class LockControl {
  constructor(private readonly deps: LockControlDeps) {}

  handle(cabinetId: string, payload: Uint8Array, retained: boolean): LockOutcome {
    const { logger, cabinets } = this.deps;
    const cabinet = cabinets.find((candidate) => candidate.id === cabinetId);
    if (!cabinet) {
      logger.warn({ cabinet: cabinetId }, 'Home Assistant lock command for an unknown cabinet ignored');
      return 'ignored';
    }
    // A retained command would run again at every reconnect: a lock that reopens by itself.
    if (retained) {
      logger.warn({ cabinet: cabinet.id }, 'retained Home Assistant lock command ignored');
      return 'ignored';
    }
    const command = parseLockCommand(payload);
    if (command === undefined) {
      logger.warn(
        { cabinet: cabinet.id, payload: preview(payload), bytes: payload.length },
        'Home Assistant lock command ignored: the payload must be LOCK or UNLOCK',
      );
      return 'ignored';
    }
    if (this.deps.refuseAll !== undefined) {
      logger.warn(
        { cabinet: cabinet.id, command, why: this.deps.refuseAll },
        'Home Assistant lock command refused',
      );
      this.republish(cabinet.id);
      return 'refused';
    }
    if (command === 'UNLOCK') {
      let session: { id: string; state: string } | undefined;
      try {
        session = this.deps.activeSession(cabinet.id);
      } catch (error) {
        // Not knowing whether a customer is at the door is a reason not to open it.
        logger.error(
          { err: error, cabinet: cabinet.id },
          'Home Assistant unlock refused: sessions unreadable',
        );
        this.republish(cabinet.id);
        return 'refused';
      }
      if (session) {
        logger.warn(
          { cabinet: cabinet.id, session: session.id, state: session.state },
          'Home Assistant unlock refused: a purchase session is running on this cabinet',
        );
        this.republish(cabinet.id);
        return 'refused';
      }
    }
    const input =
      command === 'UNLOCK'
        ? { value: cabinet.unlockValue, pulseMs: cabinet.unlockMs }
        : { value: cabinet.lockValue };
    logger.info(
      { cabinet: cabinet.id, actuator: cabinet.lock, command, ...input },
      'Home Assistant lock command',
    );
    let sent: Promise<void>;
    try {
      sent = this.deps.bus.command('actuator.set', {
        actuator: cabinet.lock,
        ...input,
        reason: HOME_ASSISTANT_REASON,
      });
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.catch((error: unknown) => {
      logger.error(
        { err: error, cabinet: cabinet.id, actuator: cabinet.lock, command },
        'lock command failed',
      );
      this.republish(cabinet.id);
    });
    return 'sent';
  }

  private republish(cabinet: string): void {
    try {
      this.deps.republish(cabinet);
    } catch (error) {
      this.deps.logger.warn({ err: error, cabinet }, 'lock state not published again');
    }
  }
}
