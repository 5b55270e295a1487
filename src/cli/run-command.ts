import { engineChecks } from '../app/config-checks.js';
import { Gateway } from '../app/gateway.js';
import { MqttService, openOutbox } from '../app/mqtt-service.js';
import { JsonLinesSink } from '../app/stdout-sink.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { systemClock } from '../core/clock.js';
import { createLogger } from '../observability/logger.js';
import { driverNamed } from '../protocols/index.js';
import { OutboxError } from '../store/index.js';
import { CaptureError, createTransport } from '../transport/index.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './usage.js';

export const DEFAULT_CONFIG_PATH = '/etc/rfid-gateway/gateway.json';

/** Bounded so that a wedged port or broker cannot keep systemd waiting forever. */
const SHUTDOWN_LIMIT_MS = 15_000;
/** Of which publishing what is left may take this long; the rest goes out after the restart. */
const SHUTDOWN_DRAIN_MS = 5_000;

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
  const clock = systemClock;
  let outbox: ReturnType<typeof openOutbox> | undefined;
  try {
    outbox = config.mqtt
      ? openOutbox({ dataDir: config.dataDir, ...config.outbox }, clock, logger)
      : undefined;
  } catch (error) {
    if (!(error instanceof OutboxError)) throw error;
    logger.fatal({ path: error.path }, error.message);
    console.error(`rfid-gateway: ${error.message}`);
    return EXIT_FAILURE;
  }
  const seqSource = outbox;
  const gateway = new Gateway(config, {
    clock,
    logger,
    sinks: config.output.stdout ? [new JsonLinesSink()] : [],
    ...(seqSource ? { seq: { next: () => seqSource.nextSeq() } } : {}),
    transportFor: (device) =>
      createTransport(
        {
          port: device.port,
          baudRate: device.baudRate ?? driverNamed(device.driver).defaultBaudRate,
          reconnect: device.reconnect,
          replay: device.replay,
        },
        { clock, logger: logger.child({ device: device.id }) },
      ),
  });
  let mqtt: MqttService | undefined;
  try {
    mqtt =
      config.mqtt && outbox
        ? await MqttService.start(config.mqtt, gateway, outbox, { clock, logger, requests: true })
        : undefined;
  } catch (error) {
    // Options the schema cannot check: an unreadable password file or certificate.
    console.error(`rfid-gateway: ${file}: mqtt: ${(error as Error).message}`);
    outbox?.close();
    return EXIT_USAGE;
  }
  logger.info(
    {
      config: file,
      gateway: config.gatewayId,
      readers: config.readers.length,
      sensors: config.sensors.length,
      mqtt: mqtt?.client.url ?? null,
    },
    'starting',
  );
  try {
    gateway.start();
  } catch (error) {
    if (!(error instanceof CaptureError)) throw error;
    console.error(`rfid-gateway: ${error.message}`);
    await gateway.stop();
    await mqtt?.stop(0);
    return EXIT_USAGE;
  }

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
      (async () => {
        // Stop reading first, so that everything accepted is committed before the outbox drains.
        await gateway.stop();
        await mqtt?.stop(SHUTDOWN_DRAIN_MS);
      })().then(
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
