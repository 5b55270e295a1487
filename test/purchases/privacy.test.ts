import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CARD_ANA,
  COLA,
  COLA_REF,
  FridgeRig,
  fridgeConfig,
  rigsStoppedAfterEach,
  sgtin,
  WATER,
  WATER_REF,
} from './fridge-rig.js';

/**
 * The personal welcome and what the gateway keeps about customers: purchase history only with
 * consent, for its retention, gone when consent is withdrawn or the customer is forgotten, and
 * nothing of them in the logs.
 */
const CARD_BEN = '0500207B33';
const CARD_CARL = '0500207B34';
const DAY_MS = 86_400_000;

describe('personal welcome and customer privacy', () => {
  const rigs = rigsStoppedAfterEach();

  async function fridge(): Promise<FridgeRig> {
    const base = fridgeConfig();
    const config = fridgeConfig({
      cabinets: (base.cabinets ?? []).map((cabinet) => ({ ...cabinet, display: 'fridge-screen' })),
      // Only a config-less allow-list can be changed over MQTT: the config's is written at every start.
      customers: [{ card: CARD_CARL, reference: 'cust-99', name: 'Carl', consent: true }],
      privacy: { historyRetentionDays: 90, purgeIntervalMs: 3_600_000, usualItems: 2 },
    });
    const rig = await FridgeRig.create([COLA, WATER], config);
    rigs.push(rig);
    await rig.request('customers/set', {
      customers: [
        { card: CARD_ANA, reference: 'cust-17', name: 'Ana Lima', consent: true },
        { card: CARD_BEN, reference: 'cust-42', name: 'Ben Ode', consent: false },
      ],
    });
    for (let serial = 1; serial <= 4; serial++) rig.put(sgtin(COLA_REF, serial));
    for (let serial = 1; serial <= 4; serial++) rig.put(sgtin(WATER_REF, serial));
    await rig.rounds(60_000);
    return rig;
  }

  /** One session: card, open, take these, close, settle; returns the welcome screen's lines. */
  async function buy(rig: FridgeRig, card: string, tags: string[]): Promise<string[]> {
    await rig.card(card);
    const welcome = rig.screens?.current('fridge-screen');
    await rig.door('open');
    await rig.rounds(1000);
    for (const tag of tags) rig.take(tag);
    await rig.rounds(1000);
    await rig.door('closed');
    await rig.rounds(15_000);
    return welcome?.template === 'welcome' ? welcome.lines : [];
  }

  const historyRows = (rig: FridgeRig, reference: string) =>
    (
      rig.store.db
        .prepare('SELECT COUNT(*) AS n FROM customer_history WHERE reference = ?')
        .get(reference) as { n: number }
    ).n;

  it('greets a consenting customer by name with their usual items, learned from what they bought', async () => {
    const rig = await fridge();
    expect(await buy(rig, CARD_ANA, [sgtin(COLA_REF, 1), sgtin(COLA_REF, 2)])).toEqual([
      'Welcome!',
      'Hello Ana Lima',
      'The door is open',
    ]);
    expect(await buy(rig, CARD_ANA, [sgtin(WATER_REF, 1)])).toEqual([
      'Welcome!',
      'Hello Ana Lima',
      `Your usual: ${COLA.name}`,
      'The door is open',
    ]);
    // Two colas, then a water: most bought first.
    expect(await buy(rig, CARD_ANA, [])).toEqual([
      'Welcome!',
      'Hello Ana Lima',
      `Your usual: ${COLA.name}, ${WATER.name}`,
      'The door is open',
    ]);
    expect(rig.ofType('purchase.completed')).toHaveLength(3);
    expect(historyRows(rig, 'cust-17')).toBe(3);
  });

  it('keeps nothing for a customer without consent, and shows them no name', async () => {
    const rig = await fridge();
    expect(await buy(rig, CARD_BEN, [sgtin(COLA_REF, 1)])).toEqual(['Welcome!', 'The door is open']);
    expect(rig.ofType('purchase.completed')).toHaveLength(1);
    expect(historyRows(rig, 'cust-42')).toBe(0);
    // customers/get shows no name for them either: it was never stored.
    const answer = await rig.request('customers/get', {});
    expect(JSON.stringify(answer)).not.toContain('Ben Ode');
  });

  it('deletes the history the moment consent is withdrawn', async () => {
    const rig = await fridge();
    await buy(rig, CARD_ANA, [sgtin(COLA_REF, 1)]);
    expect(historyRows(rig, 'cust-17')).toBe(1);
    const answer = await rig.request('customers/set', {
      customers: [{ card: CARD_ANA, reference: 'cust-17', consent: false }],
    });
    expect(answer).toMatchObject({ status: 'ok', data: { set: 1, historyDeleted: 1 } });
    expect(historyRows(rig, 'cust-17')).toBe(0);
    expect(await buy(rig, CARD_ANA, [sgtin(COLA_REF, 2)])).toEqual(['Welcome!', 'The door is open']);
    expect(historyRows(rig, 'cust-17')).toBe(0);
  });

  it('purges history past its retention on schedule', async () => {
    const rig = await fridge();
    await buy(rig, CARD_ANA, [sgtin(COLA_REF, 1)]);
    await rig.idle(89 * DAY_MS);
    expect(historyRows(rig, 'cust-17')).toBe(1);
    await rig.idle(2 * DAY_MS);
    expect(historyRows(rig, 'cust-17')).toBe(0);
  });

  it('forgets a customer: nothing of them is left in the store file, their sales stay anonymous', async () => {
    const rig = await fridge();
    await buy(rig, CARD_ANA, [sgtin(COLA_REF, 1)]);
    await buy(rig, CARD_ANA, [sgtin(WATER_REF, 1)]);
    const answer = await rig.request('customers/forget', { card: CARD_ANA });
    expect(answer).toMatchObject({ status: 'ok', data: { cards: 1, history: 2, sessions: 2 } });
    const sessions = await rig.request('sessions/get', {});
    expect(JSON.stringify(sessions)).not.toContain('cust-17');
    expect(JSON.stringify(sessions)).toContain('"total":250');
    expectNoTraceOnDisk(rig);
    // The card opens nothing any more.
    await rig.card(CARD_ANA);
    expect(rig.ofType('purchase.refused').at(-1)).toMatchObject({ reason: 'unknown_card' });
    expect(rig.logLines.join('\n')).not.toMatch(/cust-17|Ana Lima/);
  });

  it('refuses to change or forget a customer the config lists', async () => {
    const rig = await fridge();
    for (const request of [
      ['customers/forget', { reference: 'cust-99' }],
      ['customers/forget', { card: CARD_CARL }],
      ['customers/set', { customers: [{ card: CARD_CARL, reference: 'cust-99', consent: false }] }],
      ['customers/set', { remove: [CARD_CARL.toLowerCase()] }],
    ] as const) {
      const answer = await rig.request(request[0], request[1]);
      expect(answer).toMatchObject({
        status: 'error',
        error: expect.stringContaining("listed in the config's customers"),
      });
    }
  });

  /** Nothing of cust-17 (reference, name, card) in the store's files, deleted pages and WAL included. */
  function expectNoTraceOnDisk(rig: FridgeRig): void {
    const files = readdirSync(rig.dataDir).filter((name) => name.startsWith('gateway.sqlite'));
    for (const file of files) {
      const bytes = readFileSync(join(rig.dataDir, file));
      for (const trace of ['cust-17', 'Ana Lima', CARD_ANA]) {
        expect(bytes.includes(Buffer.from(trace)), `${file} still holds "${trace}"`).toBe(false);
      }
    }
  }

  it('forgets a customer who asks during their session once it ends, and says it is pending meanwhile', async () => {
    const rig = await fridge();
    await buy(rig, CARD_ANA, [sgtin(COLA_REF, 1)]);
    await rig.card(CARD_ANA);
    const [, started] = rig.ofType('purchase.started');
    await rig.door('open');
    await rig.rounds(1000);
    rig.take(sgtin(WATER_REF, 1));
    await rig.rounds(1000);
    const answer = await rig.request('customers/forget', { reference: 'cust-17' });
    expect(answer).toMatchObject({ status: 'ok', data: { pending: true, inProgress: [started?.session] } });
    // Asked again meanwhile: still pending, once.
    expect(await rig.request('customers/forget', { card: CARD_ANA })).toMatchObject({
      status: 'ok',
      data: { pending: true },
    });
    // The session goes on as it was: the door, the basket, the charge.
    expect(historyRows(rig, 'cust-17')).toBe(1);
    await rig.door('closed');
    await rig.rounds(15_000);
    const [, completed] = rig.ofType('purchase.completed');
    expect(completed).toMatchObject({ session: started?.session, total: WATER.unitPrice });

    expect(historyRows(rig, 'cust-17')).toBe(0);
    const sessions = JSON.stringify(await rig.request('sessions/get', {}));
    expect(sessions).not.toContain('cust-17');
    expect(sessions).toContain(`"total":${WATER.unitPrice}`);
    expect(JSON.stringify(await rig.request('customers/get', {}))).not.toContain('cust-17');
    expectNoTraceOnDisk(rig);
    await rig.card(CARD_ANA);
    expect(rig.ofType('purchase.refused').at(-1)).toMatchObject({ reason: 'unknown_card' });
    expect(rig.logLines.join('\n')).not.toMatch(/cust-17|Ana Lima/);
  });

  it('keeps a pending forget across a crash and carries it out when the recovered session ends', async () => {
    const rig = await fridge();
    await rig.card(CARD_ANA);
    await rig.door('open');
    await rig.rounds(1000);
    rig.take(sgtin(COLA_REF, 1));
    await rig.rounds(1000);
    expect(await rig.request('customers/forget', { card: CARD_ANA })).toMatchObject({
      status: 'ok',
      data: { pending: true },
    });
    rig.crash();
    await rig.boot();
    // Still theirs until the session ends.
    expect(JSON.stringify(await rig.request('customers/get', {}))).toContain('cust-17');
    await rig.rounds(2000);
    await rig.door('closed');
    await rig.rounds(15_000);
    expect(rig.ofType('purchase.completed')).toEqual([
      expect.objectContaining({ total: COLA.unitPrice, customer: 'cust-17' }),
    ]);
    expect(historyRows(rig, 'cust-17')).toBe(0);
    expect(JSON.stringify(await rig.request('sessions/get', {}))).not.toContain('cust-17');
    expect(JSON.stringify(await rig.request('customers/get', {}))).not.toContain('cust-17');
    expectNoTraceOnDisk(rig);
  });

  it('carries out a pending forget at start when the restart itself ends the session', async () => {
    const rig = await fridge();
    await rig.card(CARD_ANA);
    expect(await rig.request('customers/forget', { reference: 'cust-17' })).toMatchObject({
      status: 'ok',
      data: { pending: true },
    });
    await rig.stop();
    await rig.boot();
    // An authorised session does not survive a restart: cancelled, then the customer forgotten.
    expect(rig.ofType('purchase.cancelled')).toEqual([
      expect.objectContaining({ reason: 'gateway_restarted' }),
    ]);
    expect(JSON.stringify(await rig.request('customers/get', {}))).not.toContain('cust-17');
    expect(JSON.stringify(await rig.request('sessions/get', {}))).not.toContain('cust-17');
    expectNoTraceOnDisk(rig);
    await rig.card(CARD_ANA);
    expect(rig.ofType('purchase.refused').at(-1)).toMatchObject({ reason: 'unknown_card' });
  });

  it('deletes the history of a customer whose last card is removed', async () => {
    const rig = await fridge();
    await buy(rig, CARD_ANA, [sgtin(COLA_REF, 1)]);
    expect(historyRows(rig, 'cust-17')).toBe(1);
    const answer = await rig.request('customers/set', { remove: [CARD_ANA] });
    expect(answer).toMatchObject({ status: 'ok', data: { removed: 1, historyDeleted: 1 } });
    expect(historyRows(rig, 'cust-17')).toBe(0);
  });

  it('refuses a forget request that names nobody or two ways', async () => {
    const rig = await fridge();
    const both = await rig.request('customers/forget', { card: CARD_ANA, reference: 'cust-17' });
    expect(both).toMatchObject({ status: 'error' });
    const none = await rig.request('customers/forget', {});
    expect(none).toMatchObject({ status: 'error' });
    expect(await rig.request('customers/forget', { reference: 'nobody' })).toMatchObject({
      status: 'ok',
      data: { cards: 0, history: 0, sessions: 0 },
    });
  });
});
