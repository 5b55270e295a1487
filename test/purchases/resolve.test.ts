import { afterEach, describe, expect, it } from 'vitest';
import { CARD_ANA, COLA, COLA_REF, FridgeRig, sgtin, WATER_REF } from './fridge-rig.js';

/**
 * A person decides a purchase that ended uncertain (`purchases/resolve`, the console's Review page):
 * through the request router, once, with the items priced as a sale's, and `purchase.resolved` for
 * the payment side.
 */
describe('resolving an uncertain purchase', () => {
  const rigs: FridgeRig[] = [];
  afterEach(async () => {
    for (const rig of rigs.splice(0)) {
      await rig.stop();
      rig.dispose();
    }
  });

  /** Weak tags that cannot be decided in time: the session ends uncertain, nothing charged. */
  async function uncertainSession(): Promise<{ rig: FridgeRig; session: string; undecided: string[] }> {
    const rig = await FridgeRig.create();
    rigs.push(rig);
    for (let serial = 1; serial <= 3; serial++) rig.put(sgtin(COLA_REF, serial), 0.08);
    for (let serial = 1; serial <= 2; serial++) rig.put(sgtin(WATER_REF, serial), 0.08);
    await rig.rounds(60_000);
    await rig.card(CARD_ANA);
    await rig.door('open');
    rig.take(sgtin(COLA_REF, 1));
    await rig.rounds(2000);
    await rig.door('closed');
    await rig.rounds(15_000);
    const [cancelled] = rig.ofType('purchase.cancelled');
    expect(cancelled).toMatchObject({ confidence: 'uncertain' });
    const undecided = (cancelled?.undecided ?? []).map((entry) => entry.tag);
    expect(undecided).toContain(sgtin(COLA_REF, 1));
    return { rig, session: cancelled?.session as string, undecided };
  }

  it('charges the items a person names, once, priced as a sale, and says so for the payment side', async () => {
    const { rig, session } = await uncertainSession();
    const cola = sgtin(COLA_REF, 1);
    const answer = await rig.request('purchases/resolve', { session, charge: [cola], by: 'manager-1' });
    expect(answer).toMatchObject({
      status: 'ok',
      data: { session, items: 1, total: COLA.unitPrice, currency: 'EUR' },
    });
    const [resolved] = rig.ofType('purchase.resolved');
    expect(resolved).toMatchObject({
      session,
      cabinet: 'fridge-1',
      total: COLA.unitPrice,
      currency: 'EUR',
      resolvedBy: 'manager-1',
      items: [expect.objectContaining({ tag: cola, sku: COLA.sku, unitPrice: COLA.unitPrice })],
    });
    // The same decision again (an MQTT redelivery) answers the first; no second event.
    expect(
      await rig.request('purchases/resolve', { session, charge: [cola], by: 'manager-1' }),
    ).toMatchObject({
      status: 'ok',
    });
    expect(rig.ofType('purchase.resolved')).toHaveLength(1);
    // Another decision is refused: a session is decided once.
    const again = await rig.request('purchases/resolve', { session, charge: [] });
    expect(again).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/resolved already, by manager-1/),
    });
    // sessions/get shows the decision.
    const listed = await rig.request('sessions/get', { session });
    expect(listed).toMatchObject({
      status: 'ok',
      data: { resolution: { resolvedBy: 'manager-1', total: COLA.unitPrice } },
    });
  });

  it('charges nothing when told so, and refuses what it cannot decide', async () => {
    const { rig, session } = await uncertainSession();
    expect(await rig.request('purchases/resolve', { session: 'nope', charge: [] })).toMatchObject({
      status: 'error',
      error: 'unknown session "nope"',
    });
    const stranger = sgtin(WATER_REF, 99);
    expect(await rig.request('purchases/resolve', { session, charge: [stranger] })).toMatchObject({
      status: 'error',
      error: `tag ${stranger} was not in the cabinet when session "${session}" opened its door`,
    });
    expect(await rig.request('purchases/resolve', { session, charge: ['not hex'] })).toMatchObject({
      status: 'error',
    });
    expect(rig.ofType('purchase.resolved')).toEqual([]);
    expect(await rig.request('purchases/resolve', { session, charge: [] })).toMatchObject({
      status: 'ok',
      data: { items: 0, total: 0 },
    });
    expect(rig.ofType('purchase.resolved')).toEqual([
      expect.objectContaining({ session, items: [], total: 0, resolvedBy: 'unnamed' }),
    ]);
  });

  it('refuses to resolve a sale that was certain', async () => {
    const rig = await FridgeRig.create();
    rigs.push(rig);
    for (let serial = 1; serial <= 3; serial++) rig.put(sgtin(COLA_REF, serial), 1);
    for (let serial = 1; serial <= 2; serial++) rig.put(sgtin(WATER_REF, serial), 1);
    await rig.rounds(60_000);
    await rig.card(CARD_ANA);
    await rig.door('open');
    rig.take(sgtin(COLA_REF, 1));
    await rig.rounds(2000);
    await rig.door('closed');
    await rig.rounds(15_000);
    const [completed] = rig.ofType('purchase.completed');
    expect(completed).toBeDefined();
    const answer = await rig.request('purchases/resolve', { session: completed?.session, charge: [] });
    expect(answer).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/did not end uncertain \(completed\)/),
    });
  });
});
