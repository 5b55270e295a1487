import { describe, expect, it } from 'vitest';
import type { DecodeError, DecoderOutput, ReaderMessage } from '../../shared/decoding.js';
import { OPENSCALE_MAX_LINE_BYTES, OpenScaleDecoder } from './decoder.js';
import {
  BOOT_BANNER,
  DEFAULT_READINGS,
  KG_ALL_FIELDS,
  KG_MINIMAL,
  MENU,
  MENU_LINES,
  UNCALIBRATED,
  UNIT_CHANGE,
} from './fixtures.js';
import { OpenScaleDecodeReason } from './line.js';
import { createOpenScaleSimulator } from './simulator.js';

interface Run {
  messages: ReaderMessage[];
  errors: DecodeError[];
  decoder: OpenScaleDecoder;
  weights: () => Array<string | number>;
}

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
/** A line end first: the decoder trusts nothing before its first line end. */
const SYNC = bytes('\r\n');

function decoderRun(): Run & { push: (...chunks: Array<Uint8Array | string>) => void } {
  const messages: ReaderMessage[] = [];
  const errors: DecodeError[] = [];
  const output: DecoderOutput = {
    tagRead() {
      throw new Error('a scale reports no tags');
    },
    message: (message) => messages.push(message),
    decodeError: (error) => errors.push(error),
  };
  const decoder = new OpenScaleDecoder(output);
  return {
    messages,
    errors,
    decoder,
    weights: () =>
      messages.flatMap((message) =>
        message.kind === 'sensor' && message.channel === 'weight' ? [message.value] : [],
      ),
    push: (...chunks) => {
      for (const chunk of chunks) decoder.push(typeof chunk === 'string' ? bytes(chunk) : chunk);
    },
  };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

describe('OpenScaleDecoder', () => {
  it('skips the boot banner as text, naming the firmware, and reads the factory-set readings', () => {
    const run = decoderRun();
    run.push(BOOT_BANNER, DEFAULT_READINGS);
    expect(run.weights()).toEqual([349.3, 353.8, -4.5]);
    expect(run.messages[0]).toEqual({
      kind: 'identity',
      model: 'SparkFun OpenScale',
      firmware: '1.2',
      rebooted: true,
    });
    expect(run.messages.filter((message) => message.kind === 'log')).toHaveLength(6);
    expect(run.errors).toEqual([]);
    expect(run.decoder.skippedLines).toBe(6);
    expect(run.decoder.readings).toBe(3);
    expect(run.decoder.stats).toEqual({
      bytes: BOOT_BANNER.length + DEFAULT_READINGS.length,
      frames: 9,
      reads: 0,
      errors: 0,
      droppedBytes: 0,
    });
  });

  it('reads every layout: kg with all optional fields, the shortest line', () => {
    const run = decoderRun();
    run.push(SYNC, KG_ALL_FIELDS, KG_MINIMAL);
    expect(run.weights()).toEqual([350, 2000]);
    // The temperatures are not taken: which is which cannot be told from the line (see README).
    expect(run.messages.every((message) => message.kind === 'sensor')).toBe(true);
  });

  it('decodes the same whichever way the stream is cut, down to one byte per chunk', () => {
    const stream = concat(BOOT_BANNER, DEFAULT_READINGS, UNIT_CHANGE, KG_ALL_FIELDS);
    const whole = decoderRun();
    whole.push(stream);
    expect(whole.weights()).toEqual([349.3, 353.8, -4.5, 349.3, 350, 350]);
    for (const size of [1, 2, 3, 7, 19]) {
      const run = decoderRun();
      for (let at = 0; at < stream.length; at += size) run.push(stream.subarray(at, at + size));
      expect(run.messages, `chunks of ${size}`).toEqual(whole.messages);
      expect(run.decoder.stats).toEqual(whole.decoder.stats);
    }
  });

  it('ends lines at CR LF, LF, CR or LF CR alike', () => {
    const run = decoderRun();
    run.push('\n0.35,kg,\r\n0.36,kg,\n0.37,kg,\r0.38,kg,\n\r0.39,kg,\r\n');
    expect(run.weights()).toEqual([350, 360, 370, 380, 390]);
    expect(run.errors).toEqual([]);
    expect(run.decoder.skippedLines).toBe(0);
  });

  it('honours a change of unit from one line to the next', () => {
    const run = decoderRun();
    run.push(SYNC, UNIT_CHANGE, '1.0,lbs,\r\n');
    expect(run.weights()).toEqual([349.3, 350, 453.6]);
    expect(run.decoder.skippedLines).toBe(2);
    expect(run.errors).toEqual([]);
  });

  it('drops the partial line it starts in, quietly: it could read "2,lbs," out of "10.52,lbs,"', () => {
    const run = decoderRun();
    run.push('52,lbs,23.94,\r\n1500,10.52,lbs,23.94,\r\n');
    expect(run.weights()).toEqual([4771.8]);
    expect(run.errors).toEqual([]);
    expect(run.decoder.skippedLines).toBe(1);
    expect(run.decoder.stats.droppedBytes).toBe('52,lbs,23.94,'.length);
    // And again after a reset (the port reopened), which reports the line it cut.
    run.push('1959,10.5');
    run.decoder.reset();
    run.push('3,lbs,23.94,\r\n2418,10.53,lbs,\r\n');
    expect(run.weights()).toEqual([4771.8, 4776.3]);
    expect(run.errors).toEqual([
      expect.objectContaining({ reason: OpenScaleDecodeReason.reset, droppedBytes: 9 }),
    ]);
  });

  it('drops a line with garbage in it whole, with one error, and resynchronises at its end', () => {
    const run = decoderRun();
    run.push(SYNC, '0.35,kg,\r\n0.3\xff\xfe5,kg,\r\n\x8a\x13garbage\r\n0.36,kg,\r\n');
    expect(run.weights()).toEqual([350, 360]);
    expect(run.errors.map((error) => error.reason)).toEqual([
      OpenScaleDecodeReason.notPrintable,
      OpenScaleDecodeReason.notPrintable,
    ]);
    expect(run.errors[0]).toMatchObject({ streamOffset: 2 + 10 });
    expect(run.decoder.stats.errors).toBe(2);
  });

  it('drops the NUL-filled line an adapter reads as it is unplugged, and reads on after it', () => {
    const run = decoderRun();
    run.push(SYNC, '0.35,kg,\r\n0.3', new Uint8Array(40), '\r\n0.36,kg,\r\n', new Uint8Array(8));
    expect(run.weights()).toEqual([350, 360]);
    expect(run.errors).toEqual([
      { reason: OpenScaleDecodeReason.nulBytes, streamOffset: 12, droppedBytes: 43 },
    ]);
    // The NULs still waiting for a line end are reported when the port is reopened.
    run.decoder.reset();
    expect(run.errors.at(-1)).toEqual({
      reason: OpenScaleDecodeReason.nulBytes,
      streamOffset: 12 + 43 + 2 + 10,
      droppedBytes: 8,
    });
  });

  it('reports garbage that never ends a line every few hundred bytes, holding none of it', () => {
    const run = decoderRun();
    run.push(SYNC, new Uint8Array(5000).fill(0xf0));
    expect(run.decoder.pendingBytes).toBe(0);
    expect(run.errors.length).toBe(Math.floor(5000 / (4 * OPENSCALE_MAX_LINE_BYTES)));
    expect(run.decoder.stats.droppedBytes).toBe(5000);
    // Garbage from the very start (a wrong baud rate) is an error too, not a quiet partial line.
    const early = decoderRun();
    early.push(new Uint8Array([0xf0, 0x0f, 0xf0]), '\r\n0.35,kg,\r\n');
    expect(early.errors.map((error) => error.droppedBytes)).toEqual([3]);
    expect(early.weights()).toEqual([350]);
  });

  it('drops a line longer than the limit, and keeps one of exactly the limit', () => {
    const run = decoderRun();
    const limit = `0.35,kg,${'1'.repeat(OPENSCALE_MAX_LINE_BYTES - 8)}`;
    run.push(SYNC, `${limit}\r\n${limit}1\r\n0.36,kg,\r\n`);
    // The limit-long line is a reading gone wrong (a 120-digit raw field), the next one too long.
    expect(run.errors.map((error) => error.reason)).toEqual([
      OpenScaleDecodeReason.malformedReading,
      OpenScaleDecodeReason.tooLong,
    ]);
    expect(run.errors[1]?.droppedBytes).toBe(OPENSCALE_MAX_LINE_BYTES + 1);
    expect(run.weights()).toEqual([360]);
  });

  it('counts the menu as skipped text and an uncalibrated scale as errors', () => {
    const run = decoderRun();
    run.push(SYNC, MENU, 'Exiting\r\n', UNCALIBRATED);
    expect(run.decoder.skippedLines).toBe(MENU_LINES + 1);
    expect(run.weights()).toEqual([]);
    expect(run.errors.map((error) => error.reason)).toEqual([
      OpenScaleDecodeReason.noWeight,
      OpenScaleDecodeReason.noWeight,
    ]);
  });
});

describe('createOpenScaleSimulator', () => {
  it('prints the banner, then readings the decoder reads as the load with noise', () => {
    const simulator = createOpenScaleSimulator({ seed: 7, unit: 'kg', decimals: 3 });
    const run = decoderRun();
    for (let line = 0; line < 200; line++) run.push(simulator.heartbeatFrame?.() ?? new Uint8Array());
    expect(run.errors).toEqual([]);
    expect(run.decoder.readings).toBe(200);
    const weights = run.weights() as number[];
    // Each reading is a whole number of 350 g cans, within the noise (1 g resolution in kg/3).
    for (const grams of weights) {
      const cans = Math.round(grams / 350);
      expect(Math.abs(grams - cans * 350)).toBeLessThanOrEqual(2);
    }
    expect(new Set(weights.map((grams) => Math.round(grams / 350))).size).toBeGreaterThan(1);
    expect(simulator.answer(bytes('x'))).toEqual([]);
  });

  it('prints the factory format by default: timestamp, lbs with 2 decimals, temperature', () => {
    const frame = new TextDecoder().decode(createOpenScaleSimulator().heartbeatFrame?.());
    expect(frame).toMatch(/Readings:\r\n1041,[0-9]+\.[0-9]{2},lbs,2[34]\.[0-9]{2},\r\n$/);
  });
});
