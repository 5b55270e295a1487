import { basename } from 'node:path';
import { DevicePipeline } from '../app/device-pipeline.js';
import { readerSettingsChecks } from '../app/reader-settings-checks.js';
import { ConfigError, parseConfig } from '../config/load.js';
import { createLogger } from '../observability/logger.js';
import { driverNamed } from '../protocols/index.js';
import { systemClock } from '../shared/clock.js';
import type { ReaderSettings } from '../shared/decoding.js';
import { CaptureWriter, createTransport } from '../transport/index.js';
import { RecordingTransport } from '../transport/recording.js';
import { EXIT_FAILURE, EXIT_OK, parseNumberOption, UsageError } from './usage.js';

function defaultCaptureName(now: number): string {
  return `capture-${new Date(now).toISOString().replace(/[:.]/g, '-')}.jsonl`;
}

/**
 * `--settings` as a config's reader `settings` (its family's keys and ranges, its driver's own
 * rules), so that a recording starts the reader as the gateway will.
 */
function readerSettings(driver: string, json: string | undefined): ReaderSettings {
  if (json === undefined) return {};
  let settings: unknown;
  try {
    settings = JSON.parse(json);
  } catch (error) {
    throw new UsageError(`--settings is not JSON: ${(error as Error).message}`);
  }
  const document = { readers: [{ id: 'recorded', driver, port: 'recorded', settings }] };
  try {
    return parseConfig(document, '--settings', readerSettingsChecks).readers[0]?.settings ?? {};
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new UsageError(
      error.problems
        .map(
          (problem) => `--settings${problem.path.replace(/^readers\[0\]\.settings/, '')}: ${problem.message}`,
        )
        .join('; '),
    );
  }
}

/**
 * Opens a device, sends its driver's start-up commands and records both directions until
 * --seconds pass or a signal arrives; then stops the reader and closes the capture.
 */
export async function recordCommand(options: Record<string, string | undefined>): Promise<number> {
  if (!options.port) throw new UsageError('record needs --port PATH');
  if (!options.driver) throw new UsageError('record needs --driver NAME');
  let driver: ReturnType<typeof driverNamed>;
  try {
    driver = driverNamed(options.driver);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const baudRate = parseNumberOption('baud', options.baud, 300, 4_000_000) ?? driver.defaultBaudRate;
  const seconds = parseNumberOption('seconds', options.seconds, 0, 31_536_000);
  const portId = options.id ?? (driver.kind === 'reader' ? 'reader' : 'sensor');
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(portId))
    throw new UsageError(`--id "${portId}" is not a valid id`);
  const out = options.out ?? defaultCaptureName(systemClock.now());
  const settings = readerSettings(driver.name, options.settings);

  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info' });
  let writer: CaptureWriter;
  try {
    // The settings go into the header: a replay without a config then polls and waits as this did.
    const port = { id: portId, driver: driver.name, baudRate };
    const recorded = Object.keys(settings).length > 0 ? { ...port, settings: { ...settings } } : port;
    writer = await CaptureWriter.open(out, [recorded], systemClock);
  } catch (error) {
    console.error(`rfid-gateway: cannot write ${out}: ${(error as Error).message}`);
    return EXIT_FAILURE;
  }
  const transport = new RecordingTransport(
    createTransport({ port: options.port, baudRate }, { clock: systemClock, logger }),
    writer,
    portId,
  );
  const pipeline = new DevicePipeline({
    id: portId,
    driver,
    settings,
    clock: systemClock,
    logger,
    publish: (body) => logger.info({ event: body }, 'device event'),
    zone: portId,
    interactive: true,
    openTransport: () => transport,
  });
  logger.info({ port: options.port, driver: driver.name, out, seconds }, 'recording');
  pipeline.start();

  await new Promise<void>((resolve) => {
    const timer = seconds === undefined ? undefined : setTimeout(resolve, seconds * 1000);
    const stop = () => {
      if (timer) clearTimeout(timer);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await pipeline.stop();
  await writer.close();
  const { bytes, frames, reads, errors } = pipeline.counters;
  console.error(
    `${basename(out)}: ${bytes} bytes received, ${frames} frames, ${reads} reads, ${errors} errors`,
  );
  return EXIT_OK;
}
