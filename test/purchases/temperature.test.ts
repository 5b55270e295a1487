import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/domain/audit/index.js';
import { SignatureVerifier, signRequest } from '../../src/mqtt/request-signature.js';
import { RequestRouter } from '../../src/mqtt/requests.js';
import { createLogger } from '../../src/observability/logger.js';
import { encodeLine } from '../../src/protocols/lines/index.js';
import { CARD_ANA, COLA_REF, FridgeRig, fridgeConfig, rigsStoppedAfterEach, sgtin } from './fridge-rig.js';

/**
 * A fridge that gets too warm, end to end on the virtual clock: readings on the door controller's
 * `temperature` channel (lines protocol), cards at the badge reader, the cabinet's screen, and the
 * signed `cabinets/resume` through the request router with the audit trail.
 */
const MIN = 60_000;
const KEY = 'staff-key-0123456789abcdef0123456789abcdef';

function guardedConfig() {
  const base = fridgeConfig();
  return fridgeConfig({
    cabinets: (base.cabinets ?? []).map((cabinet) => ({
      ...cabinet,
      display: 'screen',
      temperature: { sensor: 'io', maxC: 8, forMs: 15 * MIN, resumeAfterMs: 10 * MIN },
    })),
  });
}

describe('a fridge that gets too warm', () => {
  const rigs = rigsStoppedAfterEach();

  async function warmFridge(): Promise<FridgeRig> {
    const rig = await FridgeRig.create(undefined, guardedConfig());
    rigs.push(rig);
    rig.put(sgtin(COLA_REF, 1));
    rig.put(sgtin(COLA_REF, 2));
    await rig.rounds(30_000);
    await rig.feed('io', encodeLine('temperature', 4.2));
    return rig;
  }

  const temperature = (rig: FridgeRig, value: number | string) =>
    rig.feed('io', encodeLine('temperature', value));
  const alarms = (rig: FridgeRig) =>
    rig.ofType('security.alarm').filter((alarm) => alarm.kind === 'temperature');

  it('lets a session in progress finish, then refuses the next card and keeps saying why', async () => {
    const rig = await warmFridge();
    await temperature(rig, 9.5);
    await rig.rounds(14 * MIN);
    await rig.card(CARD_ANA); // not yet 15 minutes: it sells
    expect(rig.ofType('purchase.started')).toHaveLength(1);
    await rig.door('open');
    rig.take(sgtin(COLA_REF, 1));
    await rig.rounds(2 * MIN); // the excursion starts while the door is open
    expect(alarms(rig)).toHaveLength(1);
    expect(rig.screens?.current('screen')?.template).toBe('take');
    await rig.door('closed');
    await rig.rounds(15_000);
    expect(rig.ofType('purchase.completed')).toEqual([
      expect.objectContaining({ customer: 'cust-17', total: 250 }),
    ]);

    await rig.rounds(30_000);
    await rig.card(CARD_ANA);
    expect(rig.ofType('purchase.started')).toHaveLength(1);
    expect(rig.ofType('purchase.refused')).toEqual([
      expect.objectContaining({ cabinet: 'fridge-1', reason: 'temperature', customer: 'cust-17' }),
    ]);
    // The refusal stays on screen, not a refusal that times out to idle and invites the next card.
    expect(rig.screens?.current('screen')).toMatchObject({
      template: 'temperature',
      lines: ['Closed for now', 'Too warm inside'],
    });
    await rig.rounds(5 * MIN);
    expect(rig.screens?.current('screen')?.template).toBe('temperature');
    expect(alarms(rig)).toHaveLength(1);
    // A request is refused the same way, with why.
    expect(await rig.request('session/start', { cabinet: 'fridge-1', customer: 'cust-17' })).toMatchObject({
      status: 'error',
      error: 'cabinet fridge-1 cannot sell now (temperature)',
    });
  });

  it('sells again at once on a signed cabinets/resume, which the audit trail keeps', async () => {
    const rig = await warmFridge();
    await temperature(rig, 11);
    await rig.rounds(16 * MIN);
    expect(rig.screens?.current('screen')?.template).toBe('temperature');

    const audit = new AuditLog(rig.store, {
      clock: rig.clock,
      logger: createLogger({ level: 'silent' }),
      retentionDays: 365,
    });
    const router = new RequestRouter({
      registry: rig.requests,
      clock: rig.clock,
      logger: createLogger({ level: 'silent' }),
      audit,
      signatures: new SignatureVerifier({
        gateway: 'fridge-test',
        keys: new Map([['staff', Buffer.from(KEY)]]),
        required: true,
        windowMs: 60_000,
        clock: rig.clock,
      }),
    });
    const ask = async (payload: Record<string, unknown>) =>
      JSON.parse(
        (await router.handle('cabinets/resume', new TextEncoder().encode(JSON.stringify(payload)))).payload,
      ) as Record<string, unknown>;

    expect(await ask({ cabinet: 'fridge-1' })).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/^signature required: /),
    });
    expect(rig.screens?.current('screen')?.template).toBe('temperature');
    const signed = signRequest(
      KEY,
      {
        gateway: 'fridge-test',
        command: 'cabinets/resume',
        client: 'staff',
        ts: new Date(rig.clock.now()).toISOString(),
      },
      { cabinet: 'fridge-1', transaction: 'r1' },
    );
    expect(await ask(signed)).toEqual({
      transaction: 'r1',
      status: 'ok',
      data: { cabinet: 'fridge-1', resumed: true, temperatureC: 11 },
    });
    expect(rig.screens?.current('screen')?.template).toBe('idle');
    await rig.card(CARD_ANA);
    expect(rig.ofType('purchase.started')).toHaveLength(1);
    expect(
      audit
        .query({ command: 'cabinets/resume', limit: 10 })
        .entries.map((entry) => [entry.client, entry.verified, entry.outcome, entry.what]),
    ).toEqual([
      ['staff', true, 'ok', { cabinet: 'fridge-1' }],
      ['unsigned', false, expect.stringMatching(/^refused: signature required: /), { cabinet: 'fridge-1' }],
    ]);
  });

  it('stays closed across a restart until fresh readings have been low for resumeAfterMs', async () => {
    const rig = await warmFridge();
    await temperature(rig, 10);
    await rig.rounds(15 * MIN);
    await temperature(rig, 5); // cooling down, then the gateway dies
    await rig.rounds(5 * MIN);
    rig.crash();
    await rig.boot();
    expect(rig.screens?.current('screen')?.template).toBe('temperature');
    await rig.rounds(30 * MIN); // nothing heard: it may have warmed meanwhile
    await rig.card(CARD_ANA);
    expect(rig.ofType('purchase.refused')).toEqual([expect.objectContaining({ reason: 'temperature' })]);
    await temperature(rig, 5);
    await rig.rounds(10 * MIN);
    expect(rig.screens?.current('screen')?.template).toBe('idle');
    await rig.card(CARD_ANA);
    expect(rig.ofType('purchase.started')).toHaveLength(1);
    expect(alarms(rig)).toHaveLength(1); // the excursion's one alarm, from before the restart
  });
});
