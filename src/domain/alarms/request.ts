import { z } from 'zod';
import type { Bus, CommandRegistry } from '../../shared/extension.js';
import { namingReceivedValue } from '../../shared/issue-messages.js';
import { attribute } from '../../shared/request-caller.js';
import type { AlarmBook, AlarmEntry } from './alarm-book.js';

export const DEFAULT_ALARMS_LIMIT = 100;
export const MAX_ALARMS_LIMIT = 500;
/** Alarms one `alarms/ack` may name: a page's worth ("acknowledge all" sends what it lists). */
export const MAX_ACK_IDS = 500;
export const MAX_NOTE_LENGTH = 500;

/** Fields of `alarms/get`; the registry makes the object strict and adds the common fields. */
/** A wrong value is named in the answer (`limit: Too small: expected number to be >=1, got 0`). */
const named = { error: namingReceivedValue };

export const alarmsGetFields = {
  /** Only open or only acknowledged alarms; without it, open ones then acknowledged ones. */
  state: z.enum(['open', 'acknowledged'], named).optional(),
  limit: z.number(named).int(named).min(1, named).max(MAX_ALARMS_LIMIT, named).optional(),
  offset: z.number(named).int(named).min(0, named).max(1_000_000, named).optional(),
};

const alarmId = z.string(named).min(1, named).max(128, named);

/** Fields of `alarms/ack`. */
export const alarmsAckFields = {
  /** The `security.alarm` events' ids. */
  alarms: z
    .array(alarmId, named)
    .min(1, 'name at least one alarm')
    .max(MAX_ACK_IDS, `at most ${MAX_ACK_IDS} alarms at once`),
  note: z.string(named).max(MAX_NOTE_LENGTH, named).optional(),
  /**
   * Who acknowledges, as `purchases/resolve`'s `by`: booked only for an unsigned request, marked
   * unverified; a signed one is booked to its verified client (see `attribute`).
   */
  by: z.string(named).min(1, named).max(64, named).optional(),
};

export interface AlarmsAnswer {
  counts: { open: number; acknowledged: number };
  alarms: AlarmEntry[];
  /** More match than `limit`: ask again with `offset`. */
  more: boolean;
}

export interface AckAnswer {
  /** Acknowledged by this request. */
  acknowledged: string[];
  /** Acknowledged before (left as they were), with by whom and when. */
  already: Array<{ alarm: string; at: string; by: string; byVerified?: boolean }>;
}

/**
 * Registers `alarms/get` (read-only: not audited) and `alarms/ack` (state-changing: audited, and
 * signed where signatures are required, by the router like any other). An acknowledgement books
 * the alarm as acknowledged and emits `alarm.acknowledged`, together in one transaction.
 */
export function registerAlarmRequests(deps: {
  requests: CommandRegistry;
  book: AlarmBook;
  bus: Bus;
}): () => void {
  const { requests, book, bus } = deps;
  const unregisterGet = requests.register(
    'alarms/get',
    alarmsGetFields,
    ({ state, limit, offset }): AlarmsAnswer => ({
      counts: book.counts(),
      ...book.query({
        ...(state === undefined ? {} : { state }),
        limit: limit ?? DEFAULT_ALARMS_LIMIT,
        offset: offset ?? 0,
      }),
    }),
    { owner: 'alarms' },
  );
  const unregisterAck = requests.register(
    'alarms/ack',
    alarmsAckFields,
    ({ alarms, note, by }, caller): AckAnswer => {
      const who = attribute(caller, by);
      const text = note?.trim() === '' ? undefined : note?.trim();
      const outcome = bus.transaction(() => {
        const result = book.acknowledge(alarms, who.by, text, who.byVerified);
        for (const alarm of result.acknowledged) {
          bus.emit({
            type: 'alarm.acknowledged',
            alarm: alarm.id,
            kind: alarm.kind,
            ...(alarm.cabinet === undefined ? {} : { cabinet: alarm.cabinet }),
            ...(alarm.door === undefined ? {} : { door: alarm.door }),
            by: who.by,
            byVerified: who.byVerified,
            ...(text === undefined ? {} : { note: text }),
          });
        }
        return result;
      });
      return {
        acknowledged: outcome.acknowledged.map((alarm) => alarm.id),
        already: outcome.already.map((alarm) => ({
          alarm: alarm.id,
          at: alarm.acknowledged?.at ?? '',
          by: alarm.acknowledged?.by ?? '',
          ...(alarm.acknowledged?.byVerified === undefined
            ? {}
            : { byVerified: alarm.acknowledged.byVerified }),
        })),
      };
    },
    { owner: 'alarms', changesState: true },
  );
  return () => {
    unregisterGet();
    unregisterAck();
  };
}
