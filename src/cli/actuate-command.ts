import { mqttOptionsFrom } from '../app/extensions/mqtt-link.js';
import type { ActuatorConfig } from '../config/actuators.js';
import type { GatewayConfig } from '../config/schema.js';
import { encodeLcus } from '../devices/relay-lcus.js';
import { publishOnce } from '../mqtt/publish-once.js';
import { silentLogger } from '../observability/logger.js';
import { driverNamed } from '../protocols/index.js';
import { encodeLine } from '../protocols/lines/encode.js';
import { systemClock } from '../shared/clock.js';
import { createTransport } from '../transport/index.js';
import { loadServiceConfig } from './run-command.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './usage.js';

export interface ActuateOptions {
  config?: string;
  safe?: boolean;
  timeoutMs: number;
}

interface Command {
  actuator: ActuatorConfig;
  value: string;
}

/**
 * `rfid-gateway actuate ID STATE` sets one actuator; `actuate --safe` puts every actuator that has a
 * safe state into it. It opens the devices itself, without the service: systemd runs it as
 * `ExecStopPost=` so that a gateway that crashed, or was killed, cannot leave a relay-driven lock
 * open (a `lines` microcontroller ends its pulses by itself; a relay board does not).
 */
export async function actuateCommand(positionals: string[], options: ActuateOptions): Promise<number> {
  const { config } = loadServiceConfig(options.config);
  if (!config) return EXIT_USAGE;
  const commands = commandsFor(config, positionals, options.safe === true);
  let failed = 0;
  // One connection per port: the actuators of one relay board or one microcontroller share it.
  for (const [port, group] of groupByPort(config, commands)) {
    try {
      if (port === 'mqtt') await publishAll(config, group, options.timeoutMs);
      else await writeAll(port, group, options.timeoutMs);
      for (const { actuator, value } of group) console.log(`${actuator.id}: ${value}`);
    } catch (error) {
      failed += group.length;
      for (const { actuator } of group) {
        console.error(`${actuator.id}: not set: ${(error as Error).message}`);
      }
    }
  }
  return failed === 0 ? EXIT_OK : EXIT_FAILURE;
}

function commandsFor(config: GatewayConfig, positionals: string[], safe: boolean): Command[] {
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

/** Device path (with its baud rate) → the commands for it; 'mqtt' for broker-driven ones. */
function groupByPort(config: GatewayConfig, commands: Command[]): Map<string, Command[]> {
  const groups = new Map<string, Command[]>();
  for (const command of commands) {
    const key = portOf(config, command.actuator);
    groups.set(key, [...(groups.get(key) ?? []), command]);
  }
  return groups;
}

function portOf(config: GatewayConfig, actuator: ActuatorConfig): string {
  switch (actuator.driver) {
    case 'mqtt':
      return 'mqtt';
    case 'relay-lcus':
      return `${actuator.port}@${actuator.baudRate}`;
    case 'lines': {
      const sensor = config.sensors.find((candidate) => candidate.id === actuator.device);
      if (!sensor) throw new UsageError(`${actuator.id}: device "${actuator.device}" is not a sensor`);
      return `${sensor.port}@${sensor.baudRate ?? driverNamed('lines').defaultBaudRate}`;
    }
  }
}

function bytesOf(command: Command): Uint8Array {
  const { actuator, value } = command;
  if (actuator.driver === 'relay-lcus') return encodeLcus(actuator.channel, actuator.values[value] === 'on');
  if (actuator.driver === 'lines') return encodeLine(actuator.channel, value);
  throw new Error(`${actuator.id}: not a serial device`);
}

async function writeAll(portAndBaud: string, commands: Command[], timeoutMs: number): Promise<void> {
  const at = portAndBaud.lastIndexOf('@');
  const transport = createTransport(
    { port: portAndBaud.slice(0, at), baudRate: Number(portAndBaud.slice(at + 1)) },
    { clock: systemClock, logger: silentLogger() },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let lastReason = 'not opened';
      const timer = setTimeout(
        () => reject(new Error(`${transport.target}: not online within ${timeoutMs} ms (${lastReason})`)),
        timeoutMs,
      );
      transport.start({
        data: () => {},
        status: (status) => {
          if (status.state === 'online') {
            clearTimeout(timer);
            resolve();
          } else {
            lastReason = status.reason;
          }
        },
      });
    });
    for (const command of commands) await transport.write(bytesOf(command));
  } finally {
    await transport.stop();
  }
}

async function publishAll(config: GatewayConfig, commands: Command[], timeoutMs: number): Promise<void> {
  if (!config.mqtt) throw new Error('no mqtt section in the config');
  const mqtt = config.mqtt;
  for (const { actuator, value } of commands) {
    const relative =
      actuator.driver === 'mqtt' && actuator.topic ? actuator.topic : `actuators/${actuator.id}/set`;
    await publishOnce(
      mqttOptionsFrom(mqtt, config.gatewayId),
      (topics) => `${topics.base}/${relative}`,
      JSON.stringify({ value }),
      timeoutMs,
    );
  }
}
