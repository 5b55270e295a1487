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

/** What became of one command, for the audit trail. */
export interface LockResult {
  outcome: LockOutcome;
  /** The command, when the payload was one. */
  command?: LockCommand;
  /** Why it was refused or ignored: a sentence naming the cabinet and the command. */
  reason?: string;
  /** A sent command: settles with undefined once the device took it, or with why it did not. */
  settled?: Promise<string | undefined>;
}

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

  handle(cabinetId: string, payload: Uint8Array, retained: boolean): LockResult {
    const { logger, cabinets } = this.deps;
    const command = parseLockCommand(payload);
    const what = `${command ?? 'lock command'} of cabinet ${cabinetId}`;
    const cabinet = cabinets.find((candidate) => candidate.id === cabinetId);
    if (!cabinet) {
      logger.warn({ cabinet: cabinetId }, 'Home Assistant lock command for an unknown cabinet ignored');
      const known = cabinets.map((candidate) => candidate.id).join(', ') || 'none';
      return ignored(command, `${what}: not a cabinet of this config (cabinets: ${known})`);
    }
    // A retained command would run again at every reconnect: a lock that reopens by itself.
    if (retained) {
      logger.warn({ cabinet: cabinet.id }, 'retained Home Assistant lock command ignored');
      return ignored(command, `${what}: retained, and a retained command would run again at every reconnect`);
    }
    if (command === undefined) {
      logger.warn(
        { cabinet: cabinet.id, payload: preview(payload), bytes: payload.length },
        'Home Assistant lock command ignored: the payload must be LOCK or UNLOCK',
      );
      return ignored(command, `${what}: the payload is not LOCK or UNLOCK`);
    }
    if (this.deps.refuseAll !== undefined) {
      logger.warn(
        { cabinet: cabinet.id, command, why: this.deps.refuseAll },
        'Home Assistant lock command refused',
      );
      this.republish(cabinet.id);
      return { outcome: 'refused', command, reason: `${what}: ${this.deps.refuseAll}` };
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
        return {
          outcome: 'refused',
          command,
          reason: `${what}: the purchase sessions could not be read (${messageOf(error)})`,
        };
      }
      if (session) {
        logger.warn(
          { cabinet: cabinet.id, session: session.id, state: session.state },
          'Home Assistant unlock refused: a purchase session is running on this cabinet',
        );
        this.republish(cabinet.id);
        return {
          outcome: 'refused',
          command,
          reason: `${what}: purchase session ${session.id} (${session.state}) is in progress on this cabinet`,
        };
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
    const settled = sent.then(
      () => undefined,
      (error: unknown) => {
        logger.error(
          { err: error, cabinet: cabinet.id, actuator: cabinet.lock, command },
          'lock command failed',
        );
        this.republish(cabinet.id);
        return `${what}: actuator ${cabinet.lock} did not take it (${messageOf(error)})`;
      },
    );
    return { outcome: 'sent', command, settled };
  }

  private republish(cabinet: string): void {
    try {
      this.deps.republish(cabinet);
    } catch (error) {
      this.deps.logger.warn({ err: error, cabinet }, 'lock state not published again');
    }
  }
}

function ignored(command: LockCommand | undefined, reason: string): LockResult {
  return command === undefined ? { outcome: 'ignored', reason } : { outcome: 'ignored', command, reason };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The command's fields in the audit trail; both are kept as they are (summary.ts). */
export const LOCK_AUDIT_FIELDS: readonly string[] = ['cabinet', 'command'];

/**
 * The audit row of one Home Assistant lock command: `ok`, `refused: <why>` (it did not run) or
 * `error: <why>` (the lock did not take it), naming the cabinet and the command. A payload that is
 * no command is left out: it could be anything, and the outcome says what was wrong with it.
 */
export function lockAuditRow(
  cabinet: string,
  result: LockResult | undefined,
  failure?: string,
): { outcome: string; fields: readonly string[]; payload: Record<string, string> } {
  const summary: Record<string, string> =
    result?.command !== undefined ? { cabinet, command: result.command } : { cabinet };
  let outcome: string;
  if (result === undefined)
    outcome = `refused: lock command of cabinet ${cabinet}: Home Assistant discovery is off`;
  else if (result.outcome === 'sent') outcome = failure === undefined ? 'ok' : `error: ${failure}`;
  else outcome = `refused: ${result.reason ?? result.outcome}`;
  return { outcome, fields: LOCK_AUDIT_FIELDS, payload: summary };
}
