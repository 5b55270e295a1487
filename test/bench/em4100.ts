import { encodeEm4100Frame } from '../../src/protocols/em4100-ascii/codec.js';
import { Em4100AsciiDecoder } from '../../src/protocols/em4100-ascii/decoder.js';
import { LinesDecoder } from '../../src/protocols/lines/decoder.js';
import { encodeSensorLine } from '../../src/protocols/lines/encode.js';
import type { DecoderOutput, StreamDecoder } from '../../src/shared/decoding.js';
import { median } from './median.js';

/**
 * Decoder throughput: a stream pre-cut into 64-byte chunks (what a serial port delivers at best)
 * is pushed through a fresh decoder per run; the median of several runs is reported in MB/s.
 */

const CHUNK_BYTES = 64;
const RUNS = 9;
const EM4100_STREAM_BYTES = 8_000_000;
const LINES_STREAM_BYTES = 4_000_000;

export interface Counts {
  reads: number;
  messages: number;
  errors: number;
}

export function countingOutput(counts: Counts): DecoderOutput {
  return {
    tagRead: () => {
      counts.reads++;
    },
    message: () => {
      counts.messages++;
    },
    decodeError: () => {
      counts.errors++;
    },
  };
}

export function chunked(stream: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < stream.length; start += CHUNK_BYTES) {
    chunks.push(stream.slice(start, start + CHUNK_BYTES));
  }
  return chunks;
}

export function join(parts: Uint8Array[]): Uint8Array {
  const stream = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    stream.set(part, offset);
    offset += part.length;
  }
  return stream;
}

/** Half ID-12LA frames, half RDM6300 frames, IDs from a fixed LCG so every run sees the same bytes. */
function em4100Stream(): { stream: Uint8Array; frames: number } {
  const frames: Uint8Array[] = [];
  let seed = 12345;
  let bytes = 0;
  while (bytes < EM4100_STREAM_BYTES) {
    const id = new Uint8Array(5);
    for (let index = 0; index < 5; index++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      id[index] = seed >>> 24;
    }
    id[0] = (id[0] as number) | 1; // never the all-zero noise ID
    const frame = encodeEm4100Frame(id, frames.length % 2 === 0 ? 'id12' : 'rdm6300');
    frames.push(frame);
    bytes += frame.length;
  }
  return { stream: join(frames), frames: frames.length };
}

/** A sensor board's chatter: assignments, CR LF, JSON and logs. */
function linesStream(): { stream: Uint8Array; messages: number } {
  const encoder = new TextEncoder();
  const samples: Array<[Uint8Array, number]> = [
    [encodeSensorLine({ door: 'open' }), 1],
    [encoder.encode('temp=4.2\r\n'), 1],
    [encodeSensorLine({ weight: 1234 }), 1],
    [encodeSensorLine({ door: 'closed', temp: 4.25, alarm: false }), 3],
    [encoder.encode('# heartbeat 1234567\n'), 1],
  ];
  const lines: Uint8Array[] = [];
  let bytes = 0;
  let messages = 0;
  for (let index = 0; bytes < LINES_STREAM_BYTES; index++) {
    const [line, count] = samples[index % samples.length] as [Uint8Array, number];
    lines.push(line);
    bytes += line.length;
    messages += count;
  }
  return { stream: join(lines), messages };
}

export function medianMegabytesPerSecond(
  chunks: Uint8Array[],
  totalBytes: number,
  create: (output: DecoderOutput) => StreamDecoder,
  check: (counts: Counts) => void,
): number {
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const counts: Counts = { reads: 0, messages: 0, errors: 0 };
    const decoder = create(countingOutput(counts));
    const start = performance.now();
    for (const chunk of chunks) decoder.push(chunk);
    const seconds = (performance.now() - start) / 1000;
    check(counts);
    rates.push(totalBytes / 1e6 / seconds);
  }
  return median(rates);
}

export async function run(report: (bench: string, value: number, unit: string) => void): Promise<void> {
  const em4100 = em4100Stream();
  const em4100Rate = medianMegabytesPerSecond(
    chunked(em4100.stream),
    em4100.stream.length,
    (output) => new Em4100AsciiDecoder(output),
    (counts) => {
      if (counts.reads !== em4100.frames || counts.errors !== 0) {
        throw new Error(
          `em4100 bench decoded ${counts.reads}/${em4100.frames} frames, ${counts.errors} errors`,
        );
      }
    },
  );
  report('em4100.decode', Math.round(em4100Rate * 10) / 10, 'MB/s');

  const lines = linesStream();
  const linesRate = medianMegabytesPerSecond(
    chunked(lines.stream),
    lines.stream.length,
    (output) => new LinesDecoder(output),
    (counts) => {
      if (counts.messages !== lines.messages || counts.errors !== 0) {
        throw new Error(
          `lines bench decoded ${counts.messages}/${lines.messages} messages, ${counts.errors} errors`,
        );
      }
    },
  );
  report('lines.decode', Math.round(linesRate * 10) / 10, 'MB/s');
}
