/**
 * The outbox path of EPCIS: an `epcis.event` is journalled like every event (a `seq`, durable) and
 * published on `<base>/epcis` as its EPCIS document alone, as DESIGN's topic table says; every other
 * type keeps its topic and its payload (the envelope). Unit level (topics, the publisher with a fake
 * client), then a replay of the demo fridge through a real Mosquitto.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engineChecks } from '../../src/app/config-checks.js';
import { replayCapture } from '../../src/app/replay.js';
import { epcisSchema } from '../../src/config/integrations.js';
import { loadConfigFile } from '../../src/config/load.js';
import { mqttSchema } from '../../src/config/mqtt.js';
import { epcisDocument, objectsOf, saleEvent } from '../../src/integrations/epcis/index.js';
import { createTopics, EPCIS_EVENT_TYPE, eventPayload } from '../../src/mqtt/topics.js';
import { silentLogger } from '../../src/observability/logger.js';
import { EVENT_TYPES, type GatewayEvent } from '../../src/shared/events.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';
import { setup } from '../kits/mqtt/publisher.js';
import { expectValidDocument } from './epcis-schema.js';

const DOCUMENT = epcisDocument(
  [
    saleEvent(
      objectsOf([{ tag: '3034257BF7194F4000000005', uri: 'urn:epc:id:sgtin:0614141.812349.5' }]),
      {
        atMs: Date.parse('2026-11-22T10:00:46.750Z'),
        timeZoneOffset: '+00:00',
        eventID: 'urn:uuid:6f0f3c1e-8a4b-5d2e-9c3f-1a2b3c4d5e6f',
      },
      {},
    ),
  ],
  Date.parse('2026-11-22T10:00:46.750Z'),
);

function epcisEnvelope(seq: number, document: unknown = DOCUMENT): GatewayEvent {
  return {
    id: `epcis-${seq}`,
    seq,
    ts: '2026-11-22T10:00:46.750Z',
    gateway: 'gw1',
    type: 'epcis.event',
    kind: 'sale',
    zone: 'fridge',
    source: 'purchase-1',
    document,
  } as GatewayEvent;
}

describe('the <base>/epcis topic', () => {
  const topics = createTopics('rfid', 'gw1');

  it('is where epcis.event goes; every other type keeps <base>/events/<type with slashes>', () => {
    expect(EPCIS_EVENT_TYPE).toBe('epcis.event');
    expect(topics.epcis).toBe('rfid/gw1/epcis');
    expect(topics.event('epcis.event')).toBe('rfid/gw1/epcis');
    const others = EVENT_TYPES.filter((type) => type !== 'epcis.event');
    expect(others.map((type) => topics.event(type))).toEqual(
      others.map((type) => `rfid/gw1/events/${type.split('.').join('/')}`),
    );
    expect(topics.event('tag.arrived')).toBe('rfid/gw1/events/tag/arrived');
    expect(topics.event('purchase.completed')).toBe('rfid/gw1/events/purchase/completed');
  });

  it('carries the EPCIS document alone; other payloads are the envelope, unchanged', () => {
    const envelope = JSON.stringify(epcisEnvelope(7));
    expect(JSON.parse(eventPayload('epcis.event', envelope))).toEqual(DOCUMENT);
    const arrived = '{"id":"a","seq":1,"type":"tag.arrived","document":{"x":1}}';
    expect(eventPayload('tag.arrived', arrived)).toBe(arrived);
    expect(() =>
      eventPayload('epcis.event', JSON.stringify({ ...epcisEnvelope(8), document: undefined })),
    ).toThrow(/no document/);
  });
});

describe('the outbox publisher and epcis.event', () => {
  it('publishes the document on <base>/epcis in seq order with the others, and dead-letters one without a document', () => {
    const { outbox, client, publisher } = setup();
    outbox.add(1, 'sensor.changed');
    outbox.append(epcisEnvelope(2));
    outbox.append(epcisEnvelope(3, null));
    outbox.commit();
    outbox.add(1, 'sensor.changed');
    publisher.start();
    client.connect();
    const sent = client.events();
    expect(sent.map((entry) => entry.topic)).toEqual([
      'rfid/gw1/events/sensor/changed',
      'rfid/gw1/epcis',
      'rfid/gw1/events/sensor/changed',
    ]);
    expect(JSON.parse(sent[1]?.payload ?? '')).toEqual(DOCUMENT);
    expect(JSON.parse(sent[0]?.payload ?? '')).toMatchObject({ seq: 1, type: 'sensor.changed' });
    expect(outbox.deadLetters.get(3)).toMatch(
      /no payload for type "epcis.event": the epcis.event has no document/,
    );
    client.ackAll();
    expect(publisher.stats()).toMatchObject({ published: 3, deadLettered: 1 });
    publisher.stop();
  });
});

describe('EPCIS through the outbox to a real Mosquitto', () => {
  const CAPTURE = fileURLToPath(new URL('../../hardware/captures/fridge-demo.jsonl', import.meta.url));
  const CONFIG = fileURLToPath(new URL('../../config/demo.json', import.meta.url));
  const FRIDGE = 'urn:epc:id:sgln:0614141.00777.0';

  it('publishes the two sales of the demo fridge on rfid/replay/epcis as valid EPCIS documents', async () => {
    const broker = await startMosquitto();
    const dataDir = mkdtempSync(join(tmpdir(), 'rfid-epcis-mqtt-'));
    const collector = await MqttCollector.start(broker.url, 'rfid/replay/#');
    try {
      const config = {
        ...loadConfigFile(CONFIG, engineChecks),
        epcis: epcisSchema.parse({ locations: { fridge: FRIDGE } }),
      };
      const result = await replayCapture({
        file: CAPTURE,
        config,
        gatewayId: 'replay',
        speed: 0,
        logger: silentLogger(),
        mqtt: mqttSchema.parse({ url: broker.url }),
        dataDir,
        drainMs: 15_000,
      });
      expect(result.drained).toBe(true);
      await collector.waitFor(
        (messages) => messages.filter((message) => message.topic === 'rfid/replay/epcis').length >= 2,
        'two EPCIS documents',
      );
      // The purchases come before their sales (seq order, one connection): both are in by now.
      const epcisMessages = collector.messages.filter((message) => message.topic === 'rfid/replay/epcis');
      expect(epcisMessages.map((message) => message.retain)).toEqual([false, false]);
      const documents = epcisMessages.map((message) => JSON.parse(message.payload) as typeof DOCUMENT);
      for (const document of documents) expectValidDocument(document);
      // The scenario (test/cli/replay-fridge.test.ts): Ana takes a cola and an orange juice, Ben a
      // sandwich; Dan nothing, and Carla's session is uncertain (not a sale).
      expect(
        documents.map((document) => {
          const [event, ...more] = document.epcisBody.eventList;
          return {
            more: more.length,
            creationDate: document.creationDate,
            eventTime: event?.eventTime,
            action: event?.action,
            bizStep: event?.bizStep,
            disposition: event?.disposition,
            epcList: [...(event?.epcList ?? [])].sort(),
            readPoint: event?.readPoint,
            bizLocation: event?.bizLocation,
          };
        }),
      ).toEqual([
        {
          more: 0,
          creationDate: '2026-11-22T10:00:25.250Z',
          eventTime: '2026-11-22T10:00:25.250Z',
          action: 'OBSERVE',
          bizStep: 'retail_selling',
          disposition: 'retail_sold',
          epcList: ['urn:epc:id:sgtin:0614141.812345.6790', 'urn:epc:id:sgtin:0614141.812347.2002'],
          readPoint: { id: FRIDGE },
          bizLocation: { id: FRIDGE },
        },
        {
          more: 0,
          creationDate: '2026-11-22T10:00:46.250Z',
          eventTime: '2026-11-22T10:00:46.250Z',
          action: 'OBSERVE',
          bizStep: 'retail_selling',
          disposition: 'retail_sold',
          epcList: ['urn:epc:id:sgtin:0614141.812349.5'],
          readPoint: { id: FRIDGE },
          bizLocation: { id: FRIDGE },
        },
      ]);
      // Nothing EPCIS under events/, and the purchases still there, as envelopes: Dan's too (it comes
      // after both sales, so it is waited for), who took nothing and so sold nothing.
      await collector.waitFor(
        (messages) =>
          messages.filter((message) => message.topic === 'rfid/replay/events/purchase/completed').length >= 3,
        'three purchases',
      );
      expect(collector.messages.filter((message) => message.topic.includes('/events/epcis'))).toEqual([]);
      const purchases = collector.messages
        .filter((message) => message.topic === 'rfid/replay/events/purchase/completed')
        .map((message) => JSON.parse(message.payload) as GatewayEvent);
      expect(
        purchases.map((event) => [
          event.type,
          event.gateway,
          event.type === 'purchase.completed' && event.total,
        ]),
      ).toEqual([
        ['purchase.completed', 'replay', 470],
        ['purchase.completed', 'replay', 450],
        ['purchase.completed', 'replay', 0],
      ]);
    } finally {
      await collector.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
