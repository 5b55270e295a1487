import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CaptureChunk,
  CaptureError,
  CaptureParser,
  captureChunkLineSchema,
  checkChunkLine,
} from './capture.js';

/** The example of DESIGN.md "Capture file", verbatim. */
const DESIGN_EXAMPLE = [
  '{"capture":"rfid-gateway","version":1,"startedAt":"2026-11-22T10:00:00.000Z","ports":[{"id":"door","driver":"em4100-ascii","baudRate":9600},{"id":"io","driver":"lines","baudRate":115200}]}',
  '{"t":0,"port":"door","rx":"023034313541423343394631390d0a03"}',
  '{"t":15.5,"port":"io","tx":"6c6f636b3d6f70656e0a"}',
  '{"t":402.25,"port":"io","rx":"646f6f723d6f70656e0a"}',
].join('\n');

function parse(text: string, splits: number[] = []): { parser: CaptureParser; chunks: CaptureChunk[] } {
  const parser = new CaptureParser('capture.jsonl');
  const chunks: CaptureChunk[] = [];
  let at = 0;
  for (const split of [...splits].sort((a, b) => a - b)) {
    parser.push(text.slice(at, split), chunks);
    at = split;
  }
  parser.push(text.slice(at), chunks);
  parser.end(chunks);
  return { parser, chunks };
}

function errorOf(text: string): CaptureError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof CaptureError) return error;
    throw error;
  }
  throw new Error('expected a CaptureError');
}

describe('CaptureParser', () => {
  it('reads the DESIGN.md example: header, then chunks with line numbers and bytes', () => {
    const { parser, chunks } = parse(`${DESIGN_EXAMPLE}\n`);
    expect(parser.header?.ports.map((port) => port.id)).toEqual(['door', 'io']);
    expect(parser.header?.startedAt).toBe('2026-11-22T10:00:00.000Z');
    expect(chunks.map(({ line, t, port, dir }) => ({ line, t, port, dir }))).toEqual([
      { line: 2, t: 0, port: 'door', dir: 'rx' },
      { line: 3, t: 15.5, port: 'io', dir: 'tx' },
      { line: 4, t: 402.25, port: 'io', dir: 'rx' },
    ]);
    expect(Buffer.from(chunks[0]?.bytes ?? []).toString('latin1')).toBe('\x020415AB3C9F19\r\n\x03');
    expect(Buffer.from(chunks[1]?.bytes ?? []).toString()).toBe('lock=open\n');
  });

  it('gives the same chunks however the text is split into blocks', () => {
    const text = `${DESIGN_EXAMPLE}\n`;
    const whole = parse(text).chunks;
    fc.assert(
      fc.property(fc.array(fc.nat(text.length), { maxLength: 12 }), (splits) => {
        expect(parse(text, splits).chunks).toEqual(whole);
      }),
    );
  });

  it('accepts uppercase hex, CRLF line ends, blank lines, a missing final newline and unknown header fields', () => {
    const text =
      '{"capture":"rfid-gateway","version":1,"startedAt":"2026-11-22T10:00:00.000Z","ports":[{"id":"r","driver":"thingmagic"}],"host":"pi-7","future":{"x":1}}\r\n' +
      '\r\n' +
      '{"t":1,"port":"r","rx":"FF0022040084E0"}';
    const { parser, chunks } = parse(text);
    expect(parser.header).toEqual({
      capture: 'rfid-gateway',
      version: 1,
      startedAt: '2026-11-22T10:00:00.000Z',
      ports: [{ id: 'r', driver: 'thingmagic' }],
    });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.line).toBe(3);
    expect([...(chunks[0]?.bytes ?? [])]).toEqual([0xff, 0x00, 0x22, 0x04, 0x00, 0x84, 0xe0]);
  });

  it("keeps a port's recorded settings, and ignores them when they are not an object", () => {
    const text = (settings: string) =>
      `{"capture":"rfid-gateway","version":1,"startedAt":"2026-11-22T10:00:00.000Z","ports":[{"id":"r","driver":"chafon","settings":${settings}}]}\n`;
    expect(parse(text('{"mode":"scan"}')).parser.header?.ports[0]?.settings).toEqual({ mode: 'scan' });
    expect(parse(text('"scan"')).parser.header?.ports[0]?.settings).toBeUndefined();
  });

  const header = DESIGN_EXAMPLE.split('\n')[0];
  it.each([
    ['', 1, 'empty capture: no header line'],
    ['not json\n', 1, 'not JSON'],
    ['{"capture":"other","version":1,"startedAt":"x","ports":[]}\n', 1, 'bad header: capture:'],
    [
      '{"capture":"rfid-gateway","version":2,"startedAt":"2026-11-22T10:00:00.000Z","ports":[{"id":"a","driver":"x"}]}\n',
      1,
      'bad header: version:',
    ],
    [
      '{"capture":"rfid-gateway","version":1,"startedAt":"2026-11-22T10:00:00.000Z","ports":[{"id":"a","driver":"x"},{"id":"a","driver":"y"}]}\n',
      1,
      'bad header: port "a" twice',
    ],
    [`${header}\n{"t":1,"port":"door","rx":"00"}\n{"t":2,"port":"door"\n`, 3, 'not JSON'],
    [`${header}\n{"t":"1","port":"door","rx":"00"}\n`, 2, 'chunk.t must be a number'],
    [`${header}\n{"port":"door","rx":"00"}\n`, 2, 'chunk.t must be a number >= 0 (missing)'],
    [`${header}\n{"t":-1,"port":"door","rx":"00"}\n`, 2, 'chunk.t must be a number'],
    [`${header}\n[1,2]\n`, 2, 'chunk must be a JSON object'],
    [`${header}\n{"t":1,"port":7,"rx":"00"}\n`, 2, 'chunk.port must be a string'],
    [`${header}\n{"t":1,"port":"shelf","rx":"00"}\n`, 2, 'unknown port "shelf" (the header has door, io)'],
    [
      `${header}\n{"t":1,"port":"door","rx":"00","tx":"00"}\n`,
      2,
      'chunk must have exactly one of "rx" and "tx"',
    ],
    [`${header}\n{"t":1,"port":"door"}\n`, 2, 'chunk must have exactly one of "rx" and "tx"'],
    [`${header}\n{"t":1,"port":"door","rx":"0g"}\n`, 2, 'chunk.rx must be hex with an even number of digits'],
    [
      `${header}\n{"t":1,"port":"door","tx":"abc"}\n`,
      2,
      'chunk.tx must be hex with an even number of digits',
    ],
    [`${header}\n{"t":1,"port":"door","rx":12}\n`, 2, 'chunk.rx must be hex'],
    [
      `${header}\n{"t":5,"port":"door","rx":"00"}\n{"t":4.5,"port":"io","rx":"00"}\n`,
      3,
      'chunk.t goes backwards: 4.5 after 5',
    ],
    [`${header}\n{"t":5,"port":"door","rx":"00"}\n{"t":6,"port":"door","rx":"00`, 3, 'truncated capture'],
  ])('rejects %j at line %i: %s', (text, line, message) => {
    const error = errorOf(text);
    expect(error.file).toBe('capture.jsonl');
    expect(error.line).toBe(line);
    expect(error.message).toContain(`capture.jsonl:${line}: ${message}`);
  });

  it('hands out every chunk before a truncated last line before throwing', () => {
    const parser = new CaptureParser('cut.jsonl');
    const chunks: CaptureChunk[] = [];
    parser.push(`${header}\n{"t":5,"port":"door","rx":"0102"}\n{"t":6,"port":"do`, chunks);
    expect(chunks).toHaveLength(1);
    expect(() => parser.end(chunks)).toThrow('cut.jsonl:3: truncated capture: last line is incomplete');
  });
});

describe('checkChunkLine', () => {
  const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF') });
  const chunkLike = fc.record(
    {
      t: fc.oneof(fc.double(), fc.nat(), fc.string(), fc.constant(null)),
      port: fc.oneof(fc.string(), fc.nat()),
      rx: fc.oneof(hex, fc.string(), fc.constant(null), fc.nat()),
      tx: fc.oneof(hex, fc.string({ unit: fc.constantFrom('a', 'F', '0', 'x') })),
      extra: fc.string(),
    },
    { requiredKeys: [] },
  );

  // Mostly valid lines (odd-length hex and negative times included), so both answers are common.
  const time = fc.double({ min: -10, max: 1e7, noNaN: true });
  const nearlyValid = fc.oneof(
    fc.record({ t: time, port: fc.string(), rx: hex }),
    fc.record({ t: time, port: fc.string(), tx: hex }),
  );

  it('agrees with captureChunkLineSchema', () => {
    fc.assert(
      fc.property(fc.oneof(chunkLike, nearlyValid, fc.anything()), (value) => {
        expect(checkChunkLine(value) === undefined).toBe(captureChunkLineSchema.safeParse(value).success);
      }),
      { numRuns: 2000 },
    );
  });
});
