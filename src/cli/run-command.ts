import { engineChecks } from '../app/config-checks.js';
import { Gateway } from '../app/gateway.js';
import { JsonLinesSink } from '../app/stdout-sink.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { systemClock } from '../core/clock.js';
import { createLogger } from '../observability/logger.js';
import { driverNamed } from '../protocols/index.js';
import { createTransport } from '../transport/index.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './usage.js';

export const DEFAULT_CONFIG_PATH = '/etc/rfid-gateway/gateway.json';

/** Bounded so that a wedged port cannot keep systemd waiting forever. */
const SHUTDOWN_LIMIT_MS = 10_000;

export async function runCommand(configOption: string | undefined): Promise<number> {
  const file = configOption ?? process.env.RFID_GATEWAY_CONFIG ?? DEFAULT_CONFIG_PATH;
  let config: ReturnType<typeof loadConfigFile>;
  try {
    config = loadConfigFile(file, engineChecks);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return EXIT_USAGE;
  }
  const logger = createLogger({ level: config.logLevel });
  const gateway = new Gateway(config, {
    clock: systemClock,
    logger,
    sinks: config.output.stdout ? [new JsonLinesSink()] : [],
    transportFor: (device) =>
      createTransport(
        {
          port: device.port,
          baudRate: device.baudRate ?? driverNamed(device.driver).defaultBaudRate,
          reconnect: device.reconnect,
          replay: device.replay,
        },
        { clock: systemClock, logger: logger.child({ device: device.id }) },
      ),
  });
  logger.info(
    {
      config: file,
      gateway: config.gatewayId,
      readers: config.readers.length,
      sensors: config.sensors.length,
    },
    'starting',
  );
  gateway.start();

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal, exiting now');
        resolve(EXIT_FAILURE);
        return;
      }
      stopping = true;
      logger.info({ signal }, 'stopping');
      const limit = setTimeout(() => {
        logger.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'shutdown took too long');
        resolve(EXIT_FAILURE);
      }, SHUTDOWN_LIMIT_MS);
      gateway.stop().then(
        () => {
          clearTimeout(limit);
          logger.info('stopped');
          logger.flush();
          resolve(EXIT_OK);
        },
        (error: unknown) => {
          clearTimeout(limit);
          logger.error({ err: error }, 'shutdown failed');
          resolve(EXIT_FAILURE);
        },
      );
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  });
}
