import { describe, expect, it } from 'vitest';
import { SignatureVerifier, signRequest } from '../../src/mqtt/request-signature.js';
import { RequestRouter } from '../../src/mqtt/requests.js';
import { createLogger } from '../../src/observability/logger.js';
import { CARD_ANA, COLA, COLA_REF, FridgeRig, rigsStoppedAfterEach, sgtin, WATER_REF } from './fridge-rig.js';

const CONSOLE_KEY = 'console-key-0123456789abcdef0123456789abcdef';

/** The rig's requests through a router that knows the signing client `console-desk` (not required). */
function signingRouter(rig: FridgeRig) {
  const router = new RequestRouter({
    registry: rig.requests,
    clock: rig.clock,
    logger: createLogger({ level: 'silent' }),
    signatures: new SignatureVerifier({
      gateway: 'fridge-test',
      keys: new Map([['console-desk', Buffer.from(CONSOLE_KEY)]]),
      required: false,
      windowMs: 60_000,
      clock: rig.clock,
    }),
  });
  return async (command: string, body: Record<string, unknown>, signed: boolean) => {
    const payload = signed
      ? signRequest(
          CONSOLE_KEY,
          {
            gateway: 'fridge-test',
            command,
            client: 'console-desk',
            ts: new Date(rig.clock.now()).toISOString(),
          },
          body,
        )
      : body;
    const response = await router.handle(command, new TextEncoder().encode(JSON.stringify(payload)));
    return JSON.parse(response.payload) as Record<string, unknown>;
  };
}

/**
 * A person decides a purchase that ended uncertain (`purchases/resolve`, the console's Review page):
 * through the request router, once, with the items priced as a sale's, and `purchase.resolved` for
 * the payment side.
 */
describe('resolving an uncertain purchase', () => {
  const rigs = rigsStoppedAfterEach();

  /**
   * Ana takes a cola from a fridge of three colas and two waters whose tags read in a share
   * `readRate` of the rounds, and the session is given time to end.
   */
  async function sale(readRate: number): Promise<FridgeRig> {
    const rig = await FridgeRig.create();
    rigs.push(rig);
    for (let serial = 1; serial <= 3; serial++) rig.put(sgtin(COLA_REF, serial), readRate);
    for (let serial = 1; serial <= 2; serial++) rig.put(sgtin(WATER_REF, serial), readRate);
    await rig.rounds(60_000);
    await rig.card(CARD_ANA);
    await rig.door('open');
    rig.take(sgtin(COLA_REF, 1));
    await rig.rounds(2000);
    await rig.door('closed');
    await rig.rounds(15_000);
    return rig;
  }

  /** Weak tags that cannot be decided in time: the session ends uncertain, nothing charged. */
  async function uncertainSession(): Promise<{ rig: FridgeRig; session: string; undecided: string[] }> {
    const rig = await sale(0.08);
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
    // A decision names who made it, or leaves it out (booked as `unnamed`, below): never an empty name.
    expect(await rig.request('purchases/resolve', { session, charge: [], by: '' })).toMatchObject({
      status: 'error',
      error: 'by: Too small: expected string to have >=1 characters, got ""',
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
    const rig = await sale(1);
    const [completed] = rig.ofType('purchase.completed');
    expect(completed).toBeDefined();
    const answer = await rig.request('purchases/resolve', { session: completed?.session, charge: [] });
    expect(answer).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/did not end uncertain \(completed\)/),
    });
  });

  // Both claim `by: manager`; `signed` is also what `byVerified` must say.
  it.each([
    ['a signed decision to its verified client, whatever it claims', true, 'console-desk'],
    ['an unsigned decision as claimed, unverified', false, 'manager'],
  ] as const)('books %s', async (_how, signed, resolvedBy) => {
    const { rig, session } = await uncertainSession();
    const send = signingRouter(rig);
    expect(await send('purchases/resolve', { session, charge: [], by: 'manager' }, signed)).toMatchObject({
      status: 'ok',
    });
    expect(rig.ofType('purchase.resolved')).toEqual([
      expect.objectContaining({ session, resolvedBy, byVerified: signed }),
    ]);
    expect(await rig.request('sessions/get', { session })).toMatchObject({
      data: { resolution: { resolvedBy, byVerified: signed } },
    });
  });

  it('lists an uncertain session nobody decided however many sales came after it, until it is decided', async () => {
    const { rig, session } = await uncertainSession();
    // Every tag read well from now on: the sales after it are certain.
    for (const tag of [...rig.inside.keys()]) rig.put(tag, 1);
    await rig.rounds(60_000);
    const SALES = 101;
    for (let sale = 0; sale < SALES; sale++) {
      await rig.card(CARD_ANA);
      await rig.door('open');
      await rig.rounds(500);
      await rig.door('closed');
      await rig.rounds(3000);
    }
    expect(rig.ofType('purchase.completed')).toHaveLength(SALES);
    // The latest 100 no longer hold it...
    const latest = (await rig.request('sessions/get', { limit: 100 })).data as Array<{ id: string }>;
    expect(latest.map((entry) => entry.id)).not.toContain(session);
    // ...the queue of undecided ones does, with what a person may charge.
    const queue = await rig.request('sessions/get', { unresolved: true, limit: 10 });
    expect(queue).toMatchObject({
      status: 'ok',
      data: {
        total: 1,
        more: false,
        sessions: [{ id: session, outcome: { confidence: 'uncertain' }, candidates: expect.any(Array) }],
      },
    });
    // Combined with the other filters, and paged.
    expect(await rig.request('sessions/get', { unresolved: true, cabinet: 'fridge-2' })).toMatchObject({
      data: { total: 0, sessions: [] },
    });
    expect(await rig.request('sessions/get', { unresolved: true, offset: 1 })).toMatchObject({
      data: { total: 1, more: false, sessions: [] },
    });
    expect(await rig.request('sessions/get', { offset: SALES })).toMatchObject({
      data: [{ id: session }],
    });
    expect(await rig.request('sessions/get', { unresolved: false })).toMatchObject({
      status: 'error',
      error: 'unresolved: Invalid input: expected true, got false',
    });

    expect(await rig.request('purchases/resolve', { session, charge: [] })).toMatchObject({ status: 'ok' });
    expect(await rig.request('sessions/get', { unresolved: true })).toMatchObject({
      data: { total: 0, more: false, sessions: [] },
    });
  }, 60_000);
});
