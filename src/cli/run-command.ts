import { Controller, StartupError } from '../app/controller.js';
import { deviceTransport } from '../app/device-io.js';
import { loadStartableConfig } from '../app/startup-checks.js';
import { ConfigError } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import { redactUrl } from '../mqtt/errors.js';
import { SignatureKeyError } from '../mqtt/request-signature.js';
import { createLogger } from '../observability/logger.js';
import { systemClock } from '../shared/clock.js';
import { OutboxError, StoreLockedError } from '../store/index.js';
import { CaptureError } from '../transport/index.js';
import { printConfigError } from './config-commands.js';
import { tuneServiceRunning } from './service-v8.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './usage.js';

export const DEFAULT_CONFIG_PATH = '/etc/rfid-gateway/gateway.json';

/** Bounded so that a wedged port or broker cannot keep systemd waiting forever. */
const SHUTDOWN_LIMIT_MS = 15_000;
/** Of which publishing what is left may take this long; the rest goes out after the restart. */
const SHUTDOWN_DRAIN_MS = 5_000;

/**
 * The service's config, with every check `check-config` makes: the `--config` option, else
 * $RFID_GATEWAY_CONFIG, else the default path. A config error is printed; undefined is returned.
 */
export function loadServiceConfig(configOption: string | undefined): {
  file: string;
  config?: GatewayConfig;
} {
  const file = configOption ?? process.env.RFID_GATEWAY_CONFIG ?? DEFAULT_CONFIG_PATH;
  try {
    // The files it names too, before any device or the store is opened: exit 2 with check-config's words.
    return { file, config: loadStartableConfig(file) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    printConfigError(error);
    return { file };
  }
}

export async function runCommand(configOption: string | undefined): Promise<number> {
  const { file, config } = loadServiceConfig(configOption);
  if (!config) return EXIT_USAGE;
  const logger = createLogger({ level: config.logLevel });
  const clock = systemClock;
  let controller: Controller;
  try {
    controller = Controller.create(config, {
      mode: 'run',
      clock,
      logger,
      dataDir: config.dataDir,
      mqtt: config.mqtt,
      drainMs: SHUTDOWN_DRAIN_MS,
      ...(config.output.stdout
        ? {
            stdout: {
              stream: process.stdout,
              // A person at a terminal reads sentences; the journal is a log (no personal data).
              readable: process.stdout.isTTY === true,
              redact: process.env.JOURNAL_STREAM !== undefined,
            },
          }
        : {}),
      transportFor: (device) => deviceTransport(device, { clock, logger }),
    });
  } catch (error) {
    if (!(error instanceof OutboxError)) throw error;
    logger.fatal({ path: error.path }, error.message);
    console.error(`rfid-gateway: ${error.message}`);
    // Another gateway runs on this data directory: this start is the mistake, not the machine.
    return error instanceof StoreLockedError ? EXIT_USAGE : EXIT_FAILURE;
  }
  logger.info(
    {
      config: file,
      gateway: config.gatewayId,
      readers: config.readers.length,
      sensors: config.sensors.length,
      mqtt: config.mqtt ? redactUrl(config.mqtt.url) : null,
      parts: controller.parts,
    },
    'starting',
  );
  // Signals from here on: a `systemctl stop` while the devices are still opening waits for the
  // start-up to finish, then stops in order (the default action would kill the process half-started).
  let signalDuringStart: string | undefined;
  const early = (signal: string) => () => {
    signalDuringStart ??= signal;
  };
  const earlyInt = early('SIGINT');
  const earlyTerm = early('SIGTERM');
  process.on('SIGINT', earlyInt);
  process.on('SIGTERM', earlyTerm);
  try {
    await controller.start();
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    logger.fatal({ part: error.part, err: error.cause }, error.message);
    logger.flush();
    const cause = error.cause;
    // A capture that cannot be played, a password, certificate or client key file that cannot be read: the
    // config names something unusable, which is a usage error; anything else is a runtime failure.
    if (cause instanceof CaptureError) {
      console.error(`rfid-gateway: ${cause.message}`);
      return EXIT_USAGE;
    }
    console.error(`rfid-gateway: ${file}: ${error.message}`);
    // The broker, a client key file, the HTTP port or the catalog file the config names (a catalog
    // file checked above can still clash with what the store holds): a config to fix, exit 2.
    const usage =
      error.part === 'mqtt' ||
      error.part === 'http' ||
      error.part === 'catalog' ||
      cause instanceof SignatureKeyError;
    return usage ? EXIT_USAGE : EXIT_FAILURE;
  }
  tuneServiceRunning();
  const fatal = (what: string) => (error: unknown) => {
    // Every device, sink and extension isolates its own failures; reaching here is a bug. Say so,
    // stop as cleanly as possible within the limit, and exit so that systemd restarts the service.
    logger.fatal({ err: error }, `${what}; stopping`);
    process.exitCode = EXIT_FAILURE;
    process.kill(process.pid, 'SIGTERM');
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled promise rejection'));

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
        // In reverse start order: reading stops first, so that everything accepted is committed
        // before the outbox drains.
        await controller.stop();
      })().then(
        () => {
          clearTimeout(limit);
          logger.info('stopped');
          logger.flush();
          resolve(process.exitCode === EXIT_FAILURE ? EXIT_FAILURE : EXIT_OK);
        },
        (error: unknown) => {
          clearTimeout(limit);
          logger.error({ err: error }, 'shutdown failed');
          resolve(EXIT_FAILURE);
        },
      );
    };
    // The new listeners first: a signal's last listener going away stops its watcher, and a signal
    // already received but not yet handled would be lost with it.
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.off('SIGINT', earlyInt);
    process.off('SIGTERM', earlyTerm);
    if (signalDuringStart !== undefined) shutdown(signalDuringStart);
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') return;
      // The journal going away must not end a service (it would stay down: exit 0 is no failure);
      // the event lines are a copy, the outbox has them.
      if (process.env.JOURNAL_STREAM !== undefined) {
        logger.warn('stdout closed: event lines are no longer printed');
        return;
      }
      // `run | head`: whoever read the event lines has gone, as with Ctrl-C. Stopped in order, exit 0.
      shutdown('stdout closed');
    });
  });
}
