import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayConfigInput } from '../../src/config/schema.js';
import type { MetricsPayload } from '../../src/shared/payloads.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';
import { HttpRig, settle } from './http-rig.js';

const A = '3074257BF7194E4000001A85';
const B = '3074257BF7194E4000001A86';
const BADGE = '0500207B32';

/**
 * `<base>/metrics` (retained, QoS 0, every `metricsIntervalMs`) and `/metrics` (Prometheus) are two renderings
 * of the same figures: the payload keeps its layout (a contract: DESIGN.md, MQTT topics), and where
 * both say the same thing they say the same number.
 */
describe('<base>/metrics and /metrics (real Mosquitto, real HTTP)', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('publish the same figures, the retained payload in its documented layout', async () => {
    const broker = await startMosquitto();
    const input: GatewayConfigInput = {
      gatewayId: 'gw-figures',
      readers: [
        { id: 'shelf', driver: 'thingmagic', port: 'replay:none', antennaZones: { '2': 'shelf-top' } },
        { id: 'badge', driver: 'em4100-ascii', port: 'replay:none', zone: 'entrance' },
      ],
      mqtt: { url: broker.url, metricsIntervalMs: 1000 },
      http: {},
    };
    const sub = await MqttCollector.start(broker.url, 'rfid/gw-figures/metrics');
    cleanup.push(() => sub.close());
    const rig = await HttpRig.start(input);
    cleanup.push(() => rig.dispose());
    const payloads = () => sub.messages.map((message) => JSON.parse(message.payload) as MetricsPayload);

    rig.advance(1000);
    await sub.waitFor((messages) => messages.length >= 1, 'the first metrics');
    // Two rounds: A on antenna 1, B on antenna 2; a badge (antenna 0: the reader does not say), then
    // the same frame with a wrong checksum.
    for (let round = 0; round < 2; round++)
      rig.tagReads('shelf', [
        [A, 1],
        [B, 2],
      ]);
    const bad = rig.card('badge', BADGE).slice();
    bad[12] = bad[12] === 0x30 ? 0x31 : 0x30;
    rig.port('badge').data(bad);
    await settle();
    rig.advance(1000);
    await sub.waitFor((messages) => messages.length >= 2, 'the second metrics');

    // Replaced every interval, so sent at most once: no acknowledgement to wake the gateway for.
    expect(sub.messages.map((message) => message.qos)).toEqual(sub.messages.map(() => 0));
    const [first, second] = payloads();
    expect(first?.readers.shelf?.readsPerSec).toBe(0);
    if (!second) throw new Error('no second metrics');
    expect(Object.keys(second).sort()).toEqual(
      [
        'broker',
        'bus',
        'core',
        'eventLoopLagMs',
        'eventLoopUtilization',
        'faults',
        'memory',
        'outbox',
        'readers',
        'store',
        'ts',
        'uptimeSec',
      ].sort(),
    );
    expect(second.ts).toBe(new Date(rig.clock.now()).toISOString());
    expect(second.uptimeSec).toBe(2);
    expect(second.readers).toEqual({
      shelf: {
        state: 'online',
        reads: 4,
        readsPerSec: 4,
        antennas: { '1': 2, '2': 2 },
        frames: 4,
        decodeErrors: 0,
        droppedBytes: 0,
        stalls: 0,
        faults: 0,
        missedPolls: 0,
      },
      badge: {
        state: 'online',
        reads: 1,
        readsPerSec: 1,
        antennas: { '0': 1 },
        frames: 1,
        decodeErrors: 1,
        droppedBytes: 16,
        stalls: 0,
        faults: 0,
        missedPolls: 0,
      },
    });
    expect(Object.keys(second.core).sort()).toEqual(
      [
        'accepted',
        'belowFloor',
        'filtered',
        'ignoredCached',
        'overflowDrops',
        'reads',
        'tooLong',
        'tracked',
      ].sort(),
    );
    expect(second.core).toMatchObject({ reads: 5, accepted: 5, tracked: 3 });
    expect(second.outbox).toEqual({
      depth: expect.any(Number),
      bytes: expect.any(Number),
      oldestAgeMs: second.outbox?.depth === 0 ? null : expect.any(Number),
      dropped: 0,
      deadLettered: 0,
    });
    expect(second.broker).toEqual({
      connected: true,
      connects: 1,
      disconnects: 0,
      url: broker.url,
      moves: 0,
    });
    expect(Object.keys(second.eventLoopLagMs).sort()).toEqual(['max', 'p50', 'p99']);
    expect(second.eventLoopUtilization).toBeGreaterThanOrEqual(0);
    expect(second.memory.rssBytes).toBeGreaterThan(second.memory.heapUsedBytes);
    expect(second.bus).toEqual({ emitted: expect.any(Number), listenerErrors: {}, journalErrors: 0 });
    expect(second.faults).toEqual({ eventBuildErrors: 0, sweepErrors: 0, ingestFailures: 0 });
    expect(Object.keys(second.store as object).sort()).toEqual(
      [
        'bufferLimit',
        'buffered',
        'diskFull',
        'diskFullSince',
        'droppedFromMemory',
        'freeBytes',
        'lastError',
        'lastErrorAt',
        'path',
        'reserveAvailable',
        'reserveBytes',
      ].sort(),
    );

    const scraped = await rig.metrics();
    expect(scraped.samples('rfid_gateway_reads_total', ['reader', 'antenna', 'zone'])).toEqual({
      'reader=badge,antenna=0,zone=entrance': 1,
      'reader=shelf,antenna=1,zone=shelf': 2,
      'reader=shelf,antenna=2,zone=shelf-top': 2,
    });
    expect(scraped.value('rfid_gateway_reader_frames_total', { reader: 'badge' })).toBe(
      second.readers.badge?.frames,
    );
    expect(scraped.value('rfid_gateway_decode_errors_total', { reader: 'badge' })).toBe(
      second.readers.badge?.decodeErrors,
    );
    expect(scraped.value('rfid_gateway_reader_dropped_bytes_total', { reader: 'badge' })).toBe(16);
    expect(scraped.value('rfid_gateway_core_reads_total', { outcome: 'accepted' })).toBe(
      second.core.accepted,
    );
    expect(scraped.value('rfid_gateway_core_tracked_tags')).toBe(second.core.tracked);
    expect(scraped.value('rfid_gateway_broker_connects_total')).toBe(second.broker?.connects);
    expect(scraped.samples('rfid_gateway_broker_info', ['url'])).toEqual({ [`url=${broker.url}`]: 1 });
    expect(scraped.value('rfid_gateway_broker_moves_total')).toBe(0);
    expect(scraped.value('rfid_gateway_bus_journal_errors_total')).toBe(0);
  });
});
