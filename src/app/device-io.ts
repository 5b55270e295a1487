import type { ReaderConfig, SensorConfig } from '../config/schema.js';
import type { MqttService } from '../mqtt/service.js';
import type { Logger } from '../observability/logger.js';
import { driverNamed } from '../protocols/index.js';
import type { Clock } from '../shared/clock.js';
import { createTransport } from '../transport/create.js';
import { FedTransport } from '../transport/fed.js';
import type { ByteTransport } from '../transport/types.js';
import type { DeviceIo, MessageOut } from './reading-services.js';

export type { DeviceIo };

/** The port of a reader or sensor of the config, as `run` opens it (its driver's baud rate by default). */
export function deviceTransport(
  device: ReaderConfig | SensorConfig,
  deps: { clock: Clock; logger: Logger },
): ByteTransport {
  return createTransport(
    {
      port: device.port,
      baudRate: device.baudRate ?? driverNamed(device.driver).defaultBaudRate,
      reconnect: device.reconnect,
      replay: device.replay,
    },
    { clock: deps.clock, logger: deps.logger.child({ device: device.id }) },
  );
}

/**
 * The real devices: a device path, `tcp://host:port` or a `replay:` capture, reconnecting with
 * backoff; MQTT actuators through the broker, when there is one.
 */
export function liveDeviceIo(deps: {
  clock: Clock;
  logger: Logger;
  mqtt: MqttService | undefined;
}): DeviceIo {
  const { mqtt } = deps;
  return {
    open: (device) =>
      createTransport(
        { port: device.port, baudRate: device.baudRate },
        { clock: deps.clock, logger: deps.logger.child({ device: device.id }) },
      ),
    fed: (deviceId) => new FedTransport(`fed:${deviceId}`, () => {}),
    messages: mqtt
      ? {
          get connected() {
            return mqtt.connected;
          },
          onConnect: (listener) => mqtt.onConnect(listener),
          send: (topic, payload) => mqtt.publishNow(topic, payload, { qos: 1 }),
        }
      : undefined,
  };
}

/** What a replay's output device was sent. */
export interface WrittenBytes {
  writes: number;
  bytes: number;
  /** The first bytes written, as hex, at most `RecordingDeviceIo.KEEP_BYTES` of them. */
  firstHex: string;
}

/**
 * A replay's output devices: each port takes every write, which is counted (and its first bytes
 * kept) instead of sent, so that a replay shows what the lock and the buzzer would have been told.
 * Like the readers' fed ports, they report no connection: a capture holds bytes, not connections,
 * so nothing a run does when a device connects (a relay board's safe state, an LCD's first paint)
 * happens in a replay, and a replay's events stay what they were before devices had records.
 */
export class RecordingDeviceIo implements DeviceIo {
  static readonly KEEP_BYTES = 256;
  private readonly records = new Map<string, WrittenBytes>();

  /** The broker's part (never connected, as above); each topic is a device of the record. */
  readonly messages: MessageOut = {
    connected: false,
    onConnect: () => () => {},
    send: async (topic, payload) => this.note(`mqtt:${topic}`, Buffer.from(payload)),
  };

  fed(deviceId: string): ByteTransport {
    return new FedTransport(`recording:${deviceId}`, (bytes) => this.note(deviceId, bytes));
  }

  open(device: { id: string; port: string; baudRate: number }): ByteTransport {
    const note = (bytes: Uint8Array) => this.note(device.id, bytes);
    let open = false;
    return {
      target: `recording:${device.port}`,
      start() {
        open = true;
      },
      async write(bytes: Uint8Array) {
        if (!open) throw new Error(`recording:${device.port}: not open`);
        note(bytes);
      },
      async stop() {
        open = false;
      },
    };
  }

  /** Counts a write to `id`, keeping its first bytes. */
  note(id: string, bytes: Uint8Array): void {
    const record = this.records.get(id) ?? { writes: 0, bytes: 0, firstHex: '' };
    this.records.set(id, record);
    record.writes += 1;
    record.bytes += bytes.length;
    const room = RecordingDeviceIo.KEEP_BYTES * 2 - record.firstHex.length;
    if (room > 0) record.firstHex += Buffer.from(bytes).toString('hex').slice(0, room);
  }

  /** By device id, in the order they were first written to. */
  written(): Record<string, WrittenBytes> {
    return Object.fromEntries([...this.records].map(([id, record]) => [id, { ...record }]));
  }
}
