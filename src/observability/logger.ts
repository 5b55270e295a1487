import { type DestinationStream, type Logger, pino } from 'pino';
import { REDACTED } from '../shared/redaction.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Where JSON lines go; defaults to stderr so stdout stays free for event output. */
  destination?: DestinationStream;
  /** Write each line before returning, so that a command's last stderr line stays last. */
  sync?: boolean;
}

/** Field names that never reach a log line, wherever they appear in a logged object. */
const REDACTED_PATHS = ['password', '*.password', '*.*.password', 'token', '*.token', 'secret', '*.secret'];

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'rfid-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: REDACTED },
    },
    options.destination ?? pino.destination({ fd: 2, sync: options.sync ?? false }),
  );
}

/** A logger that drops everything, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
