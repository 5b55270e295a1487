import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { FramePacer } from '../app/extensions/output-drivers.js';
import { mqttOptionsFrom } from '../app/mqtt-link.js';
import type { ActuatorConfig } from '../config/actuators.js';
import { ConfigError, issuesToProblems, readConfigDocument } from '../config/load.js';
import type { MqttConfig } from '../config/mqtt.js';
import { configSchema } from '../config/schema.js';
import { encodeLcus } from '../devices/relay-lcus.js';
import { publishOnce } from '../mqtt/publish-once.js';
import { silentLogger } from '../observability/logger.js';
import { driverNamed } from '../protocols/index.js';
import { encodeLine } from '../protocols/lines/encode.js';
import { systemClock } from '../shared/clock.js';
import { namingReceivedValue } from '../shared/issue-messages.js';
import { createTransport } from '../transport/index.js';
import { DEFAULT_CONFIG_PATH } from './run-command.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './usage.js';

export interface ActuateOptions {
  config?: string;
  safe?: boolean;
  /** One deadline for everything: every device is written to at the same time, within it. */
  timeoutMs: number;
}

/**
 * The part of the config `actuate` needs, with the service's own schemas for it. The other sections
 * are not looked at: a config the service would refuse for its rules or its readers must not stop
 * the safety net from locking the doors.
 */
const actuateConfigSchema = z.object(
  configSchema.pick({ gatewayId: true, sensors: true, actuators: true, mqtt: true }).shape,
);
type ActuateConfig = z.output<typeof actuateConfigSchema>;

/** Where a command's bytes go: a serial port (relay board or `lines` microcontroller) or the broker. */
type Target = { kind: 'serial'; port: string; baudRate: number } | { kind: 'mqtt' };

interface Command {
  actuator: ActuatorConfig;
  value: string;
}

/** Per command: undefined once written, else why not. */
type Outcomes = Map<Command, string | undefined>;

/**
 * `rfid-gateway actuate ID STATE` sets one actuator; `actuate --safe` puts every actuator that has a
 * safe state into it. It opens the devices itself, without the service: systemd runs it as
 * `ExecStopPost=` so that a gateway that crashed, or was killed, cannot leave a relay-driven lock
 * open (a `lines` microcontroller ends its pulses by itself; a relay board does not). Every port and
 * the broker are worked on at once, under the one `--timeout`; each failure is reported and the
 * others are still set (exit 1 if any failed).
 */
export async function actuateCommand(positionals: string[], options: ActuateOptions): Promise<number> {
  const file = options.config ?? process.env.RFID_GATEWAY_CONFIG ?? DEFAULT_CONFIG_PATH;
  let config: ActuateConfig;
  try {
    config = loadActuateConfig(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return EXIT_USAGE;
  }
  const safe = options.safe === true;
  const commands = commandsFor(config, positionals, safe);
  const deadline = systemClock.now() + options.timeoutMs;
  const outcomes: Outcomes = new Map();
  // One connection per port: the actuators of one relay board or one microcontroller share it.
  const groups = new Map<string, { target: Target; commands: Command[] }>();
  for (const command of commands) {
    let target: Target;
    try {
      target = targetOf(config, command.actuator);
    } catch (error) {
      // `actuate ID STATE` refuses it as bad usage; --safe sets the others all the same.
      if (!safe) throw error;
      outcomes.set(command, (error as Error).message);
      continue;
    }
    const key = target.kind === 'mqtt' ? 'mqtt' : `${target.port}@${target.baudRate}`;
    const group = groups.get(key) ?? { target, commands: [] };
    group.commands.push(command);
    groups.set(key, group);
  }
  await Promise.all(
    [...groups.values()].map(({ target, commands: group }) =>
      target.kind === 'mqtt'
        ? publishAll(config, group, deadline, options.timeoutMs, outcomes)
        : writeAll(target, group, deadline, options.timeoutMs, outcomes),
    ),
  );
  let failed = 0;
  for (const command of commands) {
    const failure = outcomes.has(command) ? outcomes.get(command) : 'not attempted';
    if (failure === undefined) {
      console.log(`${command.actuator.id}: ${command.value}`);
    } else {
      failed++;
      console.error(`${command.actuator.id}: not set: ${failure}`);
    }
  }
  return failed === 0 ? EXIT_OK : EXIT_FAILURE;
}

/** Reads `gatewayId`, `sensors`, `actuators` and `mqtt`; unknown or invalid other sections are ignored. */
function loadActuateConfig(file: string): ActuateConfig {
  const document = readConfigDocument(file);
  const result = actuateConfigSchema.safeParse(document, { error: namingReceivedValue });
  if (!result.success) throw new ConfigError(file, issuesToProblems(result.error.issues));
  const config = result.data;
  // Files named in the config are relative to it, as for the service.
  return config.mqtt ? { ...config, mqtt: resolveMqttFiles(config.mqtt, dirname(file)) } : config;
}

function resolveMqttFiles(mqtt: MqttConfig, baseDir: string): MqttConfig {
  return {
    ...mqtt,
    ...(mqtt.passwordFile === undefined ? {} : { passwordFile: resolve(baseDir, mqtt.passwordFile) }),
    ...(mqtt.ca === undefined ? {} : { ca: resolve(baseDir, mqtt.ca) }),
    ...(mqtt.cert === undefined ? {} : { cert: resolve(baseDir, mqtt.cert) }),
    ...(mqtt.key === undefined ? {} : { key: resolve(baseDir, mqtt.key) }),
  };
}

function commandsFor(config: ActuateConfig, positionals: string[], safe: boolean): Command[] {
  if (safe) {
    if (positionals.length > 0) throw new UsageError('actuate --safe takes no ID or STATE');
    return config.actuators.flatMap((actuator) =>
      actuator.safeState === null ? [] : [{ actuator, value: actuator.safeState }],
    );
  }
  const [id, value] = positionals;
  if (id === undefined || value === undefined) throw new UsageError('actuate needs ID and STATE, or --safe');
  const actuator = config.actuators.find((candidate) => candidate.id === id);
  if (!actuator) {
    const known = config.actuators.map((candidate) => candidate.id).join(', ') || 'none';
    throw new UsageError(`unknown actuator "${id}" (actuators: ${known})`);
  }
  if (actuator.driver === 'relay-lcus' && actuator.values[value] === undefined) {
    throw new UsageError(`${id}: "${value}" is not one of ${Object.keys(actuator.values).join(', ')}`);
  }
  return [{ actuator, value }];
}

function targetOf(config: ActuateConfig, actuator: ActuatorConfig): Target {
  switch (actuator.driver) {
    case 'mqtt':
      return { kind: 'mqtt' };
    case 'relay-lcus':
      return { kind: 'serial', port: actuator.port, baudRate: actuator.baudRate };
    case 'lines': {
      const sensor = config.sensors.find((candidate) => candidate.id === actuator.device);
      if (!sensor) throw new UsageError(`${actuator.id}: device "${actuator.device}" is not a sensor`);
      return {
        kind: 'serial',
        port: sensor.port,
        baudRate: sensor.baudRate ?? driverNamed('lines').defaultBaudRate,
      };
    }
  }
}

function bytesOf(command: Command): Uint8Array {
  const { actuator, value } = command;
  if (actuator.driver === 'relay-lcus') return encodeLcus(actuator.channel, actuator.values[value] === 'on');
  if (actuator.driver === 'lines') return encodeLine(actuator.channel, value);
  throw new Error(`${actuator.id}: not a serial device`);
}

/**
 * Opens the port, writes each command's frame (paced as the service paces them: a relay board may
 * lose frames sent back to back), keeps the port open for one more gap after the last, closes it.
 */
async function writeAll(
  target: Extract<Target, { kind: 'serial' }>,
  commands: Command[],
  deadline: number,
  timeoutMs: number,
  outcomes: Outcomes,
): Promise<void> {
  const transport = createTransport(
    { port: target.port, baudRate: target.baudRate },
    { clock: systemClock, logger: silentLogger() },
  );
  const pacer = new FramePacer(systemClock, (bytes) => transport.write(bytes));
  try {
    let lastReason = 'not opened';
    const online = new Promise<void>((resolveOnline) => {
      transport.start({
        data: () => {},
        status: (status) => {
          if (status.state === 'online') resolveOnline();
          else lastReason = status.reason;
        },
      });
    });
    if (!(await byDeadline(online, deadline))) {
      for (const command of commands) {
        outcomes.set(command, `${transport.target}: not online within ${timeoutMs} ms (${lastReason})`);
      }
      return;
    }
    let late = false;
    for (const command of commands) {
      if (late) {
        outcomes.set(command, `${transport.target}: not written within ${timeoutMs} ms`);
        continue;
      }
      try {
        if (await byDeadline(pacer.write(bytesOf(command)), deadline)) outcomes.set(command, undefined);
        else {
          late = true;
          outcomes.set(command, `${transport.target}: not written within ${timeoutMs} ms`);
        }
      } catch (error) {
        outcomes.set(command, (error as Error).message);
      }
    }
    // The board is given its gap after the last frame too before the port closes.
    if (!late) await pacer.settled();
  } finally {
    await transport.stop();
  }
}

/** One publish after the other (each connection uses the same client id), within the deadline. */
async function publishAll(
  config: ActuateConfig,
  commands: Command[],
  deadline: number,
  timeoutMs: number,
  outcomes: Outcomes,
): Promise<void> {
  for (const command of commands) {
    const { actuator, value } = command;
    if (!config.mqtt) {
      outcomes.set(command, 'no mqtt section in the config');
      continue;
    }
    const remainingMs = deadline - systemClock.now();
    if (remainingMs <= 0) {
      outcomes.set(command, `not published within ${timeoutMs} ms`);
      continue;
    }
    const configured = actuator.driver === 'mqtt' ? actuator.topic : undefined;
    try {
      await publishOnce(
        mqttOptionsFrom(config.mqtt, config.gatewayId),
        (topics) => topics.actuatorSet(actuator.id, configured),
        JSON.stringify({ value }),
        remainingMs,
      );
      outcomes.set(command, undefined);
    } catch (error) {
      outcomes.set(command, (error as Error).message);
    }
  }
}

/** True once `work` is done, false if the deadline comes first; rejects when `work` does. */
function byDeadline(work: Promise<void>, deadline: number): Promise<boolean> {
  return new Promise((resolveDone, reject) => {
    const timer = systemClock.setTimeout(() => resolveDone(false), Math.max(0, deadline - systemClock.now()));
    work.then(
      () => {
        systemClock.clearTimeout(timer);
        resolveDone(true);
      },
      (error: unknown) => {
        systemClock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}
