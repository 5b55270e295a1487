import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZodError } from 'zod';
import { engineChecks } from '../app/config-checks.js';
import { replayCapture } from '../app/replay.js';
import { ConfigError, formatPath, loadConfigFile } from '../config/load.js';
import { mqttSchema } from '../config/mqtt.js';
import { epcisRecorder } from '../integrations/epcis/index.js';
import { redactUrl } from '../mqtt/errors.js';
import { createLogger } from '../observability/logger.js';
import { OutboxError, StoreLockedError } from '../store/index.js';
import { CaptureError } from '../transport/capture.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, parseNumberOption, UsageError } from './usage.js';

type Options = Record<string, string | boolean | undefined>;

const text = (options: Options, name: string) =>
  typeof options[name] === 'string' ? options[name] : undefined;

export async function replayCommand(capture: string, options: Options): Promise<number> {
  const speed = parseNumberOption('speed', text(options, 'speed'), 0, 10_000) ?? 0;
  const drainSeconds = parseNumberOption('drain-timeout', text(options, 'drain-timeout'), 0, 86_400) ?? 60;
  const mqttUrl = text(options, 'mqtt');
  const mqttParsed = mqttUrl === undefined ? undefined : mqttSchema.safeParse({ url: mqttUrl });
  if (mqttParsed && !mqttParsed.success)
    throw new UsageError(`--mqtt: ${mqttParsed.error.issues[0]?.message}`);
  let config: ReturnType<typeof loadConfigFile> | undefined;
  try {
    config = text(options, 'config')
      ? loadConfigFile(text(options, 'config') as string, engineChecks)
      : undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return EXIT_USAGE;
  }
  const level = config?.logLevel === 'info' ? 'warn' : (config?.logLevel ?? 'warn');
  const logger = createLogger({ level, sync: true });
  const gatewayId = text(options, 'gateway-id') ?? (mqttUrl ? 'replay' : undefined);
  const dataDirOption = text(options, 'data-dir');
  // --epcis FILE: EPCIS output on (the config's `epcis` settings, else the defaults), every EPCIS
  // event of the replay written to FILE as one EPCISDocument. Opened first (not truncated): a path
  // that cannot be written is a usage error before anything runs.
  const epcisFile = text(options, 'epcis');
  const recorder = epcisFile === undefined ? undefined : epcisRecorder();
  const epcisFileExisted = epcisFile !== undefined && existsSync(epcisFile);
  if (epcisFile !== undefined) {
    try {
      closeSync(openSync(epcisFile, 'a'));
    } catch (error) {
      console.error(`rfid-gateway: --epcis ${epcisFile}: cannot write: ${(error as Error).message}`);
      return EXIT_USAGE;
    }
  }

  // With --mqtt: the same outbox and publisher as `run`, in --data-dir or a temporary directory.
  const temporaryDir = mqttUrl && !dataDirOption ? mkdtempSync(join(tmpdir(), 'rfid-replay-')) : undefined;
  const dataDir = dataDirOption ?? temporaryDir;

  let exitCode = EXIT_OK;
  let ports: Record<string, unknown> = {};
  let outputs: Record<string, unknown> = {};
  try {
    const result = await replayCapture({
      file: capture,
      ...(config ? { config } : {}),
      ...(gatewayId ? { gatewayId } : {}),
      speed,
      stdout: process.stdout,
      logger,
      ...(dataDir ? { dataDir } : {}),
      ...(mqttParsed?.success ? { mqtt: mqttParsed.data, drainMs: drainSeconds * 1000 } : {}),
      ...(recorder ? { epcis: true, extraFeatures: [recorder.feature] } : {}),
    });
    ports = result.ports;
    outputs = result.outputs;
    if (!result.drained) {
      const kept = temporaryDir ? 'discarded with the temporary outbox' : `kept in ${dataDirOption}`;
      console.error(
        `rfid-gateway: events not acknowledged by ${redactUrl(mqttUrl ?? '')} within ${drainSeconds} s (${kept})`,
      );
      exitCode = EXIT_FAILURE;
    }
  } catch (error) {
    exitCode = reportReplayError(error, capture);
  }
  // Like the event lines: a capture broken half-way still gives the events of the chunks before it.
  // A replay that never started (no header, unreadable capture) leaves no file it created.
  const document = recorder?.document();
  if (epcisFile !== undefined && document) {
    try {
      writeFileSync(epcisFile, `${JSON.stringify(document, null, 2)}\n`);
    } catch (error) {
      console.error(`rfid-gateway: --epcis ${epcisFile}: cannot write: ${(error as Error).message}`);
      exitCode = EXIT_FAILURE;
    }
  } else if (epcisFile !== undefined && !epcisFileExisted) rmSync(epcisFile, { force: true });
  if (temporaryDir) rmSync(temporaryDir, { recursive: true, force: true });
  if (options.stats === true) console.error(JSON.stringify({ ports, outputs }));
  return exitCode;
}

function reportReplayError(error: unknown, capture: string): number {
  if (error instanceof OutboxError) {
    console.error(`rfid-gateway: ${error.message}`);
    return error instanceof StoreLockedError ? EXIT_USAGE : EXIT_FAILURE;
  }
  if (error instanceof CaptureError) {
    console.error(`rfid-gateway: ${error.message}`);
    return EXIT_USAGE;
  }
  if (error instanceof ZodError) {
    // The capture header names a driver or id that no config can hold.
    const problems = error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ');
    console.error(`rfid-gateway: ${capture}:1: cannot derive a config from the header: ${problems}`);
    return EXIT_USAGE;
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    console.error(`rfid-gateway: ${capture}: cannot read: ${(error as Error).message}`);
    return EXIT_USAGE;
  }
  throw error;
}
