import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/app/event-bus.js';
import { alarmsFeature } from '../../src/domain/alarms/index.js';
import { RequestRegistry } from '../../src/mqtt/request-registry.js';
import { SignatureVerifier, signRequest } from '../../src/mqtt/request-signature.js';
import { type RequestAuditEntry, RequestRouter } from '../../src/mqtt/requests.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import type { FeatureInput } from '../../src/shared/feature.js';
import { Store } from '../../src/store/index.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const SIGNING_KEY = 'console-key-0123456789abcdef0123456789abcdef';

/**
 * The alarms feature as the controller builds it, answered by the real request router, which knows
 * one signing client, `console-desk` (signatures accepted, not required).
 */
async function setup() {
  const clock = new VirtualClock(T0);
  const logger = silentLogger();
  const store = Store.open({ dataDir: ':memory:', clock, logger });
  cleanup.push(() => store.close());
  const bus = new EventBus({ gateway: 'gw', clock, logger, store });
  const events: GatewayEvent[] = [];
  bus.on('test', '*', (event) => events.push(event as GatewayEvent));
  const registry = new RequestRegistry();
  const built = alarmsFeature.build({
    store,
    clock,
    logger,
    bus,
    requests: registry,
    needs: {},
    uses: {},
  } as unknown as FeatureInput<never, never>);
  if (!built) throw new Error('the alarms feature was not built');
  await built.start?.();
  cleanup.push(() => built.stop?.());
  const audit: RequestAuditEntry[] = [];
  const router = new RequestRouter({
    registry,
    clock,
    logger,
    audit: { record: (entry) => audit.push(entry) },
    signatures: new SignatureVerifier({
      gateway: 'gw',
      keys: new Map([['console-desk', Buffer.from(SIGNING_KEY)]]),
      required: false,
      windowMs: 60_000,
      clock,
    }),
  });
  const signed = (command: string, body: Record<string, unknown>) =>
    signRequest(
      SIGNING_KEY,
      { gateway: 'gw', command, client: 'console-desk', ts: new Date(clock.now()).toISOString() },
      body,
    );
  const request = async (command: string, body: unknown) =>
    JSON.parse((await router.handle(command, Buffer.from(JSON.stringify(body)))).payload) as {
      status: 'ok' | 'error';
      data?: unknown;
      error?: string;
    };
  const raise = (kind: string, fields: { cabinet?: string; door?: string } = {}) => {
    bus.emit({ type: 'security.alarm', kind, ...fields });
    return events.at(-1)?.id as string;
  };
  return { clock, bus, events, audit, request, raise, signed };
}

describe('alarms/get and alarms/ack', () => {
  it('lists the raised alarms; acknowledging one emits alarm.acknowledged and is audited', async () => {
    const { events, audit, request, raise, clock } = await setup();
    const door = raise('door_left_open', { cabinet: 'fridge-1' });
    const exit = raise('unpaid_exit', { door: 'front' });
    expect(await request('alarms/get', {})).toMatchObject({
      status: 'ok',
      data: {
        counts: { open: 2, acknowledged: 0 },
        alarms: [
          { id: exit, kind: 'unpaid_exit', door: 'front', state: 'open' },
          { id: door, kind: 'door_left_open', cabinet: 'fridge-1', state: 'open' },
        ],
        more: false,
      },
    });
    clock.advanceTo(T0 + 1000);
    expect(await request('alarms/ack', { alarms: [door], note: ' closed it ', by: 'console' })).toMatchObject(
      {
        status: 'ok',
        data: { acknowledged: [door], already: [] },
      },
    );
    expect(events.filter((event) => event.type === 'alarm.acknowledged')).toEqual([
      expect.objectContaining({
        type: 'alarm.acknowledged',
        alarm: door,
        kind: 'door_left_open',
        cabinet: 'fridge-1',
        by: 'console',
        note: 'closed it',
      }),
    ]);
    expect(audit).toEqual([expect.objectContaining({ command: 'alarms/ack', outcome: 'ok' })]);
    expect(await request('alarms/get', { state: 'open' })).toMatchObject({
      data: { counts: { open: 1, acknowledged: 1 }, alarms: [{ id: exit }] },
    });

    // Again, with the other one (an MQTT redelivery and one more): reported, not an error, one event.
    const again = await request('alarms/ack', { alarms: [door, exit] });
    expect(again).toMatchObject({
      status: 'ok',
      data: {
        acknowledged: [exit],
        already: [{ alarm: door, at: new Date(T0 + 1000).toISOString(), by: 'console' }],
      },
    });
    expect(events.filter((event) => event.type === 'alarm.acknowledged')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({
      type: 'alarm.acknowledged',
      alarm: exit,
      by: 'unnamed',
      door: 'front',
    });
  });

  it('refuses an unknown alarm, naming it, and acknowledges none of the others', async () => {
    const { events, audit, request, raise } = await setup();
    const door = raise('door_left_open', { cabinet: 'fridge-1' });
    expect(await request('alarms/ack', { alarms: [door, 'no-such-alarm'] })).toMatchObject({
      status: 'error',
      error: 'unknown alarm "no-such-alarm": nothing acknowledged',
    });
    expect(events.some((event) => event.type === 'alarm.acknowledged')).toBe(false);
    expect(audit).toEqual([
      expect.objectContaining({
        command: 'alarms/ack',
        outcome: expect.stringContaining('error: unknown alarm'),
      }),
    ]);
    expect(await request('alarms/get', { state: 'open' })).toMatchObject({
      data: { alarms: [{ id: door }] },
    });
  });

  it('names the path and the wrong value of a bad request', async () => {
    const { request, audit } = await setup();
    const error = async (command: string, body: unknown) => {
      const answer = await request(command, body);
      expect(answer.status).toBe('error');
      return answer.error;
    };
    expect(await error('alarms/ack', { alarms: [] })).toBe('alarms: name at least one alarm');
    expect(await error('alarms/ack', { alarms: ['a', 7] })).toBe(
      'alarms[1]: Invalid input: expected string, got 7',
    );
    expect(await error('alarms/ack', { alarms: ['a'], note: 'x'.repeat(501) })).toMatch(
      /^note: Too big: expected string to have <=500 characters, got "x{40}…"$/,
    );
    expect(await error('alarms/ack', { alarm: 'a' })).toBe('alarms: Required; alarm: unknown field');
    expect(await error('alarms/ack', { alarms: ['a'], by: '' })).toBe(
      'by: Too small: expected string to have >=1 characters, got ""',
    );
    expect(await error('alarms/ack', { alarms: ['a'], by: 7 })).toBe(
      'by: Invalid input: expected string, got 7',
    );
    expect(await error('alarms/get', { state: 'closed' })).toBe(
      'state: Invalid option: expected one of "open"|"acknowledged", got "closed"',
    );
    expect(await error('alarms/get', { limit: 0 })).toBe(
      'limit: Too small: expected number to be >=1, got 0',
    );
    // A refused change is audited too, with why.
    expect(audit.map((entry) => entry.outcome)).toEqual([
      'refused: alarms: name at least one alarm',
      expect.stringMatching(/^refused: alarms\[1\]/),
      expect.stringMatching(/^refused: note/),
      expect.stringMatching(/^refused: alarms: Required/),
      expect.stringMatching(/^refused: by/),
      expect.stringMatching(/^refused: by/),
    ]);
  });

  it('books a signed acknowledgement to its verified client, an unsigned one to its claim, unverified', async () => {
    const { events, request, raise, signed } = await setup();
    const door = raise('door_left_open', { cabinet: 'fridge-1' });
    const exit = raise('unpaid_exit', { door: 'front' });
    // Signed by the console's client, claiming to be the manager: the signature says who it was.
    expect(
      await request('alarms/ack', signed('alarms/ack', { alarms: [door], by: 'manager' })),
    ).toMatchObject({ status: 'ok', data: { acknowledged: [door] } });
    // Unsigned, claiming the same: booked as claimed, and marked so.
    expect(await request('alarms/ack', { alarms: [exit], by: 'manager' })).toMatchObject({
      status: 'ok',
      data: { acknowledged: [exit] },
    });
    expect(
      events
        .filter((event) => event.type === 'alarm.acknowledged')
        .map((event) => [event.alarm, event.by, event.byVerified]),
    ).toEqual([
      [door, 'console-desk', true],
      [exit, 'manager', false],
    ]);
    // The book keeps it, and says it to whoever asks afterwards.
    expect(await request('alarms/get', { state: 'acknowledged' })).toMatchObject({
      data: {
        alarms: [
          { id: exit, acknowledged: { by: 'manager', byVerified: false } },
          { id: door, acknowledged: { by: 'console-desk', byVerified: true } },
        ],
      },
    });
    expect(await request('alarms/ack', { alarms: [door] })).toMatchObject({
      data: { acknowledged: [], already: [{ alarm: door, by: 'console-desk', byVerified: true }] },
    });
  });
});
