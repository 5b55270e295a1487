import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecodeError, DecoderOutput, ReaderMessage } from '../../shared/decoding.js';
import { LinesDecoder } from './decoder.js';
import { LinesDecodeReason } from './parse.js';

// DESIGN.md, "Capture file": the `io` port's received chunk `646f6f723d6f70656e0a`.
const DESIGN_CAPTURE_RX = Uint8Array.from([0x64, 0x6f, 0x6f, 0x72, 0x3d, 0x6f, 0x70, 0x65, 0x6e, 0x0a]);

interface Run {
  messages: ReaderMessage[];
  errors: DecodeError[];
  decoder: LinesDecoder;
}

function decode(chunks: Array<Uint8Array | string>): Run {
  const messages: ReaderMessage[] = [];
  const errors: DecodeError[] = [];
  const output: DecoderOutput = {
    tagRead() {
      throw new Error('a lines device reports no tags');
    },
    message: (message) => messages.push(message),
    decodeError: (error) => errors.push(error),
  };
  const decoder = new LinesDecoder(output);
  for (const chunk of chunks) decoder.push(typeof chunk === 'string' ? bytes(chunk) : chunk);
  return { messages, errors, decoder };
}

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function sensor(channel: string, value: string | number): ReaderMessage {
  return { kind: 'sensor', channel, value };
}

function split(stream: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => Math.min(cut, stream.length)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(stream.subarray(start, point));
    start = point;
  }
  chunks.push(stream.subarray(start));
  return chunks;
}

describe('LinesDecoder', () => {
  it('decodes the DESIGN.md examples', () => {
    const { messages, errors, decoder } = decode([
      DESIGN_CAPTURE_RX,
      'door=closed\nweight=1234\ntemp=4.2\n{"door":"open","temp":4.2}\n# boot v1.2\n',
    ]);
    expect(messages).toEqual([
      sensor('door', 'open'),
      sensor('door', 'closed'),
      sensor('weight', 1234),
      sensor('temp', 4.2),
      sensor('door', 'open'),
      sensor('temp', 4.2),
      { kind: 'log', text: 'boot v1.2' },
    ]);
    expect(errors).toEqual([]);
    expect(decoder.stats).toEqual({ bytes: 82, frames: 6, reads: 0, errors: 0, droppedBytes: 0 });
  });

  it('ignores the CR of CR LF, also when the LF comes in the next chunk', () => {
    const { messages, errors } = decode(['door=open\r\n', 'temp=-3\r', '\n']);
    expect(messages).toEqual([sensor('door', 'open'), sensor('temp', -3)]);
    expect(errors).toEqual([]);
  });

  it('ignores empty and blank lines without counting them', () => {
    const { messages, errors, decoder } = decode(['\n\r\n   \n\t\nbuzzer=on\n']);
    expect(messages).toEqual([sensor('buzzer', 'on')]);
    expect(errors).toEqual([]);
    expect(decoder.stats.frames).toBe(1);
  });

  it('rejects lines that are neither assignments nor JSON, with their stream offsets', () => {
    const { messages, errors, decoder } = decode([
      'hello\n', // no '='
      '=5\n', // empty channel
      'my door=open\n', // space in the channel
      'door=op\u0000en\n', // NUL
      'door=op\ren\n', // a CR not before the LF
      'door=open\n',
    ]);
    expect(messages).toEqual([sensor('door', 'open')]);
    expect(errors).toEqual([
      { reason: LinesDecodeReason.notAssignment, streamOffset: 0, droppedBytes: 6 },
      { reason: LinesDecodeReason.invalidChannel, streamOffset: 6, droppedBytes: 3 },
      { reason: LinesDecodeReason.invalidChannel, streamOffset: 9, droppedBytes: 13 },
      { reason: LinesDecodeReason.nonPrintable, streamOffset: 22, droppedBytes: 11 },
      { reason: LinesDecodeReason.nonPrintable, streamOffset: 33, droppedBytes: 11 },
    ]);
    expect(decoder.stats).toEqual({ bytes: 54, frames: 1, reads: 0, errors: 5, droppedBytes: 44 });
  });

  it('rejects invalid UTF-8', () => {
    const { messages, errors } = decode([Uint8Array.of(0x61, 0x3d, 0xff, 0x0a), 'a=1\n']);
    expect(messages).toEqual([sensor('a', 1)]);
    expect(errors).toEqual([{ reason: LinesDecodeReason.invalidUtf8, streamOffset: 0, droppedBytes: 4 }]);
  });

  it('accepts a line of exactly 256 bytes, with or without CR', () => {
    const line = `note=${'x'.repeat(251)}`;
    expect(line.length).toBe(256);
    const { messages, errors } = decode([`${line}\n${line}\r\n`]);
    expect(messages).toEqual([sensor('note', 'x'.repeat(251)), sensor('note', 'x'.repeat(251))]);
    expect(errors).toEqual([]);
  });

  it('drops an overlong line up to its LF as one error, however it is chunked', () => {
    const long = `note=${'y'.repeat(995)}\r\n`; // 1002 bytes with its terminator
    for (const chunkSize of [1, 7, 64, 257, 2000]) {
      const stream = bytes(`a=1\n${long}b=2\n`);
      const chunks: Uint8Array[] = [];
      for (let start = 0; start < stream.length; start += chunkSize) {
        chunks.push(stream.subarray(start, start + chunkSize));
      }
      const { messages, errors, decoder } = decode(chunks);
      expect(messages).toEqual([sensor('a', 1), sensor('b', 2)]);
      expect(errors).toEqual([{ reason: LinesDecodeReason.tooLong, streamOffset: 4, droppedBytes: 1002 }]);
      expect(decoder.stats).toEqual({ bytes: 1010, frames: 2, reads: 0, errors: 1, droppedBytes: 1002 });
    }
  });

  it('drops a 257-byte line', () => {
    const { messages, errors } = decode([`note=${'z'.repeat(252)}\nok=1\n`]);
    expect(messages).toEqual([sensor('ok', 1)]);
    expect(errors).toEqual([{ reason: LinesDecodeReason.tooLong, streamOffset: 0, droppedBytes: 258 }]);
  });

  it('turns JSON objects into one message per key, all or nothing', () => {
    const { messages, errors } = decode([
      '{"door":"open","weight":1234,"alarm":true,"ok":false}\n',
      '{"door":"open","nested":{"a":1}}\n',
      '{"list":[1,2]}\n',
      '{"gone":null}\n',
      '{"door":"open"\n',
      '{"bad key":1}\n',
      '{"huge":1e400}\n',
      '{"text":"a\\nb"}\n',
      '{}\n',
    ]);
    expect(messages).toEqual([
      sensor('door', 'open'),
      sensor('weight', 1234),
      sensor('alarm', 'true'),
      sensor('ok', 'false'),
    ]);
    expect(errors.map((error) => error.reason)).toEqual([
      LinesDecodeReason.unsupportedJsonValue,
      LinesDecodeReason.unsupportedJsonValue,
      LinesDecodeReason.unsupportedJsonValue,
      LinesDecodeReason.invalidJson,
      LinesDecodeReason.invalidChannel,
      LinesDecodeReason.unsupportedJsonValue,
      LinesDecodeReason.nonPrintable,
    ]);
  });

  it('decodes UTF-8 and CR LF split at every offset', () => {
    const stream = bytes('#température 4 °C\r\nmsg=héllo wörld ✓\r\n{"név":"x"}\r\nlabel=日本\n');
    const expected = [
      { kind: 'log', text: 'température 4 °C' },
      sensor('msg', 'héllo wörld ✓'),
      sensor('label', '日本'),
    ];
    // Channel names are ASCII: "név" is refused, its 14 bytes dropped from offset 21 + 23.
    const expectedErrors = [{ reason: LinesDecodeReason.invalidChannel, streamOffset: 44, droppedBytes: 14 }];
    for (let cut = 0; cut <= stream.length; cut++) {
      const { messages, errors } = decode(split(stream, [cut]));
      expect(messages).toEqual(expected);
      expect(errors).toEqual(expectedErrors);
    }
  });

  it('reset() discards a partial line and an overlong one in progress, counted', () => {
    const { messages, errors, decoder } = decode(['door=op']);
    expect(decoder.pendingBytes).toBe(7);
    decoder.reset();
    decoder.push(bytes('en\ndoor=closed\n'));
    decoder.push(bytes('x'.repeat(300)));
    decoder.reset();
    decoder.push(bytes('a=1\n'));
    expect(messages).toEqual([sensor('door', 'closed'), sensor('a', 1)]);
    expect(errors).toEqual([
      { reason: LinesDecodeReason.reset, streamOffset: 0, droppedBytes: 7 },
      { reason: LinesDecodeReason.notAssignment, streamOffset: 7, droppedBytes: 3 },
      { reason: LinesDecodeReason.tooLong, streamOffset: 22, droppedBytes: 300 },
    ]);
    expect(decoder.stats).toEqual({ bytes: 326, frames: 2, reads: 0, errors: 3, droppedBytes: 310 });
  });
});

describe('LinesDecoder properties', () => {
  const cuts = fc.array(fc.nat({ max: 1500 }), { maxLength: 30 });
  const piece = fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom(
      'door=open\n',
      'temp=4.2\r\n',
      '{"a":1,"b":"x"}\n',
      '# log\n',
      '\n',
      'x'.repeat(270),
      'é',
    ),
  );

  it('never throws, keeps its buffer bounded and accounts for every dropped byte', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 120 }), { maxLength: 30 }), (chunks) => {
        const { errors, decoder } = decode([]);
        for (const chunk of chunks) {
          decoder.push(chunk);
          expect(decoder.pendingBytes).toBeLessThanOrEqual(257);
        }
        decoder.reset();
        expect(errors.reduce((sum, error) => sum + error.droppedBytes, 0)).toBe(decoder.stats.droppedBytes);
      }),
    );
  });

  it('gives the same messages, errors and stats whatever the chunking', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 25 }), cuts, (pieces, cutPoints) => {
        const parts = pieces.map((p) => (typeof p === 'string' ? bytes(p) : p));
        const stream = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
        let offset = 0;
        for (const part of parts) {
          stream.set(part, offset);
          offset += part.length;
        }
        const whole = decode([stream]);
        const chunked = decode(split(stream, cutPoints));
        expect(chunked.messages).toEqual(whole.messages);
        expect(chunked.errors).toEqual(whole.errors);
        expect(chunked.decoder.stats).toEqual(whole.decoder.stats);
      }),
    );
  });
});
