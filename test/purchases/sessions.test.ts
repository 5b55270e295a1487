import { describe, expect, it } from 'vitest';
import {
  CARD_ANA,
  CARD_UNKNOWN,
  COLA,
  COLA_REF,
  FridgeRig,
  rigsStoppedAfterEach,
  sgtin,
  WATER,
  WATER_REF,
} from './fridge-rig.js';

/**
 * Purchase sessions end to end on the virtual clock. Every expected basket below is what the
 * scenario physically does (which tags the customer took out), written before running it.
 */
describe('purchase sessions (controller, real store, real frames)', () => {
  const rigs = rigsStoppedAfterEach();

  async function stockedFridge(readProbability = 1): Promise<FridgeRig> {
    const rig = await FridgeRig.create();
    rigs.push(rig);
    for (let serial = 1; serial <= 3; serial++) rig.put(sgtin(COLA_REF, serial), readProbability);
    for (let serial = 1; serial <= 2; serial++) rig.put(sgtin(WATER_REF, serial), readProbability);
    // A minute of history: every tag's read rate is known before anyone opens the door.
    await rig.rounds(60_000);
    return rig;
  }

  it('charges exactly the two drinks taken', async () => {
    const rig = await stockedFridge();
    await rig.card(CARD_ANA);
    const [started] = rig.ofType('purchase.started');
    expect(started).toMatchObject({ cabinet: 'fridge-1', customer: 'cust-17', via: 'card' });
    expect(rig.ofType('actuator.changed')).toEqual([
      expect.objectContaining({ actuator: 'lock', value: 'open', pulseMs: 5000 }),
    ]);
    await rig.rounds(2000);
    await rig.door('open');
    await rig.rounds(1000);
    rig.take(sgtin(COLA_REF, 2));
    rig.take(sgtin(WATER_REF, 1));
    await rig.rounds(3000);
    await rig.door('closed');
    await rig.rounds(15_000);

    const [completed] = rig.ofType('purchase.completed');
    expect(completed?.session).toBe(started?.session);
    expect(completed?.items.map((item) => [item.tag, item.sku, item.unitPrice]).sort()).toEqual(
      [
        [sgtin(COLA_REF, 2), COLA.sku, 250],
        [sgtin(WATER_REF, 1), WATER.sku, 180],
      ].sort(),
    );
    expect([completed?.total, completed?.currency, completed?.confidence]).toEqual([430, 'EUR', 'certain']);
    expect(completed?.items[0]).toMatchObject({ uri: expect.stringMatching(/^urn:epc:id:sgtin:0614141\./) });
    // Decided from evidence, long before the 10 s limit.
    expect(completed?.settleMs).toBeLessThanOrEqual(3000);
    expect(rig.ofType('purchase.cancelled')).toEqual([]);
    // Relocked when the door closed.
    expect(rig.ofType('actuator.changed').map((event) => event.value)).toEqual(['open', 'closed']);
  });

  it('completes with nothing to charge when nothing was taken, and reports a returned item', async () => {
    const rig = await stockedFridge();
    await rig.card(CARD_ANA);
    await rig.door('open');
    await rig.rounds(2000);
    // A water bought earlier comes back in.
    rig.put(sgtin(WATER_REF, 9));
    await rig.rounds(1000);
    await rig.door('closed');
    await rig.rounds(15_000);
    const [completed] = rig.ofType('purchase.completed');
    expect(completed).toMatchObject({ items: [], total: 0, currency: 'EUR' });
    expect(completed?.returned.map((item) => item.tag)).toEqual([sgtin(WATER_REF, 9)]);
  });

  it('refuses an unknown card, and a second card while a session runs', async () => {
    const rig = await stockedFridge();
    await rig.card(CARD_UNKNOWN);
    expect(rig.ofType('purchase.refused')).toEqual([
      expect.objectContaining({ cabinet: 'fridge-1', reason: 'unknown_card', card: CARD_UNKNOWN }),
    ]);
    expect(rig.ofType('purchase.started')).toEqual([]);
    await rig.card(CARD_ANA);
    await rig.rounds(2000);
    await rig.idle(5000); // the badge reader lets the card depart, so a new read is a new arrival
    await rig.card(CARD_ANA);
    expect(rig.ofType('purchase.refused').map((event) => event.reason)).toEqual([
      'unknown_card',
      'session_in_progress',
    ]);
    expect(rig.ofType('purchase.started')).toHaveLength(1);
  });

  it('cancels and relocks when the door is never opened', async () => {
    const rig = await stockedFridge();
    await rig.card(CARD_ANA);
    await rig.rounds(14_000);
    expect(rig.ofType('purchase.cancelled')).toEqual([]);
    await rig.rounds(2000);
    expect(rig.ofType('purchase.cancelled')).toEqual([
      expect.objectContaining({ cabinet: 'fridge-1', reason: 'door_not_opened' }),
    ]);
    expect(rig.ofType('actuator.changed').map((event) => event.value)).toEqual(['open', 'closed']);
  });

  it('raises an alarm when the door is left open, and one when it opens without a session', async () => {
    const rig = await stockedFridge();
    await rig.door('open');
    expect(rig.ofType('security.alarm')).toEqual([
      expect.objectContaining({ kind: 'door_opened_without_session', cabinet: 'fridge-1' }),
    ]);
    await rig.door('closed');
    await rig.card(CARD_ANA);
    await rig.door('open');
    await rig.rounds(61_000);
    expect(rig.ofType('security.alarm').map((event) => event.kind)).toEqual([
      'door_opened_without_session',
      'door_left_open',
    ]);
  });

  it('never charges when the reader goes offline during the session: uncertain, with the reason', async () => {
    const rig = await stockedFridge();
    await rig.card(CARD_ANA);
    await rig.door('open');
    rig.take(sgtin(COLA_REF, 1));
    await rig.rounds(2000);
    await rig.readerStatus('fridge', 'offline');
    await rig.door('closed');
    await rig.idle(12_000);
    expect(rig.ofType('purchase.completed')).toEqual([]);
    const [cancelled] = rig.ofType('purchase.cancelled');
    expect(cancelled).toMatchObject({ reason: 'uncertain', confidence: 'uncertain' });
    expect(cancelled?.reasons?.join(' ')).toMatch(/fridge offline/);
  });

  it('never charges when the reader hangs during the session: stalled by its own silence, uncertain, nothing departed', async () => {
    const rig = await stockedFridge();
    await rig.card(CARD_ANA);
    await rig.door('open');
    rig.take(sgtin(COLA_REF, 1));
    await rig.rounds(2000);
    // No status from anyone: the module just stops streaming, its port open.
    await rig.door('closed');
    await rig.idle(12_000);
    expect(rig.ofType('reader.status')).toEqual([
      expect.objectContaining({ reader: 'fridge', state: 'stalled' }),
    ]);
    expect(rig.ofType('purchase.completed')).toEqual([]);
    const [cancelled] = rig.ofType('purchase.cancelled');
    expect(cancelled).toMatchObject({ reason: 'uncertain', confidence: 'uncertain' });
    expect(cancelled?.reasons?.join(' ')).toMatch(/fridge stalled \(no traffic for 2500 ms/);
    // The cola taken before it hung had departed; nothing after (the badge's card goes, as ever).
    const fridge = rig.ofType('tag.departed').filter((event) => event.reader === 'fridge');
    expect(fridge.map((event) => event.tag)).toEqual([sgtin(COLA_REF, 1)]);
  });

  it('says uncertain, never charges, when weak tags cannot be decided in time', async () => {
    const rig = await stockedFridge(0.08);
    await rig.card(CARD_ANA);
    await rig.door('open');
    rig.take(sgtin(COLA_REF, 1));
    await rig.rounds(2000);
    await rig.door('closed');
    await rig.rounds(15_000);
    expect(rig.ofType('purchase.completed')).toEqual([]);
    expect(rig.ofType('purchase.cancelled')).toEqual([expect.objectContaining({ confidence: 'uncertain' })]);
  });

  it('recovers a session after the gateway is killed mid-session: charged once, from evidence', async () => {
    const rig = await stockedFridge();
    await rig.card(CARD_ANA);
    await rig.door('open');
    await rig.rounds(1000);
    rig.take(sgtin(COLA_REF, 3));
    await rig.rounds(1000);
    rig.crash();
    // Back up: the session waits for the door; once it closes, the basket comes from the settled
    // set kept from before the crash and the reads since.
    await rig.boot();
    await rig.rounds(2000);
    await rig.door('closed');
    await rig.rounds(15_000);
    const completed = rig.ofType('purchase.completed');
    expect(completed.map((event) => event.items.map((item) => item.tag))).toEqual([[sgtin(COLA_REF, 3)]]);
    // Restarting again changes nothing: the session is final in the store, and it is the
    // cabinet's last sale (the console's Now page shows it after the restart too).
    await rig.stop();
    await rig.boot();
    await rig.rounds(5000);
    expect(rig.ofType('purchase.completed')).toHaveLength(1);
    const { id: _id, seq: _seq, ts, gateway: _gateway, ...body } = completed[0] as (typeof completed)[0];
    expect(rig.purchases.lastEnded('fridge-1')).toEqual({ body, atMs: Date.parse(ts) });
    expect(rig.purchases.lastEnded('fridge-2')).toBeUndefined();
  });

  it('does not charge a recovered session whose door never reports: uncertain, with the reason', async () => {
    const rig = await stockedFridge();
    await rig.card(CARD_ANA);
    await rig.door('open');
    rig.take(sgtin(WATER_REF, 2));
    await rig.rounds(1000);
    rig.crash();
    await rig.boot();
    await rig.rounds(40_000);
    expect(rig.ofType('purchase.completed')).toEqual([]);
    const [cancelled] = rig.ofType('purchase.cancelled');
    expect(cancelled).toMatchObject({
      confidence: 'uncertain',
      reasons: ['door state unknown after a restart'],
    });
  });

  it('recovers a session that was only authorised by cancelling it, and lets the next customer in', async () => {
    const rig = await stockedFridge();
    await rig.card(CARD_ANA);
    rig.crash();
    await rig.boot();
    expect(rig.ofType('purchase.cancelled')).toEqual([
      expect.objectContaining({ reason: 'gateway_restarted' }),
    ]);
    await rig.rounds(5000);
    await rig.card(CARD_ANA);
    // One before the crash, and the next customer's after it.
    expect(rig.ofType('purchase.started')).toHaveLength(2);
    expect(rig.ofType('purchase.refused')).toEqual([]);
  });

  it('goes on with the same session when the door is opened again while settling', async () => {
    const rig = await stockedFridge();
    await rig.card(CARD_ANA);
    await rig.door('open');
    await rig.rounds(1000);
    await rig.door('closed');
    await rig.rounds(250);
    await rig.door('open');
    rig.take(sgtin(COLA_REF, 1));
    await rig.rounds(1000);
    await rig.door('closed');
    await rig.rounds(15_000);
    const completed = rig.ofType('purchase.completed');
    expect(completed.map((event) => event.items.map((item) => item.tag))).toEqual([[sgtin(COLA_REF, 1)]]);
  });

  it('never charges when the door reports closed without having reported open', async () => {
    const rig = await stockedFridge();
    await rig.card(CARD_ANA);
    rig.take(sgtin(COLA_REF, 1));
    await rig.rounds(1000);
    await rig.door('closed');
    expect(rig.ofType('purchase.completed')).toEqual([]);
    expect(rig.ofType('purchase.cancelled')).toEqual([expect.objectContaining({ confidence: 'uncertain' })]);
    expect(rig.ofType('security.alarm').map((event) => event.kind)).toEqual(['door_closed_without_open']);
  });

  it('answers session/start, session/cancel, sessions/get, customers/set and customers/get', async () => {
    const rig = await stockedFridge();
    const started = await rig.request('session/start', {
      transaction: 1,
      cabinet: 'fridge-1',
      customer: 'app-user-9',
    });
    expect(started).toMatchObject({
      transaction: 1,
      status: 'ok',
      data: { cabinet: 'fridge-1', state: 'authorised' },
    });
    expect(await rig.request('session/start', { cabinet: 'fridge-1', customer: 'other' })).toMatchObject({
      status: 'error',
      error: expect.stringContaining('session in progress'),
    });
    expect(await rig.request('session/start', { cabinet: 'fridge-9', customer: 'x' })).toMatchObject({
      status: 'error',
      error: 'unknown cabinet "fridge-9" (cabinets: fridge-1)',
    });
    expect(await rig.request('session/cancel', { cabinet: 'fridge-1' })).toMatchObject({
      status: 'ok',
      data: { state: 'cancelled' },
    });
    const recent = await rig.request('sessions/get', { limit: 5 });
    expect(recent.data).toEqual([
      expect.objectContaining({ customer: 'app-user-9', state: 'cancelled', via: 'request' }),
    ]);
    // A minute later, another: the console's date, cabinet and customer filters pick either one.
    await rig.rounds(60_000);
    await rig.request('session/start', { cabinet: 'fridge-1', customer: 'app-user-7' });
    await rig.request('session/cancel', { cabinet: 'fridge-1' });
    const both = (await rig.request('sessions/get', {})).data as Array<{
      customer: string;
      startedAt: number;
    }>;
    expect(both.map((session) => session.customer)).toEqual(['app-user-7', 'app-user-9']);
    const earlier = both[1]?.startedAt as number;
    const between = new Date(earlier + 30_000).toISOString();
    const customersOf = async (filter: Record<string, unknown>) =>
      ((await rig.request('sessions/get', filter)).data as Array<{ customer: string }>).map(
        (session) => session.customer,
      );
    expect(await customersOf({ to: between })).toEqual(['app-user-9']);
    expect(await customersOf({ from: between })).toEqual(['app-user-7']);
    expect(await customersOf({ from: new Date(earlier).toISOString(), to: between })).toEqual(['app-user-9']);
    expect(await customersOf({ customer: 'app-user-9' })).toEqual(['app-user-9']);
    expect(await customersOf({ cabinet: 'fridge-1', from: between })).toEqual(['app-user-7']);
    expect(await customersOf({ cabinet: 'fridge-2' })).toEqual([]);
    expect(
      await rig.request('sessions/get', { from: between, to: new Date(earlier).toISOString() }),
    ).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/^to: must not be before from/),
    });
    expect(await rig.request('sessions/get', { from: '2026-12-07' })).toMatchObject({
      status: 'error',
      error: expect.stringContaining('from'),
    });

    expect(
      await rig.request('customers/set', {
        customers: [{ card: '0a0b0c0d0e', reference: 'cust-99', name: 'Bo', consent: false }],
      }),
    ).toMatchObject({ status: 'ok', data: { set: 1, removed: 0 } });
    const customers = (await rig.request('customers/get', {})).data as Array<Record<string, unknown>>;
    // Without consent no name is kept.
    expect(customers.find((customer) => customer.card === '0A0B0C0D0E')).toEqual({
      card: '0A0B0C0D0E',
      reference: 'cust-99',
      consent: false,
    });
    expect(await rig.request('customers/set', { customers: [{ card: 'zz', reference: 'r' }] })).toMatchObject(
      {
        status: 'error',
        error: expect.stringContaining('customers[0].card'),
      },
    );
    await rig.card(CARD_UNKNOWN);
    expect(rig.ofType('purchase.started').map((event) => event.customer)).toEqual([
      'app-user-9',
      'app-user-7',
      'cust-99',
    ]);
  });
});
