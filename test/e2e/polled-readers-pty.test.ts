import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { driverNamed } from '../../src/protocols/index.js';
import { CliProcess } from '../helpers/cli.js';
import { createPtyPair } from '../helpers/pty.js';
import { PtyDevice } from '../helpers/pty-device.js';

const EPC_A = '3034257BF7194E4000000001';
const EPC_B = '3034257BF7194E4000000002';
/** Two MIFARE Classic UIDs: a PN532 polled for one target reports one card at a time. */
const UID_A = '04A1B2C3';
const UID_B = 'DEADBEEF';

interface Family {
  driver: 'r2000' | 'chafon' | 'pn532';
  /** Short polls, and short waits for them, so that a hung reader shows within a second or two. */
  settings: Record<string, unknown>;
  /** Longer than the reader's stall threshold, as a store would set it: its tags are held first. */
  departAfterMs: number;
  /** What is in the field at first, and after one of them was taken away while it was hung. */
  before: string[];
  after: string[];
  /** Whether its tags are goods, held while the reader is silent. */
  uhf: boolean;
}

const FAMILIES: Family[] = [
  {
    driver: 'r2000',
    settings: { pollIntervalMs: 100 },
    departAfterMs: 2000,
    before: [EPC_A, EPC_B],
    after: [EPC_A],
    uhf: true,
  },
  {
    driver: 'chafon',
    settings: { mode: 'answer', scanTimeMs: 300, pollIntervalMs: 100 },
    departAfterMs: 1500,
    before: [EPC_A, EPC_B],
    after: [EPC_A],
    uhf: true,
  },
  {
    // One card held to it, then swapped for another while it was hung.
    driver: 'pn532',
    settings: { pollIntervalMs: 100 },
    departAfterMs: 2000,
    before: [UID_A],
    after: [UID_B],
    uhf: false,
  },
];

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `rfid-gateway run` against each polled reader family played by its own simulator on a real pty
 * (socat): the reader answers its start-up and polls from its field, hangs with the port open, is
 * unplugged, and plugged in again powered off (a PN532 asleep until woken). Silence is never taken
 * for tags that left.
 */
describe('polled readers on a real pty', () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it.each(FAMILIES)(
    '$driver: reads, is stalled while hung and offline while unplugged, and only what was taken departs',
    async (family) => {
      const pty = await createPtyPair();
      cleanup.push(() => pty.close());
      const driver = driverNamed(family.driver);
      const device = new PtyDevice(pty, () => driver.createSimulator());
      cleanup.push(() => device.stop());
      device.field = family.before;
      const dir = mkdtempSync(join(tmpdir(), `rfid-${family.driver}-`));
      const config = join(dir, 'gateway.json');
      writeFileSync(
        config,
        JSON.stringify({
          gatewayId: 'polled',
          dataDir: join(dir, 'data'),
          logLevel: 'warn',
          readers: [
            {
              id: 'reader',
              driver: family.driver,
              port: pty.b,
              zone: 'shelf',
              settings: family.settings,
              reconnect: { initialMs: 100, maxMs: 500, stableAfterMs: 1000 },
            },
          ],
          zones: [{ id: 'shelf', departAfterMs: family.departAfterMs }],
        }),
      );
      const gateway = new CliProcess(['run', '--config', config]);
      cleanup.push(() => gateway.stop('SIGKILL'));
      const statuses = () =>
        gateway.events().flatMap((event) => (event.type === 'reader.status' ? [String(event.state)] : []));
      const departed = () =>
        gateway.events().flatMap((event) => (event.type === 'tag.departed' ? [String(event.tag)] : []));
      const arrivals = (tag: string) =>
        gateway.events().filter((event) => event.type === 'tag.arrived' && event.tag === tag);
      const statusAfter = (state: string, from: number, what: string) =>
        gateway.waitForEvent(
          (e) => e.type === 'reader.status' && e.state === state && (e.seq as number) > from,
          what,
        );

      const online = await statusAfter('online', 0, 'online');
      for (const tag of family.before) {
        const arrived = await gateway.waitForEvent(
          (e) => e.type === 'tag.arrived' && e.tag === tag,
          `${tag} arrived`,
        );
        expect(arrived).toMatchObject({ reader: 'reader', zone: 'shelf' });
      }

      // Hung with its port open: polls go unanswered, it is stalled, and (goods) nothing departs
      // however long it stays silent.
      device.hung = true;
      const stalled = await statusAfter('stalled', online.seq as number, 'stalled while hung');
      await settle(3 * family.departAfterMs);
      if (family.uhf) expect(departed()).toEqual([]);
      expect(statuses().at(-1)).not.toBe('online');

      // Answering again, with one tag taken away meanwhile: online, and only that one departs.
      device.field = family.after;
      device.hung = false;
      const back = await statusAfter('online', stalled.seq as number, 'online after the hang');
      const taken = family.before.filter((tag) => !family.after.includes(tag));
      for (const tag of taken) {
        await gateway.waitForEvent((e) => e.type === 'tag.departed' && e.tag === tag, `${tag} departed`);
      }
      for (const tag of family.after.filter((tag) => !family.before.includes(tag))) {
        await gateway.waitForEvent((e) => e.type === 'tag.arrived' && e.tag === tag, `${tag} arrived`);
      }
      await settle(family.departAfterMs * 1.5);
      expect(departed()).toEqual(taken);

      // Unplugged: offline. Plugged in again, powered afresh (a PN532 asleep until the start-up
      // wakes it) and still booting for longer than the hold-off: never online, nothing departs.
      await pty.kill();
      const offline = await statusAfter('offline', back.seq as number, 'offline after the unplug');
      device.powerCycle();
      device.booting = true;
      await pty.restart();
      await settle(2 * family.departAfterMs);
      expect(
        gateway
          .events()
          .filter(
            (e) =>
              e.type === 'reader.status' &&
              e.state === 'online' &&
              (e.seq as number) > (offline.seq as number),
          ),
      ).toEqual([]);
      if (family.uhf) expect(departed()).toEqual(taken);
      // Booted: its start-up is answered, and what stayed in the field was there all along.
      device.booting = false;
      await statusAfter('online', offline.seq as number, 'online after the replug');
      await settle(family.departAfterMs * 1.5);
      expect(statuses().at(-1)).toBe('online');
      expect(departed()).toEqual(taken);
      for (const tag of family.after) expect(arrivals(tag)).toHaveLength(1);
      expect(await gateway.stop('SIGTERM')).toBe(0);
    },
    90_000,
  );
});
