import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEpc } from '../../src/core/epc.js';
import { encodeSensorLine } from '../../src/protocols/lines/encode.js';
import { pn532Driver } from '../../src/protocols/pn532/driver.js';
import { r2000Driver } from '../../src/protocols/r2000/driver.js';
import { sgtin96 } from '../../src/shared/sgtin.js';
import { CliProcess } from '../helpers/cli.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { PtyDevice } from '../helpers/pty-device.js';

const COLA_A = sgtin96({ itemReference: 812345, serial: 1 });
const COLA_C = sgtin96({ itemReference: 812345, serial: 2 });
const WATER_B = sgtin96({ itemReference: 812346, serial: 1 });
/** A 7-byte NTAG215 UID (NXP's manufacturer byte 04 first), as a phone sticker or a keyring carries. */
const NTAG = '04A224B2C45E80';
/** A 4-byte MIFARE Classic 1K UID, as most store cards carry. */
const MIFARE = '5A1C3E07';
/** A card nobody put on the customer list. */
const STRANGER = '9F3B2A61';
/** A phone emulating a card: ISO/IEC 14443-3 random id (4 bytes, first byte 08). */
const PHONE = '08C4D2E1';
const GATEWAY = 'nfc-fridge';

/**
 * A fridge as a store builds it from readers it already owns, on real pseudo-terminals:
 * `rfid-gateway run` polls an Impinj R2000 module that reads the items on the shelves, a PN532 NFC
 * reader at the door that reads customers' cards and phones (UIDs of 4 and 7 bytes), and a `lines`
 * controller that reports the door and drives the lock. Both readers are played in this process by
 * their drivers' own simulators, answering whatever the gateway sends them.
 */
describe('an NFC fridge (PN532 card reader, R2000 items) over real ptys', () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  async function startFridge(
    options: { mqttUrl?: string; settleMaxMs?: number; openTimeoutMs?: number } = {},
  ) {
    const pair = async (): Promise<PtyPair> => {
      const pty = await createPtyPair();
      cleanup.push(() => pty.close());
      return pty;
    };
    const [uhf, nfc, io] = [await pair(), await pair(), await pair()];
    const items = new PtyDevice(uhf, () => r2000Driver.createSimulator());
    const cards = new PtyDevice(nfc, () => pn532Driver.createSimulator());
    cleanup.push(
      () => items.stop(),
      () => cards.stop(),
    );
    items.field = [COLA_A, COLA_C, WATER_B];
    const dir = mkdtempSync(join(tmpdir(), 'rfid-nfc-fridge-'));
    const gtin = (tag: string) => decodeEpc(tag)?.gtin as string;
    writeFileSync(
      join(dir, 'catalog.csv'),
      [
        'sku,gtin,name,price,currency,category',
        `COLA-033,${gtin(COLA_A)},Cola 0.33 l,2.50,EUR,drinks`,
        `WATER-05,${gtin(WATER_B)},Water 0.5 l,1.80,EUR,drinks`,
      ].join('\n'),
    );
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: GATEWAY,
        dataDir: join(dir, 'data'),
        logLevel: 'warn',
        catalogFile: 'catalog.csv',
        readers: [
          { id: 'fridge', driver: 'r2000', port: uhf.b, zone: 'fridge', settings: { readPowerDbm: 20 } },
          { id: 'nfc', driver: 'pn532', port: nfc.b, zone: 'entrance' },
        ],
        sensors: [{ id: 'io', driver: 'lines', port: io.b, zone: 'fridge' }],
        actuators: [{ id: 'lock', driver: 'lines', device: 'io', channel: 'lock', safeState: 'closed' }],
        // A card taken away from the PN532 departs 1.5 s after its last poll answer: longer than a
        // poll and its bounded wait (250 + 1000 ms), so a card lying on the reader never departs.
        zones: [{ id: 'entrance', departAfterMs: 1500 }],
        cabinets: [
          {
            id: 'fridge-1',
            zone: 'fridge',
            cardReader: 'nfc',
            door: { sensor: 'io' },
            lock: 'lock',
            currency: 'EUR',
            settle: { maxMs: options.settleMaxMs ?? 10_000 },
            ...(options.openTimeoutMs ? { openTimeoutMs: options.openTimeoutMs } : {}),
          },
        ],
        customers: [
          { card: NTAG, reference: 'cust-ntag' },
          { card: MIFARE, reference: 'cust-mifare' },
        ],
        ...(options.mqttUrl ? { mqtt: { url: options.mqttUrl } } : {}),
      }),
    );
    // Customers and cards in plain text on stdout, whatever the environment of the test runner.
    const gateway = new CliProcess(['run', '--config', config], { JOURNAL_STREAM: undefined });
    cleanup.push(() => gateway.stop('SIGKILL'));
    const door = (value: 'open' | 'closed') => io.writeA(encodeSensorLine({ door: value }));
    const count = (type: string) => gateway.events().filter((e) => e.type === type).length;
    /** A card held to the PN532 until its session starts, then taken away (departed). */
    const holdCard = async (uid: string) => {
      const starts = count('purchase.started');
      cards.field = [uid];
      await gateway.waitForEvent(
        (e) => e.type === 'purchase.started' && count('purchase.started') > starts,
        `a session for card ${uid}`,
      );
      await takeCardAway(uid);
    };
    const takeCardAway = async (uid: string) => {
      const departed = gateway
        .events()
        .filter((e) => e.type === 'tag.departed' && e.reader === 'nfc' && e.tag === uid).length;
      cards.field = [];
      const deadline = Date.now() + 10_000;
      while (
        gateway.events().filter((e) => e.type === 'tag.departed' && e.reader === 'nfc' && e.tag === uid)
          .length === departed
      ) {
        if (Date.now() > deadline) throw new Error(`card ${uid} never departed:\n${gateway.stderr}`);
        await pause(50);
      }
    };
    /** The door open, `take()` done by the customer's hands, the door closed. */
    const shop = async (take: () => void) => {
      door('open');
      await pause(800);
      take();
      await pause(800);
      door('closed');
    };
    await gateway.waitForEvent(
      (e) => e.type === 'reader.status' && e.reader === 'fridge' && e.state === 'online',
      'the R2000 online',
    );
    await gateway.waitForEvent(
      (e) => e.type === 'reader.status' && e.reader === 'nfc' && e.state === 'online',
      'the PN532 online',
    );
    door('closed');
    return { items, cards, gateway, holdCard, takeCardAway, shop, count };
  }

  it('charges exactly the item taken to the holder of the NFC card, on the broker too', async () => {
    const broker = await startMosquitto();
    const sub = await MqttCollector.start(broker.url, `rfid/${GATEWAY}/#`);
    cleanup.push(() => sub.close());
    const { items, gateway, holdCard, shop } = await startFridge({ mqttUrl: broker.url });
    // Rounds enough for every item's read history (20 rounds of 250 ms by default) before a door opens.
    await pause(7000);

    await holdCard(NTAG);
    const started = gateway.events().find((e) => e.type === 'purchase.started');
    expect(started).toMatchObject({ cabinet: 'fridge-1', customer: 'cust-ntag', via: 'card' });
    // The card's UID is the tag of the card reader's reads: 7 bytes, upper-case hex, no EPC.
    const card = gateway.events().find((e) => e.type === 'tag.arrived' && e.reader === 'nfc');
    expect(card).toMatchObject({ tag: NTAG, zone: 'entrance' });
    expect(card).not.toHaveProperty('epc');
    await shop(() => {
      items.field = [COLA_A, COLA_C];
    });
    const water = await gateway.waitForEvent((e) => e.type === 'purchase.completed', 'the water charged');
    // By hand from the catalog: one Water 0.5 l at EUR 1.80 = 180 cents.
    expect(water).toMatchObject({
      session: started?.session,
      cabinet: 'fridge-1',
      customer: 'cust-ntag',
      total: 180,
      currency: 'EUR',
      confidence: 'certain',
      returned: [],
      foreign: [],
    });
    expect(water.items).toEqual([
      expect.objectContaining({
        tag: WATER_B,
        sku: 'WATER-05',
        name: 'Water 0.5 l',
        unitPrice: 180,
        currency: 'EUR',
      }),
    ]);

    // The next customer's 4-byte MIFARE card; a cola leaves.
    await pause(1500);
    await holdCard(MIFARE);
    await shop(() => {
      items.field = [COLA_A];
    });
    const cola = await gateway.waitForEvent(
      (e) => e.type === 'purchase.completed' && e.customer === 'cust-mifare',
      'the cola charged',
    );
    expect(cola).toMatchObject({ total: 250, currency: 'EUR', confidence: 'certain' });
    expect(cola.items).toEqual([
      expect.objectContaining({ tag: COLA_C, sku: 'COLA-033', unitPrice: 250, currency: 'EUR' }),
    ]);
    expect(gateway.events().filter((e) => e.type === 'purchase.cancelled')).toEqual([]);

    // Each purchase event on its DESIGN topic <base>/events/<type with dots as slashes>, QoS 1, not
    // retained, the same envelope as printed (customer and card included: MQTT is for the payment side).
    const onTopic = (type: string) =>
      sub.messages.filter((m) => m.topic === `rfid/${GATEWAY}/events/${type.replaceAll('.', '/')}`);
    await sub.waitFor(() => onTopic('purchase.completed').length >= 2, 'both purchases on the broker');
    for (const message of [...onTopic('purchase.started'), ...onTopic('purchase.completed')]) {
      expect([message.qos, message.retain]).toEqual([1, false]);
    }
    const printed = (type: string) => gateway.events().filter((e) => e.type === type);
    expect(onTopic('purchase.started').map((m) => JSON.parse(m.payload))).toEqual(
      printed('purchase.started'),
    );
    expect(onTopic('purchase.completed').map((m) => JSON.parse(m.payload))).toEqual([water, cola]);
    const envelope = JSON.parse(onTopic('purchase.completed')[0]?.payload ?? '{}') as Record<string, unknown>;
    expect(envelope).toMatchObject({ gateway: GATEWAY, type: 'purchase.completed' });
    expect(envelope.id).toEqual(expect.any(String));
    expect(Number.isInteger(envelope.seq)).toBe(true);
    expect(envelope.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const cardOnBroker = onTopic('tag.arrived').map((m) => JSON.parse(m.payload) as Record<string, unknown>);
    expect(cardOnBroker.filter((e) => e.reader === 'nfc').map((e) => e.tag)).toEqual([NTAG, MIFARE]);
    expect(gateway.stderr).not.toMatch(/"level":50/);
  }, 90_000);

  it('refuses a card that is not on the customer list, and opens for one that is', async () => {
    const { gateway, cards, holdCard, takeCardAway, count } = await startFridge();
    cards.field = [STRANGER];
    const refused = await gateway.waitForEvent((e) => e.type === 'purchase.refused', 'the refusal');
    // As for a badge read by an EM4100 reader: the cabinet, why, and the card as read.
    expect(refused).toMatchObject({ cabinet: 'fridge-1', reason: 'unknown_card', card: STRANGER });
    expect(count('purchase.started')).toBe(0);
    expect(
      gateway
        .events()
        .filter((e) => e.type === 'actuator.changed' && e.actuator === 'lock' && e.value === 'open'),
    ).toEqual([]);
    await takeCardAway(STRANGER);

    // A phone: a 4-byte random id (from 08), new at every tap, refused as such.
    cards.field = [PHONE];
    await gateway.waitForEvent(
      (e) => e.type === 'purchase.refused' && e.reason === 'random_card_id' && e.card === PHONE,
      "the phone's refusal",
    );
    await takeCardAway(PHONE);

    await holdCard(NTAG);
    expect(gateway.events().find((e) => e.type === 'purchase.started')).toMatchObject({
      customer: 'cust-ntag',
      via: 'card',
    });
    await gateway.waitForEvent(
      (e) => e.type === 'actuator.changed' && e.actuator === 'lock' && e.value === 'open',
      'the lock opened',
    );
    expect(count('purchase.refused')).toBe(2);
  }, 60_000);

  it('opens once for a card left lying on the reader, however long it lies there', async () => {
    const { gateway, cards, count } = await startFridge({ openTimeoutMs: 1000 });
    cards.field = [MIFARE];
    await gateway.waitForEvent(
      (e) => e.type === 'purchase.cancelled' && e.reason === 'door_not_opened',
      'the session cancelled, the door never opened',
    );
    // Polls go on answering with the card; longer than its zone's departures: it never left.
    await pause(3000);
    expect(count('purchase.started')).toBe(1);
    expect(count('purchase.refused')).toBe(0);
    expect(gateway.events().filter((e) => e.reader === 'nfc' && String(e.type).startsWith('tag.'))).toEqual([
      expect.objectContaining({ type: 'tag.arrived', tag: MIFARE }),
    ]);
  }, 60_000);

  it('leaves a session uncertain, charging nothing, when the R2000 hangs while the door is open', async () => {
    const { items, gateway, holdCard, shop } = await startFridge({ settleMaxMs: 4000 });
    await pause(7000);
    const departedBefore = gateway
      .events()
      .filter((e) => e.type === 'tag.departed' && e.zone === 'fridge').length;

    await holdCard(MIFARE);
    // The module hangs with its port open (answers nothing) while the customer takes the water.
    await shop(() => {
      items.hung = true;
      items.field = [COLA_A, COLA_C];
    });
    const uncertain = await gateway.waitForEvent(
      (e) => e.type === 'purchase.cancelled' && e.confidence === 'uncertain',
      'the session on a hung reader',
    );
    expect(uncertain).toMatchObject({ cabinet: 'fridge-1', customer: 'cust-mifare', reason: 'uncertain' });
    // The reader's stall is a fault of the session (purchases/cabinet.ts onReaderStatus): whatever the
    // reads say, it is reported for review, not charged.
    expect(
      (uncertain.reasons as string[]).some((reason) => reason.startsWith('reader_stalled: fridge')),
    ).toBe(true);
    expect(gateway.events().filter((e) => e.type === 'purchase.completed')).toEqual([]);
    const stalled = gateway
      .events()
      .find((e) => e.type === 'reader.status' && e.reader === 'fridge' && e.state === 'stalled');
    expect(Number(stalled?.seq)).toBeLessThan(Number(uncertain.seq));
    // Silence is not evidence: no item of the fridge departed, not even the water taken meanwhile.
    expect(
      gateway
        .events()
        .filter((e) => e.type === 'tag.departed' && e.zone === 'fridge')
        .slice(departedBefore),
    ).toEqual([]);

    items.hung = false;
    await gateway.waitForEvent(
      (e) =>
        e.type === 'reader.status' &&
        e.reader === 'fridge' &&
        e.state === 'online' &&
        Number(e.seq) > Number(uncertain.seq),
      'the R2000 online again',
    );
  }, 60_000);
});
