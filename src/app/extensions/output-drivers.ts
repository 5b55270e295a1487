import type { ActuatorConfig, RelayLcusActuatorConfig } from '../../config/actuators.js';
import { LinesOutput } from '../../devices/lines-output.js';
import { MqttOutput } from '../../devices/mqtt-output.js';
import { RelayLcusOutput } from '../../devices/relay-lcus.js';
import type { OutputDriver } from '../../devices/types.js';
import { actuatorCommandPath } from '../../mqtt/topics.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { ByteTransport, TransportStatus } from '../../transport/types.js';
import type { DeviceControl, DeviceIo } from '../reading-services.js';

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
 * Time between two frames to one relay board: the drivers in the wild pace LCUS commands 50-100 ms
 * apart (devices.md §1); frames sent back to back may be lost by the board's microcontroller.
 */
export const FRAME_GAP_MS = 60;
/**
 * How long a write that has not finished holds up the frames behind it: a wedged port must not stop
 * every later command (each is bounded by its own timeout anyway).
 */
export const FRAME_STALL_MS = 2_000;

/**
 * One port's frames, one at a time, at least `gapMs` apart on the clock (from when the previous
 * write finished). `write` resolves or rejects with the frame's own write.
 */
export class FramePacer {
  private tail: Promise<void> = Promise.resolve();
  private lastAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly send: (bytes: Uint8Array) => Promise<void>,
    private readonly gapMs = FRAME_GAP_MS,
    private readonly stallMs = FRAME_STALL_MS,
  ) {}

  write(bytes: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // The tail never rejects: one failed frame does not stop the ones behind it.
      this.tail = this.tail.then(async () => {
        await this.gap();
        const sending = (async () => this.send(bytes))();
        sending.then(resolve, reject);
        this.lastAt = await settledWithin(this.clock, sending, this.stallMs);
      });
    });
  }

  /** Resolves once every frame queued so far is written and `gapMs` have passed since the last. */
  async settled(): Promise<void> {
    await this.tail;
    await this.gap();
  }

  private gap(): Promise<void> {
    const waitMs = this.lastAt === undefined ? 0 : this.lastAt + this.gapMs - this.clock.now();
    return waitMs > 0 ? new Promise((resolve) => this.clock.setTimeout(resolve, waitMs)) : Promise.resolve();
  }
}

/** The time `work` settled (either way), or the time `ms` had passed, whichever came first. */
function settledWithin(clock: Clock, work: Promise<unknown>, ms: number): Promise<number> {
  return new Promise<number>((resolve) => {
    const timer: TimerHandle = clock.setTimeout(() => resolve(clock.now()), ms);
    const done = () => {
      clock.clearTimeout(timer);
      resolve(clock.now());
    };
    work.then(done, done);
  });
}

/**
 * The serial ports of output-only devices (relay boards; several actuators may share one board),
 * opened with the readers' reconnecting transport: an unplugged board is reported and retried.
 * Each port's frames go through a FramePacer, so that the safe states of several relays written at
 * once reach the board one by one.
 */
export class OutputPorts {
  private readonly ports = new Map<
    string,
    { transport: ByteTransport; pacer: FramePacer; online: boolean }
  >();

  constructor(
    private readonly io: DeviceIo,
    private readonly clock: Clock,
    private readonly onStatus: (port: string, status: TransportStatus) => void,
  ) {}

  writer(settings: RelayLcusActuatorConfig): (bytes: Uint8Array) => Promise<void> {
    let entry = this.ports.get(settings.port);
    if (!entry) {
      const transport = this.io.open({ id: settings.port, port: settings.port, baudRate: settings.baudRate });
      const pacer = new FramePacer(this.clock, (bytes) => transport.write(bytes));
      entry = { transport, pacer, online: false };
      this.ports.set(settings.port, entry);
    }
    const { pacer } = entry;
    return (bytes) => pacer.write(bytes);
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

  /** Closes the ports once the frames queued for them are written and the board has had its gap. */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.ports.values()].map(async (entry) => {
        await entry.pacer.settled();
        await entry.transport.stop();
      }),
    );
  }
}

export interface OutputDeps {
  clock: Clock;
  devices: DeviceControl;
  io: DeviceIo;
}

export function buildOutput(
  settings: ActuatorConfig,
  deps: OutputDeps,
  ports: OutputPorts,
  onPulseEndError: (error: unknown) => void,
): BuiltOutput {
  switch (settings.driver) {
    case 'lines': {
      const write = (bytes: Uint8Array) => deps.devices.write(settings.device, bytes);
      return {
        driver: new LinesOutput(settings.device, settings.channel, write, settings.values),
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
          clock: deps.clock,
          onError: onPulseEndError,
        }),
        device: { kind: 'port', port: settings.port },
      };
    case 'mqtt': {
      const topic = actuatorCommandPath(settings.id, settings.topic);
      const messages = deps.io.messages;
      const send = (payload: string) =>
        messages ? messages.send(topic, payload) : Promise.reject(new Error('no MQTT broker is configured'));
      return { driver: new MqttOutput(`mqtt:${topic}`, send, settings.values), device: { kind: 'mqtt' } };
    }
  }
}
