import { ZodError } from 'zod';
import { engineChecks } from '../app/config-checks.js';
import { replayCapture } from '../app/replay.js';
import { JsonLinesSink } from '../app/stdout-sink.js';
import { ConfigError, formatPath, loadConfigFile } from '../config/load.js';
import { createLogger } from '../observability/logger.js';
import { CaptureError } from '../transport/capture.js';
import { EXIT_OK, EXIT_USAGE, parseNumberOption } from './usage.js';

export async function replayCommand(
  capture: string,
  options: Record<string, string | boolean | undefined>,
): Promise<number> {
  const speed = parseNumberOption('speed', options.speed as string | undefined, 0, 10_000) ?? 0;
  let config: ReturnType<typeof loadConfigFile> | undefined;
  try {
    config = typeof options.config === 'string' ? loadConfigFile(options.config, engineChecks) : undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return EXIT_USAGE;
  }
  const logger = createLogger({
    level: config?.logLevel === 'info' ? 'warn' : (config?.logLevel ?? 'warn'),
    sync: true,
  });
  const sink = new JsonLinesSink();
  let exitCode = EXIT_OK;
  let ports: Record<string, unknown> = {};
  try {
    const result = await replayCapture({
      file: capture,
      ...(config ? { config } : {}),
      ...(typeof options['gateway-id'] === 'string' ? { gatewayId: options['gateway-id'] } : {}),
      speed,
      sinks: [sink],
      logger,
    });
    ports = result.ports;
  } catch (error) {
    if (error instanceof CaptureError) {
      console.error(`rfid-gateway: ${error.message}`);
      exitCode = EXIT_USAGE;
    } else if (error instanceof ZodError) {
      // The capture header names a driver or id that no config can hold.
      const problems = error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ');
      console.error(`rfid-gateway: ${capture}:1: cannot derive a config from the header: ${problems}`);
      exitCode = EXIT_USAGE;
    } else if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'EACCES'
    ) {
      console.error(`rfid-gateway: ${capture}: cannot read: ${(error as Error).message}`);
      exitCode = EXIT_USAGE;
    } else {
      throw error;
    }
  }
  await sink.flush();
  if (options.stats === true) console.error(JSON.stringify({ ports }));
  return exitCode;
}
