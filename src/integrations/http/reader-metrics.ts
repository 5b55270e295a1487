import type { GatewayConfig } from '../../config/schema.js';
import { deviceZones, zoneOfAntenna } from '../../config/zones.js';
import type { Figures } from './figures.js';
import type { HealthMonitor } from './health.js';
import type { Mirrors, Sample } from './mirror.js';

/**
 * The `/metrics` families of the readers and sensors, per device: state, reads, frames, errors and
 * stalls, read from the scrape's figures (`now`).
 */
export function readerMetrics(
  mirrors: Mirrors,
  config: GatewayConfig,
  now: () => Figures,
  health: Pick<HealthMonitor, 'deviceStates'>,
): void {
  const zones = new Map(config.readers.map((reader) => [reader.id, deviceZones(reader)]));
  const perDevice = (read: (device: Figures['devices'][number]) => number) => () =>
    now().devices.map((device): Sample => [{ reader: device.id }, read(device)]);
  mirrors.add(
    'gauge',
    'rfid_gateway_reader_up',
    'Whether the reader or sensor is online (1) or offline, stalled or in error (0)',
    ['reader'],
    perDevice((device) => (device.state === 'online' ? 1 : 0)),
  );
  mirrors.add(
    'gauge',
    'rfid_gateway_reader_state_change_timestamp_seconds',
    'When the reader or sensor entered its current state (online, offline, stalled, error), gateway clock',
    ['reader'],
    () => [...health.deviceStates].map(([reader, device]): Sample => [{ reader }, device.since / 1000]),
  );
  mirrors.add(
    'counter',
    'rfid_gateway_reader_stalls_total',
    'Times the reader or sensor went silent with its port open while it promised traffic (its tags held)',
    ['reader'],
    perDevice((device) => device.counters.stalls),
  );
  mirrors.add(
    'counter',
    'rfid_gateway_reader_faults_total',
    'Faults and warnings the reader reported itself (antenna missing, memory full, a CRC error it saw)',
    ['reader'],
    perDevice((device) => device.counters.faults),
  );
  mirrors.add(
    'counter',
    'rfid_gateway_reader_missed_polls_total',
    'Polls of a polled reader (R2000, Chafon, PN532) that had no answer within their bounded wait',
    ['reader'],
    perDevice((device) => device.counters.missedPolls),
  );
  mirrors.add(
    'counter',
    'rfid_gateway_reads_total',
    'Tag reads decoded, by reader, antenna (0 = the reader does not say) and the zone it maps to',
    ['reader', 'antenna', 'zone'],
    () => {
      const samples: Sample[] = [];
      for (const device of now().devices) {
        const mapping = zones.get(device.id);
        for (const [antenna, count] of device.antennaReads) {
          const zone = mapping ? zoneOfAntenna(mapping, antenna) : device.id;
          samples.push([{ reader: device.id, antenna: String(antenna), zone }, count]);
        }
      }
      return samples;
    },
  );
  mirrors.add(
    'counter',
    'rfid_gateway_reader_frames_total',
    'Frames (or lines) that passed their integrity check',
    ['reader'],
    perDevice((device) => device.counters.frames),
  );
  mirrors.add(
    'counter',
    'rfid_gateway_reader_received_bytes_total',
    'Bytes received from the device',
    ['reader'],
    perDevice((device) => device.counters.bytes),
  );
  mirrors.add(
    'counter',
    'rfid_gateway_decode_errors_total',
    'Bad frames, bad checksums, overlong lines and garbage runs, counted and skipped',
    ['reader'],
    perDevice((device) => device.counters.errors),
  );
  mirrors.add(
    'counter',
    'rfid_gateway_reader_dropped_bytes_total',
    'Bytes skipped by the decoder (the bytes of the decode errors)',
    ['reader'],
    perDevice((device) => device.counters.droppedBytes),
  );
  mirrors.add(
    'counter',
    'rfid_gateway_reader_ingest_failures_total',
    'Chunks dropped because processing them threw (a bug, logged)',
    ['reader'],
    perDevice((device) => device.ingestFailures),
  );
}
