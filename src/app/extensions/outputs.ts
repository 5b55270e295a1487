import { z } from 'zod';
import type { ActuatorConfig } from '../../config/actuators.js';
import type { OutputDriver } from '../../devices/types.js';
import type { Clock } from '../../shared/clock.js';
import type { BusCommands } from '../../shared/extension.js';
import { defineFeature } from '../../shared/feature.js';
import { buildOutput, type OutputDevice, OutputPorts } from './output-drivers.js';

interface Actuator {
  settings: ActuatorConfig;
  driver: OutputDriver;
  device: OutputDevice;
  faulty: boolean;
}

/**
 * Actuators driven from the bus (`actuator.set`): every command bounded in time, retried once,
 * reported as `actuator.changed` or, when the device does not take it, `actuator.status` fault.
 * The configured safe state is applied at start-up (for a relay board or a microcontroller when its
 * port opens, for an MQTT device each time the broker connection is made), whenever a device comes
 * back, and at shutdown. The devices come from `deviceIo` and the readers' ports: in a replay they
 * are records of what each device would have been sent.
 */
export const outputsFeature = defineFeature({
  name: 'outputs',
  needs: ['devices', 'deviceIo', 'tags'],
  build: (input) => {
    const { config, bus, logger, clock } = input;
    const { devices, deviceIo, tags } = input.needs;
    if (config.actuators.length === 0) return undefined;
    const actuators = new Map<string, Actuator>();
    // Each time a relay board's port comes (back) online its relays get their safe state: a board
    // that lost power comes back with every relay off, which may not be the safe state.
    let stopping = false;
    const ports = new OutputPorts(deviceIo, clock, (port, status) => {
      // Closing the ports at shutdown reports them offline: that is no fault.
      if (stopping) return;
      if (status.state === 'online') void applySafeStates('device online', { kind: 'port', port });
      else deviceLost({ kind: 'port', port }, status.reason);
    });
    for (const settings of config.actuators) {
      const built = buildOutput(settings, { clock, devices, io: deviceIo }, ports, (error) => {
        logger.error({ err: error, actuator: settings.id }, 'actuator pulse end failed');
        const actuator = actuators.get(settings.id);
        if (actuator) reportFault(actuator, error instanceof Error ? error.message : String(error));
      });
      actuators.set(settings.id, { settings, ...built, faulty: false });
    }

    const reportFault = (actuator: Actuator, reason: string) => {
      actuator.faulty = true;
      bus.emit({ type: 'actuator.status', actuator: actuator.settings.id, state: 'fault', reason });
    };

    /**
     * A device that went away is a fault of its actuators now, not at the next command: a cabinet
     * whose lock board is unplugged must stop taking cards before a customer finds the door shut.
     * Reported once per outage; the safe state written when it is back reports `ok`.
     */
    const deviceLost = (device: OutputDevice, why: string) => {
      for (const actuator of actuators.values()) {
        if (actuator.faulty || !sameDevice(actuator.device, device)) continue;
        reportFault(actuator, `${actuator.driver.target}: device offline (${why})`);
      }
    };
    const drive = async (actuator: Actuator, value: string, pulseMs: number | undefined, reason: string) => {
      const { settings, driver } = actuator;
      if (pulseMs !== undefined && pulseMs > settings.maxPulseMs) {
        throw new Error(`pulse of ${pulseMs} ms exceeds ${settings.id}'s maxPulseMs ${settings.maxPulseMs}`);
      }
      // Asked for something it cannot do: the asker's mistake. The device is fine; nothing is written.
      const refused = driver.refuses(value);
      if (refused !== undefined) throw new Error(`actuator ${settings.id}: ${refused}`);
      let failure: unknown;
      for (let attempt = 1; attempt <= 2; attempt++) {
        try {
          const rest = settings.safeState ?? undefined;
          await withTimeout(clock, driver.set(value, pulseMs, rest), settings.writeTimeoutMs, driver.target);
          failure = undefined;
          break;
        } catch (error) {
          failure = error;
          logger.warn(
            { err: error, actuator: settings.id, target: driver.target, attempt },
            'actuator write failed',
          );
        }
      }
      if (failure !== undefined) {
        reportFault(actuator, failure instanceof Error ? failure.message : String(failure));
        throw failure;
      }
      if (actuator.faulty) {
        actuator.faulty = false;
        bus.emit({ type: 'actuator.status', actuator: settings.id, state: 'ok', reason: 'write succeeded' });
      }
      logger.info({ actuator: settings.id, value, pulseMs, reason }, 'actuator set');
      bus.emit({
        type: 'actuator.changed',
        actuator: settings.id,
        value,
        ...(pulseMs === undefined ? {} : { pulseMs }),
        reason,
      });
    };

    const applySafeStates = async (reason: string, device?: OutputDevice) => {
      for (const actuator of actuators.values()) {
        if (device !== undefined && !sameDevice(actuator.device, device)) continue;
        const safe = actuator.settings.safeState;
        if (safe === null) {
          // Nothing to write to prove it: its device being back is all there is to go by.
          if (device !== undefined && actuator.faulty) {
            actuator.faulty = false;
            bus.emit({ type: 'actuator.status', actuator: actuator.settings.id, state: 'ok', reason });
          }
          continue;
        }
        // A device that is unplugged now is reported; the others still get their safe state.
        await drive(actuator, safe, undefined, reason).catch(() => {});
      }
    };

    const unregister = input.requests.register(
      'actuators/set',
      {
        actuator: z.string().min(1).max(64),
        value: z.string().min(1).max(64),
        pulseMs: z.number().int().min(1).max(600_000).optional(),
      },
      async ({ actuator, value, pulseMs }) => {
        await bus.command('actuator.set', {
          actuator,
          value,
          ...(pulseMs === undefined ? {} : { pulseMs }),
          reason: 'request',
        });
        return { actuator, value, ...(pulseMs === undefined ? {} : { pulseMs }) };
      },
      { owner: 'outputs', changesState: true },
    );
    // Handled from the moment the controller is built: a feature that starts before the readers (a
    // session recovered at start-up) may already ask for the lock; the write then fails as a fault
    // and the safe state follows when the port opens.
    const unhandle = bus.handle('actuator.set', async (input: BusCommands['actuator.set']) => {
      const actuator = actuators.get(input.actuator);
      if (!actuator) {
        throw new Error(
          `unknown actuator "${input.actuator}" (actuators: ${[...actuators.keys()].join(', ')})`,
        );
      }
      await drive(actuator, input.value, input.pulseMs, input.reason);
    });
    let unsubscribe: (() => void) | undefined;
    let unsubscribeBroker: (() => void) | undefined;
    const hasMqttActuators = [...actuators.values()].some((actuator) => actuator.device.kind === 'mqtt');
    return {
      name: 'outputs',
      start() {
        // Each time a device's port comes (back) online its outputs are put in their safe state: a
        // microcontroller that rebooted must not keep a lock open that nobody remembers opening.
        unsubscribe = bus.on('outputs', 'reader.status', (event) => {
          const device: OutputDevice = { kind: 'lines', sensor: event.reader };
          if (event.state === 'online') void applySafeStates('device online', device);
          else if (event.state === 'offline') deviceLost(device, event.reason ?? 'offline');
        });
        ports.start();
        for (const actuator of actuators.values()) {
          const { device } = actuator;
          // Relay boards get theirs when their port opens (above), MQTT devices when the broker
          // connects (below).
          if (device.kind === 'lines' && tags.device(device.sensor)?.state === 'online') {
            void applySafeStates('start-up', device);
          }
        }
        if (hasMqttActuators) {
          const mqttDevice: OutputDevice = { kind: 'mqtt' };
          const messages = deviceIo.messages;
          if (messages) {
            // The link is started (it comes first) but its connection is not made yet: commands to the
            // broker's devices can only be published once it is, and again after every reconnect (a
            // device may have missed what was sent meanwhile). Not connected yet is no fault.
            unsubscribeBroker = messages.onConnect(() => {
              if (!stopping) void applySafeStates('broker connected', mqttDevice);
            });
            if (messages.connected) void applySafeStates('start-up', mqttDevice);
          } else {
            // No broker at all (the config checks refuse that): reported, not silently skipped.
            void applySafeStates('start-up', mqttDevice);
          }
        }
      },
      /** Runs before the readers stop, while the ports are still open. */
      async stop() {
        stopping = true;
        unsubscribe?.();
        unsubscribeBroker?.();
        unhandle();
        unregister();
        await applySafeStates('shutdown');
        // A relay pulse still running (an actuator without a safe state) is ended before its port
        // closes: a board left to itself keeps the relay on.
        await Promise.all(
          [...actuators.values()].map(async ({ settings, driver }) => {
            if (!driver.close) return;
            await withTimeout(clock, driver.close(), settings.writeTimeoutMs, driver.target).catch(
              (error: unknown) => logger.warn({ err: error, actuator: settings.id }, 'actuator not closed'),
            );
          }),
        );
        // Then the ports close, each once its last frame is written.
        await ports.stop();
      },
    };
  },
});

function sameDevice(a: OutputDevice, b: OutputDevice): boolean {
  if (a.kind === 'lines' && b.kind === 'lines') return a.sensor === b.sensor;
  if (a.kind === 'port' && b.kind === 'port') return a.port === b.port;
  return a.kind === b.kind;
}

function withTimeout(clock: Clock, work: Promise<void>, timeoutMs: number, target: string) {
  return new Promise<void>((resolve, reject) => {
    const timer = clock.setTimeout(
      () => reject(new Error(`${target}: no write within ${timeoutMs} ms`)),
      timeoutMs,
    );
    work.then(
      () => {
        clock.clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}
