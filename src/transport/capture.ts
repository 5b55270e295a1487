import { z } from 'zod';
import { formatIssues, namingReceivedValue } from '../shared/issue-messages.js';

/**
 * The capture file (DESIGN.md "Capture file"): line 1 a header, then one chunk of bytes per line,
 * in time order. Unknown header fields are ignored, so newer writers stay readable.
 */
export const capturePortSchema = z.object({
  id: z.string().min(1),
  driver: z.string().min(1),
  baudRate: z.number().int().positive().optional(),
  /**
   * The reader's settings when it was recorded (a Chafon in scan mode, an R2000's poll interval),
   * so that a replay without a config judges its silences as the recording gateway did. Not an
   * object: ignored, as an unknown field would be.
   */
  settings: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

export const captureHeaderSchema = z.object({
  capture: z.literal('rfid-gateway'),
  version: z.literal(1),
  startedAt: z.iso.datetime(),
  ports: z.array(capturePortSchema).min(1),
});

const hex = z.string().regex(/^(?:[0-9a-fA-F]{2})*$/, 'must be hex with an even number of digits');

/**
 * A chunk line. Documents the format (and is what the reader's fast check is tested against); the
 * reader itself checks lines by hand, because a zod parse per line would dominate a long replay.
 */
/** A century of milliseconds: anything beyond is a broken writer, and no Date could hold it. */
const MAX_CHUNK_T_MS = 100 * 365.25 * 24 * 3600 * 1000;

export const captureChunkLineSchema = z.union([
  z.object({
    t: z.number().nonnegative().max(MAX_CHUNK_T_MS),
    port: z.string(),
    rx: hex,
    tx: z.undefined().optional(),
  }),
  z.object({
    t: z.number().nonnegative().max(MAX_CHUNK_T_MS),
    port: z.string(),
    tx: hex,
    rx: z.undefined().optional(),
  }),
]);

export type CapturePort = z.infer<typeof capturePortSchema>;
export type CaptureHeader = z.infer<typeof captureHeaderSchema>;

export interface CaptureChunk {
  /** 1-based line number in the file, for error messages further up. */
  line: number;
  /** Milliseconds since the header's `startedAt`. */
  t: number;
  port: string;
  dir: 'rx' | 'tx';
  bytes: Uint8Array;
}

/** `line` is 1-based; 0 when the problem is the file as a whole (e.g. it cannot be opened). */
export class CaptureError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
    this.name = 'CaptureError';
  }
}

const HEX = /^[0-9a-fA-F]*$/;

function describe(value: unknown): string {
  return value === undefined ? 'missing' : `got ${JSON.stringify(value)}`;
}

/**
 * Validates one parsed chunk line; returns the problem, or undefined when it is fine.
 * Agrees with `captureChunkLineSchema` (tested), at a fraction of its cost.
 */
export function checkChunkLine(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'chunk must be a JSON object';
  const { t, port, rx, tx } = value as Record<string, unknown>;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0)
    return `chunk.t must be a number >= 0 (${describe(t)})`;
  if (t > MAX_CHUNK_T_MS) return `chunk.t must be at most ${MAX_CHUNK_T_MS} ms (${describe(t)})`;
  if (typeof port !== 'string') return `chunk.port must be a string (${describe(port)})`;
  if ((rx === undefined) === (tx === undefined)) return 'chunk must have exactly one of "rx" and "tx"';
  const data = rx ?? tx;
  const field = rx === undefined ? 'tx' : 'rx';
  if (typeof data !== 'string' || data.length % 2 !== 0 || !HEX.test(data)) {
    return `chunk.${field} must be hex with an even number of digits`;
  }
  return undefined;
}

/**
 * Turns the text of a capture, in blocks of any size, into validated chunks. Synchronous and
 * free of I/O, so the async reader and the replay's blocking cursor share it.
 *
 * A last line without a newline is accepted when it parses (editors drop final newlines); when it
 * does not, the capture was cut off mid-write: `end()` throws, naming that line, after every valid
 * chunk before it has been handed out. Blank lines are skipped.
 */
export class CaptureParser {
  header: CaptureHeader | undefined;
  private ports = new Set<string>();
  private lineNumber = 0;
  private carry = '';
  private lastT = 0;

  constructor(readonly file: string) {}

  /** Parses the complete lines in `text` (plus what was left over from the previous block). */
  push(text: string, out: CaptureChunk[]): void {
    let start = 0;
    let newline = text.indexOf('\n');
    if (newline >= 0 && this.carry !== '') {
      this.parseLine(this.carry + text.slice(0, newline), out);
      this.carry = '';
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    while (newline >= 0) {
      this.parseLine(text.slice(start, newline), out);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.carry += text.slice(start);
  }

  /** End of file: parses a last line that had no newline, and checks that there was a header. */
  end(out: CaptureChunk[]): void {
    const last = this.carry;
    this.carry = '';
    if (last.trim() !== '') {
      try {
        JSON.parse(last);
      } catch {
        throw new CaptureError(this.file, this.lineNumber + 1, 'truncated capture: last line is incomplete');
      }
      this.parseLine(last, out);
    }
    if (this.header === undefined) throw new CaptureError(this.file, 1, 'empty capture: no header line');
  }

  private parseLine(text: string, out: CaptureChunk[]): void {
    const line = ++this.lineNumber;
    if (text.length === 0 || text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new CaptureError(this.file, line, `not JSON (${(error as Error).message})`);
    }
    if (this.header === undefined) {
      this.parseHeader(value, line);
      return;
    }
    const problem = checkChunkLine(value);
    if (problem !== undefined) throw new CaptureError(this.file, line, problem);
    const chunk = value as { t: number; port: string; rx?: string; tx?: string };
    if (!this.ports.has(chunk.port)) {
      throw new CaptureError(
        this.file,
        line,
        `unknown port "${chunk.port}" (the header has ${[...this.ports].join(', ')})`,
      );
    }
    if (chunk.t < this.lastT) {
      throw new CaptureError(this.file, line, `chunk.t goes backwards: ${chunk.t} after ${this.lastT}`);
    }
    this.lastT = chunk.t;
    const dir = chunk.rx === undefined ? 'tx' : 'rx';
    const bytes = Buffer.from((chunk.rx ?? chunk.tx) as string, 'hex');
    out.push({ line, t: chunk.t, port: chunk.port, dir, bytes });
  }

  private parseHeader(value: unknown, line: number): void {
    const parsed = captureHeaderSchema.safeParse(value, { error: namingReceivedValue });
    if (!parsed.success)
      throw new CaptureError(this.file, line, `bad header: ${formatIssues(parsed.error.issues, '(header)')}`);
    for (const port of parsed.data.ports) {
      if (this.ports.has(port.id))
        throw new CaptureError(this.file, line, `bad header: port "${port.id}" twice`);
      this.ports.add(port.id);
    }
    this.header = parsed.data;
  }
}
