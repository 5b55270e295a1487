import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { thingmagicDriver } from '../../src/protocols/thingmagic/index.js';
import { VirtualClock } from '../../src/shared/clock.js';
import { FakePort } from '../helpers/fake-port.js';
import { COLA, colaTag, JUICE, juiceTag } from '../kits/domain/engagement-rig.js';
import { type ShelfGateway, startGateway } from './harness.js';
import { ROUND_MS, SHELF_PORT } from './shelf-capture.js';

/**
 * A shelf of 2,400 items and a `readers/restart` (the reader's port closes and reopens: `offline`,
 * then `online`) while 20 items are taken, and 5 taken an ordinary way before it.
 *
 * When the reader comes back, the core releases its held tags: an item not read again departs a
 * hold-off after the release, and when it left is unknown (during the restart, or after), so it is
 * no pick-up. On a real machine the listeners of that `online` event run one after the other, each
 * some milliseconds after the one before, more so with thousands of tags; `BusyClock` plays that on
 * the virtual clock: while the event is handled, each reading of the clock is a millisecond later.
 * Whatever the millisecond each handler runs at, the funnel must count exactly the 5 real pick-ups.
 */

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const DAY = '2026-11-22';
const SHELF = 2_400;
const HOLD_OFF_MS = 3000;
const TAKEN_BEFORE_MS = 5000;
const RESTART_AT_MS = 10_000;
const BACK_AT_MS = 10_500;
const END_MS = 20_000;

/** Virtual time on a busy machine: while `busy`, every reading of the clock is 1 ms after the last. */
class BusyClock extends VirtualClock {
  private lagMs = 0;
  private busy = false;

  override now(): number {
    if (!this.busy) return super.now();
    this.lagMs += 1;
    return super.now() + this.lagMs;
  }

  /** Runs `work` as a busy machine would, then lets the time it took pass. */
  busyWhile(work: () => void): void {
    this.busy = true;
    try {
      work();
    } finally {
      this.busy = false;
      const spent = this.lagMs;
      this.lagMs = 0;
      this.advanceTo(super.now() + spent);
    }
  }
}

const config = configSchema.parse({
  gatewayId: 'shelf-gw',
  readers: [{ id: SHELF_PORT, driver: 'thingmagic', port: 'replay:shelf', antennaZones: { '1': 'shelf' } }],
  zones: [{ id: 'shelf', departAfterMs: HOLD_OFF_MS }],
  core: { capacity: 4096 },
  engagement: { zones: ['shelf'], putBackWithinMs: 60_000, timeZone: 'Europe/Berlin' },
});

const items = Array.from({ length: SHELF }, (_, index) =>
  index % 2 === 0 ? colaTag(index + 1) : juiceTag(index + 1),
);
const takenBefore = new Set(items.slice(0, 5));
const takenDuringRestart = new Set(items.slice(100, 120));

const gateways: ShelfGateway[] = [];
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.controller.stop();
});

describe('engagement across a reader restart with thousands of tags on the shelf', () => {
  it('counts no pick-up for what left unseen while the reader restarted, whichever millisecond each handler runs', async () => {
    const clock = new BusyClock(T0);
    // The reader's port: `readers/restart` closes it (`stopped`) and opens it again.
    const port = new FakePort(SHELF_PORT);
    const gateway = await startGateway({
      config,
      startMs: T0,
      dataDir: ':memory:',
      products: [COLA, JUICE],
      clock,
      ports: new Map([[SHELF_PORT, port]]),
    });
    gateways.push(gateway);
    const simulator = thingmagicDriver.createSimulator();
    for (const step of thingmagicDriver.startup({})) simulator.answer(step.bytes);
    const onShelf = (tag: string, atMs: number) =>
      !(takenBefore.has(tag) && atMs >= TAKEN_BEFORE_MS) &&
      !(takenDuringRestart.has(tag) && atMs >= RESTART_AT_MS);
    const status = (state: 'offline' | 'online') =>
      state === 'offline' ? port.unplug('stopped') : port.plugIn();

    for (let at = 1000; at < END_MS; at += ROUND_MS) {
      if (at > RESTART_AT_MS && at - ROUND_MS <= RESTART_AT_MS) {
        clock.advanceTo(T0 + RESTART_AT_MS);
        status('offline');
      }
      if (at > BACK_AT_MS && at - ROUND_MS <= BACK_AT_MS) {
        clock.advanceTo(T0 + BACK_AT_MS);
        clock.busyWhile(() => status('online'));
      }
      clock.advanceTo(T0 + at);
      // The port is closed for the restart: nothing is read.
      if (at >= RESTART_AT_MS && at < BACK_AT_MS) continue;
      const frames = items
        .filter((tag) => onShelf(tag, at))
        .map((tag) => simulator.tagFrame(Uint8Array.from(Buffer.from(tag, 'hex')), 1, -52));
      port.data(Buffer.concat(frames.map((frame) => frame ?? new Uint8Array())));
    }

    const departed = gateway.events.filter((event) => event.type === 'tag.departed');
    expect(departed).toHaveLength(takenBefore.size + takenDuringRestart.size);
    const pickedUp = gateway.events.filter((event) => event.type === 'product.pickedUp');
    expect(pickedUp.map((event) => event.tag).sort()).toEqual([...takenBefore].sort());
    expect(gateway.engagement().stats).toMatchObject({
      pickedUp: takenBefore.size,
      leftWhileOffline: takenDuringRestart.size,
    });
    const answer = await gateway.request('engagement/get', { from: DAY, to: DAY });
    expect(answer).toMatchObject({ ok: true, data: { totals: { pickedUp: takenBefore.size } } });
    // The core said which departures were held: exactly the items taken during the restart.
    const held = departed.filter((event) => event.type === 'tag.departed' && event.held === true);
    expect(held.map((event) => (event.type === 'tag.departed' ? event.tag : '')).sort()).toEqual(
      [...takenDuringRestart].sort(),
    );
  }, 60_000);
});
