import { type DestinationStream, type Logger, pino } from 'pino';
import { REDACTED } from '../shared/redaction.js';
import { TextLogStream } from './text-logs.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Where JSON lines go; defaults to stderr so stdout stays free for event output. */
  destination?: DestinationStream;
  /** Write each line before returning, so that a command's last stderr line stays last. */
  sync?: boolean;
  /** Short text lines instead of JSON on stderr; default: `logFormat()`. Ignored with `destination`. */
  text?: boolean;
}

/** Field names that never reach a log line, wherever they appear in a logged object. */
const REDACTED_PATHS = ['password', '*.password', '*.*.password', 'token', '*.token', 'secret', '*.secret'];

/**
 * Text for a person at a terminal, JSON for everything else (pipes, files, the journal, a log
 * shipper): `RFID_GATEWAY_LOG_FORMAT=json` or `text` says it outright.
 */
export function logFormat(stderr: { isTTY?: boolean } = process.stderr, env = process.env): 'text' | 'json' {
  const wanted = env.RFID_GATEWAY_LOG_FORMAT;
  if (wanted === 'json' || wanted === 'text') return wanted;
  return stderr.isTTY === true ? 'text' : 'json';
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const sync = options.sync ?? false;
  let destination = options.destination;
  if (destination === undefined) {
    const stderr = pino.destination({ fd: 2, sync });
    const text = options.text ?? logFormat() === 'text';
    destination = text
      ? new TextLogStream(stderr, {
          color: process.stderr.hasColors?.() === true && process.env.NO_COLOR === undefined,
          ...(process.stderr.columns === undefined ? {} : { columns: process.stderr.columns }),
        })
      : stderr;
  }
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'rfid-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: REDACTED },
    },
    destination,
  );
}

/** A logger that drops everything, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
