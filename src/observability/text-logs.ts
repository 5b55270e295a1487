/**
 * Log lines for a person at a terminal: pino's JSON lines in, one short line each out,
 * `10:00:01.250 WARN  [fridge] decode error  reason=bad-crc droppedBytes=8`, and a line that keeps
 * coming back is shown once, then summarised: `… repeated 12 times in the last 60 s`. Pipes and the
 * journal keep the JSON (see logger.ts). Pino calls `write` only for the levels it logs, so nothing
 * here runs, or allocates, for a line filtered out by the level.
 */

export interface TextSink {
  write(text: string): unknown;
  flushSync?(): void;
}

export interface TextLogOptions {
  /** ANSI colours for the level. */
  color?: boolean;
  /** Terminal width: a line's fields are cut to fit (the message never is, nor errors). */
  columns?: number;
}

/** A line not seen for this long starts afresh: printed whole again. */
const QUIET_MS = 10 * 60_000;
/** Summarised once it came back this often, after at least a minute ... */
const SUMMARY_MIN_REPEATS = 10;
const SUMMARY_MIN_MS = 60_000;
/** ... or after an hour, however often. */
const SUMMARY_MAX_MS = 60 * 60_000;
/** Distinct lines remembered at once; the least recent goes first. */
const MAX_TRACKED = 500;

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const COLORS: Record<number, string> = { 10: '90', 20: '90', 30: '36', 40: '33', 50: '31', 60: '35' };
/** Whose line it is, shown first in brackets, the first one present. */
const CONTEXT_KEYS = ['component', 'reader', 'device', 'cabinet', 'part', 'actuator'];
/** Said by the layout, or the same on every line. */
const HIDDEN_KEYS = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

type Fields = Record<string, unknown>;

interface Run {
  /** The first line, to repeat its beginning in the summary. */
  head: string;
  level: number;
  since: number;
  lastSeen: number;
  repeats: number;
}

export class TextLogStream {
  private readonly runs = new Map<string, Run>();
  private readonly color: boolean;
  private readonly columns: number | undefined;

  constructor(
    private readonly sink: TextSink,
    options: TextLogOptions = {},
  ) {
    this.color = options.color ?? false;
    this.columns = options.columns;
  }

  /** One pino line (JSON, ending in a newline). */
  write(line: string): boolean {
    let fields: Fields;
    try {
      fields = JSON.parse(line) as Fields;
    } catch {
      this.sink.write(line.endsWith('\n') ? line : `${line}\n`);
      return true;
    }
    const at = typeof fields.time === 'string' ? Date.parse(fields.time) : Number.NaN;
    const level = typeof fields.level === 'number' ? fields.level : 30;
    let out = this.endQuietRuns(at);
    const key = runKey(fields);
    const run = this.runs.get(key);
    if (run !== undefined && Number.isFinite(at)) {
      // Refreshed as most recent, so that the map's order is the eviction order.
      this.runs.delete(key);
      this.runs.set(key, run);
      run.repeats += 1;
      run.lastSeen = at;
      const span = at - run.since;
      if ((span >= SUMMARY_MIN_MS && run.repeats >= SUMMARY_MIN_REPEATS) || span >= SUMMARY_MAX_MS) {
        out += this.summary(run, at);
        run.since = at;
        run.repeats = 0;
      }
    } else {
      const text = this.format(fields, level);
      out += text;
      if (Number.isFinite(at)) this.track(key, { head: text, level, since: at, lastSeen: at, repeats: 0 });
    }
    if (out !== '') this.sink.write(out);
    return true;
  }

  /** What is left to summarise goes out now (pino's `flush`, at the end of a command). */
  flush(done?: (error?: Error) => void): void {
    let out = '';
    for (const run of this.runs.values()) if (run.repeats > 0) out += this.summary(run, run.lastSeen);
    this.runs.clear();
    if (out !== '') this.sink.write(out);
    try {
      this.sink.flushSync?.();
    } catch {
      // Stderr would not take it now (EAGAIN on a busy terminal): the lines are still queued.
    }
    done?.();
  }

  flushSync(): void {
    this.flush();
  }

  private endQuietRuns(now: number): string {
    let out = '';
    if (!Number.isFinite(now)) return out;
    for (const [key, run] of this.runs) {
      if (now - run.lastSeen <= QUIET_MS) continue;
      if (run.repeats > 0) out += this.summary(run, run.lastSeen);
      this.runs.delete(key);
    }
    return out;
  }

  private track(key: string, run: Run): void {
    if (this.runs.size >= MAX_TRACKED) {
      const [oldest] = this.runs.keys();
      if (oldest !== undefined) this.runs.delete(oldest);
    }
    this.runs.set(key, run);
  }

  private summary(run: Run, until: number): string {
    const head = run.head.split('\n')[0]?.replace(/^\S+/, clockTime(until)) ?? '';
    const times = run.repeats === 1 ? 'once more' : `${run.repeats} times`;
    return `${head} … repeated ${times} in the last ${duration(until - run.since)}\n`;
  }

  private format(fields: Fields, level: number): string {
    const time = typeof fields.time === 'string' ? clockTime(Date.parse(fields.time)) : '--:--:--.---';
    const name = LEVELS[level] ?? String(level).padEnd(5);
    const shownLevel = this.color ? `\u001b[${COLORS[level] ?? '0'}m${name}\u001b[0m` : name;
    const context = CONTEXT_KEYS.map((key) => fields[key]).find((value) => typeof value === 'string');
    const message = typeof fields.msg === 'string' ? fields.msg : '';
    let line = `${time} ${shownLevel} ${context === undefined ? '' : `[${context}] `}${message}`;
    const rest: string[] = [];
    let stack: string | undefined;
    for (const [key, value] of Object.entries(fields)) {
      if (HIDDEN_KEYS.has(key) || value === undefined) continue;
      // The context once, even when a child logger repeats it under another name (device, reader).
      if (typeof value === 'string' && value === context && CONTEXT_KEYS.includes(key)) continue;
      if ((key === 'err' || key === 'error') && typeof value === 'object' && value !== null) {
        const error = value as { message?: unknown; stack?: unknown };
        rest.push(`${key}=${show(error.message ?? value)}`);
        if (level >= 50 && typeof error.stack === 'string') stack = error.stack;
        continue;
      }
      rest.push(`${key}=${show(value)}`);
    }
    if (rest.length > 0) {
      let tail = ` ${rest.join(' ')}`;
      const room = this.columns === undefined ? undefined : this.columns - visibleLength(line) - 1;
      if (level < 50 && room !== undefined && tail.length > room) {
        tail = room > 2 ? `${tail.slice(0, room - 1)}…` : '';
      }
      line += tail;
    }
    return `${line}\n${stack === undefined ? '' : `${indent(stack)}\n`}`;
  }
}

/** Level, whose line it is, the message, and every field that is not a count or a measure. */
function runKey(fields: Fields): string {
  let key = `${String(fields.level)}|${String(fields.msg)}`;
  for (const [name, value] of Object.entries(fields)) {
    if (HIDDEN_KEYS.has(name) || typeof value === 'number') continue;
    key += `|${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
  }
  return key;
}

function clockTime(at: number): string {
  return Number.isFinite(at) ? new Date(at).toISOString().slice(11, 23) : '--:--:--.---';
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}

/** Values as a person reads them: bare when that is unambiguous, long paths by their end. */
function show(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value) ?? String(value);
  let text = value;
  const cut = text.length > 48 ? text.lastIndexOf('/', text.length - 24) : -1;
  if (cut > 0) text = `…${text.slice(cut)}`;
  return /^[^\s"=]*$/.test(text) && text !== '' ? text : JSON.stringify(text);
}

function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing the colour codes this file writes
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

function indent(stack: string): string {
  return stack
    .split('\n')
    .map((line) => `    ${line.trim()}`)
    .join('\n');
}
