import type { ActuatorConfig, RelayLcusActuatorConfig } from '../../config/actuators.js';
import { LinesOutput } from '../../devices/lines-output.js';
import { MqttOutput } from '../../devices/mqtt-output.js';
import { RelayLcusOutput } from '../../devices/relay-lcus.js';
import type { OutputDriver } from '../../devices/types.js';
import { createTransport } from '../../transport/create.js';
import type { ByteTransport, TransportStatus } from '../../transport/types.js';
import type { ExtensionContext } from '../context.js';

/** Where an actuator's bytes go, so that "its device came online" can be told per actuator. */
export type OutputDevice =
  | { kind: 'lines'; sensor: string }
  | { kind: 'port'; port: string }
  | { kind: 'mqtt' };

export interface BuiltOutput {
  driver: OutputDriver;
  device: OutputDevice;
}

/**
 * The serial ports of output-only devices (relay boards; several actuators may share one board),
 * opened with the readers' reconnecting transport: an unplugged board is reported and retried.
 */
export class OutputPorts {
  private readonly ports = new Map<string, { transport: ByteTransport; online: boolean }>();

  constructor(
    private readonly context: ExtensionContext,
    private readonly onStatus: (port: string, status: TransportStatus) => void,
  ) {}

  writer(settings: RelayLcusActuatorConfig): (bytes: Uint8Array) => Promise<void> {
    let entry = this.ports.get(settings.port);
    if (!entry) {
      const transport = createTransport(
        { port: settings.port, baudRate: settings.baudRate },
        { clock: this.context.clock, logger: this.context.logger },
      );
      entry = { transport, online: false };
      this.ports.set(settings.port, entry);
    }
    const { transport } = entry;
    return (bytes) => transport.write(bytes);
  }

  isOnline(port: string): boolean {
    return this.ports.get(port)?.online === true;
  }

  start(): void {
    for (const [port, entry] of this.ports) {
      entry.transport.start({
        // The boards are write-only; whatever a clone echoes is ignored.
        data: () => {},
        status: (status) => {
          entry.online = status.state === 'online';
          this.onStatus(port, status);
        },
      });
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.ports.values()].map((entry) => entry.transport.stop()));
  }
}

export function buildOutput(
  settings: ActuatorConfig,
  context: ExtensionContext,
  ports: OutputPorts,
  onPulseEndError: (error: unknown) => void,
): BuiltOutput {
  switch (settings.driver) {
    case 'lines': {
      const write = (bytes: Uint8Array) => {
        const pipeline = context.readers.pipeline(settings.device);
        if (!pipeline) return Promise.reject(new Error(`device ${settings.device} is not configured`));
        return pipeline.write(bytes);
      };
      return {
        driver: new LinesOutput(settings.device, settings.channel, write),
        device: { kind: 'lines', sensor: settings.device },
      };
    }
    case 'relay-lcus':
      return {
        driver: new RelayLcusOutput({
          target: `${settings.port}#${settings.channel}`,
          channel: settings.channel,
          values: settings.values,
          write: ports.writer(settings),
          clock: context.clock,
          onError: onPulseEndError,
        }),
        device: { kind: 'port', port: settings.port },
      };
    case 'mqtt': {
      const topic = settings.topic ?? `actuators/${settings.id}/set`;
      return {
        driver: new MqttOutput(`mqtt:${topic}`, (payload) => publishCommand(context, topic, payload)),
        device: { kind: 'mqtt' },
      };
    }
  }
}

function publishCommand(context: ExtensionContext, topic: string, payload: string): Promise<void> {
  return context.mqtt
    ? context.mqtt.publishNow(topic, payload, { qos: 1 })
    : Promise.reject(new Error('no MQTT broker is configured'));
}
