import { describe, expect, it } from 'vitest';
import { actuatorSchema } from '../../src/config/actuators.js';
import { cabinetSchema } from '../../src/config/cabinets.js';
import { AuditLog } from '../../src/domain/audit/index.js';
import {
  alarmPayload,
  CabinetStates,
  LockControl,
  type LockResult,
  lockAuditRow,
  parseLockCommand,
  purchasePayload,
  stateTopics,
} from '../../src/integrations/homeassistant/index.js';
import { createTopics } from '../../src/mqtt/topics.js';
import { createLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import type { BusCommands } from '../../src/shared/extension.js';
import { Store } from '../../src/store/index.js';

const cabinet = cabinetSchema.parse({
  id: 'fridge-1',
  zone: 'fridge',
  door: { sensor: 'io' },
  lock: 'lock',
  currency: 'EUR',
  unlockMs: 4000,
});
const lockActuator = actuatorSchema.parse({
  id: 'lock',
  driver: 'lines',
  device: 'io',
  channel: 'lock',
  safeState: 'closed',
});
const topics = stateTopics(createTopics('rfid', 'gw1'));
const utf8 = (text: string) => Buffer.from(text, 'utf8');

let seq = 0;
function event(body: Record<string, unknown>): GatewayEvent {
  seq += 1;
  return { id: `e${seq}`, seq, ts: '2026-11-30T10:00:00.000Z', gateway: 'gw1', ...body } as GatewayEvent;
}

function logged() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { lines, logger, messages: () => lines.map((line) => line.msg) };
}

function control(
  options: { session?: { id: string; state: string }; refuseAll?: string; fail?: boolean } = {},
) {
  const commands: Array<BusCommands['actuator.set']> = [];
  const republished: string[] = [];
  const log = logged();
  const lock = new LockControl({
    cabinets: [cabinet],
    bus: {
      command: async (_name, input) => {
        commands.push(input as BusCommands['actuator.set']);
        if (options.fail) throw new Error('device offline');
      },
    },
    logger: log.logger,
    activeSession: () => options.session,
    republish: (id) => republished.push(id),
    refuseAll: options.refuseAll,
  });
  return { lock, commands, republished, ...log };
}

describe('Home Assistant lock commands', () => {
  it('unlocks with a pulse of the cabinet unlockMs and locks with its lock value, through actuator.set', () => {
    const { lock, commands } = control();
    expect(lock.handle('fridge-1', utf8('UNLOCK'), false).outcome).toBe('sent');
    expect(lock.handle('fridge-1', utf8('LOCK\n'), false).outcome).toBe('sent');
    expect(commands).toEqual([
      { actuator: 'lock', value: 'open', pulseMs: 4000, reason: 'home assistant' },
      { actuator: 'lock', value: 'closed', reason: 'home assistant' },
    ]);
  });

  it('refuses an unlock while a purchase session runs on the cabinet, logs it and publishes the state again', () => {
    const { lock, commands, republished, lines } = control({ session: { id: 's-1', state: 'open' } });
    expect(lock.handle('fridge-1', utf8('UNLOCK'), false).outcome).toBe('refused');
    expect(commands).toEqual([]);
    expect(republished).toEqual(['fridge-1']);
    expect(lines.find((line) => line.level === 40)).toMatchObject({
      cabinet: 'fridge-1',
      session: 's-1',
      msg: 'Home Assistant unlock refused: a purchase session is running on this cabinet',
    });
    // Locking during a session is allowed: it can only make the cabinet safer.
    expect(lock.handle('fridge-1', utf8('LOCK'), false).outcome).toBe('sent');
  });

  it('logs and ignores malformed, retained and unknown-cabinet commands', () => {
    const { lock, commands, messages } = control();
    expect(lock.handle('fridge-1', utf8('unlock please'), false).outcome).toBe('ignored');
    expect(lock.handle('fridge-1', utf8('{"state":"UNLOCK"}'), false).outcome).toBe('ignored');
    expect(lock.handle('fridge-1', Buffer.alloc(100_000, 0x55), false).outcome).toBe('ignored');
    expect(lock.handle('fridge-1', utf8('UNLOCK'), true).outcome).toBe('ignored');
    expect(lock.handle('vault', utf8('UNLOCK'), false).outcome).toBe('ignored');
    expect(commands).toEqual([]);
    expect(messages()).toEqual([
      'Home Assistant lock command ignored: the payload must be LOCK or UNLOCK',
      'Home Assistant lock command ignored: the payload must be LOCK or UNLOCK',
      'Home Assistant lock command ignored: the payload must be LOCK or UNLOCK',
      'retained Home Assistant lock command ignored',
      'Home Assistant lock command for an unknown cabinet ignored',
    ]);
    expect(parseLockCommand(utf8(' LOCK '))).toBe('LOCK');
    expect(parseLockCommand(utf8('LOCKED'))).toBeUndefined();
  });

  it('refuses every command when told why (a replay, signed commands required)', () => {
    const { lock, commands, republished } = control({ refuseAll: 'a replay drives no devices' });
    expect(lock.handle('fridge-1', utf8('LOCK'), false).outcome).toBe('refused');
    expect(commands).toEqual([]);
    expect(republished).toEqual(['fridge-1']);
  });

  it('logs a command the device did not take and publishes the state again', async () => {
    const { lock, republished, lines } = control({ fail: true });
    expect(lock.handle('fridge-1', utf8('UNLOCK'), false).outcome).toBe('sent');
    await new Promise((resolve) => setImmediate(resolve));
    expect(republished).toEqual(['fridge-1']);
    expect(lines.at(-1)).toMatchObject({ msg: 'lock command failed', cabinet: 'fridge-1' });
  });
});

describe('the audit row of a Home Assistant lock command', () => {
  /** Each command through LockControl, then its row as the real audit trail stores and answers it. */
  async function audited(
    options: Parameters<typeof control>[0],
    commands: Array<[cabinet: string, payload: string, retained?: boolean]>,
  ) {
    const clock = new VirtualClock(Date.parse('2026-11-30T10:00:00.000Z'));
    const { logger } = logged();
    const store = Store.open({ dataDir: ':memory:', clock, logger });
    try {
      const audit = new AuditLog(store, { clock, logger, retentionDays: 365 });
      const { lock } = control(options);
      for (const [cabinet, payload, retained] of commands) {
        const result: LockResult = lock.handle(cabinet, utf8(payload), retained ?? false);
        const failure = result.settled ? await result.settled : undefined;
        audit.record({
          at: clock.now(),
          command: 'homeassistant/lock',
          client: 'homeassistant',
          verified: false,
          transaction: null,
          ...lockAuditRow(cabinet, result, failure),
        });
      }
      return audit
        .query({ limit: 100 })
        .entries.reverse()
        .map(({ outcome, what }) => ({ outcome, what }));
    } finally {
      store.close();
    }
  }

  it('names the cabinet, the command and the reason of a refusal', async () => {
    expect(await audited({ session: { id: 's-1', state: 'open' } }, [['fridge-1', 'UNLOCK']])).toEqual([
      {
        outcome:
          'refused: UNLOCK of cabinet fridge-1: purchase session s-1 (open) is in progress on this cabinet',
        what: { cabinet: 'fridge-1', command: 'UNLOCK' },
      },
    ]);
    const signed = 'signed commands are required, and Home Assistant cannot sign them';
    expect(await audited({ refuseAll: signed }, [['fridge-1', 'LOCK']])).toEqual([
      {
        outcome: `refused: LOCK of cabinet fridge-1: ${signed}`,
        what: { cabinet: 'fridge-1', command: 'LOCK' },
      },
    ]);
  });

  it('says why an ignored command did not run, and keeps no payload that is not a command', async () => {
    expect(
      await audited({}, [
        ['vault', 'UNLOCK'],
        ['fridge-1', 'UNLOCK', true],
        ['fridge-1', 'open sesame'],
      ]),
    ).toEqual([
      {
        outcome: 'refused: UNLOCK of cabinet vault: not a cabinet of this config (cabinets: fridge-1)',
        what: { cabinet: 'vault', command: 'UNLOCK' },
      },
      {
        outcome:
          'refused: UNLOCK of cabinet fridge-1: retained, and a retained command would run again at every reconnect',
        what: { cabinet: 'fridge-1', command: 'UNLOCK' },
      },
      {
        outcome: 'refused: lock command of cabinet fridge-1: the payload is not LOCK or UNLOCK',
        what: { cabinet: 'fridge-1' },
      },
    ]);
  });

  it('is ok once the lock took the command, and an error naming the lock when it did not', async () => {
    expect(await audited({}, [['fridge-1', 'LOCK']])).toEqual([
      { outcome: 'ok', what: { cabinet: 'fridge-1', command: 'LOCK' } },
    ]);
    expect(await audited({ fail: true }, [['fridge-1', 'UNLOCK']])).toEqual([
      {
        outcome: 'error: UNLOCK of cabinet fridge-1: actuator lock did not take it (device offline)',
        what: { cabinet: 'fridge-1', command: 'UNLOCK' },
      },
    ]);
  });
});

describe('cabinet door and lock states for Home Assistant', () => {
  function states() {
    const clock = new VirtualClock(0);
    const published: Array<[string, string]> = [];
    const tracker = new CabinetStates([cabinet], [lockActuator], topics, clock, (topic, payload) =>
      published.push([topic, payload]),
    );
    return { clock, published, tracker };
  }

  it("follows the door sensor's channel and publishes only changes", () => {
    const { tracker, published } = states();
    tracker.onEvent(
      event({ type: 'sensor.changed', sensor: 'io', channel: 'door', value: 'open', zone: 'fridge' }),
    );
    tracker.onEvent(
      event({ type: 'sensor.changed', sensor: 'io', channel: 'temp', value: 4.2, zone: 'fridge' }),
    );
    tracker.onEvent(
      event({ type: 'sensor.changed', sensor: 'other', channel: 'door', value: 'closed', zone: 'x' }),
    );
    tracker.onEvent(
      event({ type: 'sensor.changed', sensor: 'io', channel: 'door', value: 'open', zone: 'fridge' }),
    );
    tracker.onEvent(
      event({ type: 'sensor.changed', sensor: 'io', channel: 'door', value: 'ajar', zone: 'fridge' }),
    );
    tracker.onEvent(
      event({ type: 'sensor.changed', sensor: 'io', channel: 'door', value: 'closed', zone: 'fridge' }),
    );
    expect(published).toEqual([
      ['rfid/gw1/homeassistant/door/fridge-1', 'open'],
      ['rfid/gw1/homeassistant/door/fridge-1', 'closed'],
    ]);
  });

  it('shows an unlock pulse as unlocked until the pulse ends, a fault as jammed, and recovers', () => {
    const { tracker, published, clock } = states();
    tracker.onEvent(
      event({ type: 'actuator.changed', actuator: 'lock', value: 'closed', reason: 'start-up' }),
    );
    tracker.onEvent(
      event({
        type: 'actuator.changed',
        actuator: 'lock',
        value: 'open',
        pulseMs: 4000,
        reason: 'home assistant',
      }),
    );
    expect(tracker.lockOf('fridge-1')).toBe('UNLOCKED');
    clock.advanceTo(3999);
    expect(tracker.lockOf('fridge-1')).toBe('UNLOCKED');
    clock.advanceTo(4000);
    expect(tracker.lockOf('fridge-1')).toBe('LOCKED');
    tracker.onEvent(
      event({ type: 'actuator.status', actuator: 'lock', state: 'fault', reason: 'unplugged' }),
    );
    tracker.onEvent(
      event({ type: 'actuator.status', actuator: 'lock', state: 'ok', reason: 'write succeeded' }),
    );
    tracker.onEvent(event({ type: 'actuator.changed', actuator: 'buzzer', value: 'on', reason: 'rule' }));
    expect(published.map(([, payload]) => payload)).toEqual([
      'LOCKED',
      'UNLOCKED',
      'LOCKED',
      'JAMMED',
      'LOCKED',
    ]);
    expect(published.every(([topic]) => topic === 'rfid/gw1/homeassistant/lock/fridge-1')).toBe(true);
    tracker.republish('fridge-1');
    expect(published.at(-1)).toEqual(['rfid/gw1/homeassistant/lock/fridge-1', 'LOCKED']);
  });

  it('a new command ends the previous pulse timer', () => {
    const { tracker, clock } = states();
    tracker.onEvent(
      event({ type: 'actuator.changed', actuator: 'lock', value: 'open', pulseMs: 1000, reason: 'a' }),
    );
    tracker.onEvent(
      event({ type: 'actuator.changed', actuator: 'lock', value: 'open', pulseMs: 5000, reason: 'b' }),
    );
    clock.advanceTo(1000);
    expect(tracker.lockOf('fridge-1')).toBe('UNLOCKED');
    clock.advanceTo(5000);
    expect(tracker.lockOf('fridge-1')).toBe('LOCKED');
  });
});

describe('Home Assistant event payloads', () => {
  it('gives purchases an event_type of the entity and leaves customers and cards out', () => {
    const completed = event({
      type: 'purchase.completed',
      session: 's-1',
      cabinet: 'fridge-1',
      customer: 'cust-17',
      items: [{ tag: 'AA' }, { tag: 'BB' }],
      total: 430,
      currency: 'EUR',
      returned: [],
      foreign: [],
      confidence: 'certain',
      settleMs: 2100,
    });
    expect(purchasePayload(completed as never)).toEqual({
      event_type: 'completed',
      session: 's-1',
      items: 2,
      total: 430,
      currency: 'EUR',
    });
    const uncertain = event({
      type: 'purchase.cancelled',
      session: 's-2',
      cabinet: 'fridge-1',
      customer: 'cust-17',
      reason: 'uncertain',
      confidence: 'uncertain',
      reasons: ['reader fridge offline'],
    });
    expect(purchasePayload(uncertain as never)).toEqual({
      event_type: 'uncertain',
      session: 's-2',
      reason: 'uncertain',
      reasons: 'reader fridge offline',
    });
    const refused = event({
      type: 'purchase.refused',
      cabinet: 'fridge-1',
      reason: 'unknown_card',
      card: '0A0B',
    });
    expect(purchasePayload(refused as never)).toEqual({ event_type: 'refused', reason: 'unknown_card' });
  });

  it('maps alarm kinds to the listed event types, and a new kind to other', () => {
    const exit = event({
      type: 'security.alarm',
      kind: 'unpaid_exit',
      door: 'front',
      zone: 'outside',
      tag: '3074257BF7194E4000001A85',
      product: { sku: 'COLA-033', name: 'Cola 0.33 l' },
    });
    expect(alarmPayload(exit as never)).toEqual({
      event_type: 'unpaid_exit',
      kind: 'unpaid_exit',
      door: 'front',
      zone: 'outside',
      tag: '3074257BF7194E4000001A85',
      sku: 'COLA-033',
      product: 'Cola 0.33 l',
    });
    const novel = event({ type: 'security.alarm', kind: 'glass_broken', cabinet: 'fridge-1' });
    expect(alarmPayload(novel as never)).toEqual({
      event_type: 'other',
      kind: 'glass_broken',
      cabinet: 'fridge-1',
    });
  });
});
