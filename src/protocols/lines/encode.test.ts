import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReaderMessage } from '../../shared/decoding.js';
import { LinesDecoder } from './decoder.js';
import { encodeLine, encodeSensorLine } from './encode.js';

// DESIGN.md, "Capture file": the `io` port's sent chunk `6c6f636b3d6f70656e0a` ("lock=open\n").
const DESIGN_CAPTURE_TX = Uint8Array.from([0x6c, 0x6f, 0x63, 0x6b, 0x3d, 0x6f, 0x70, 0x65, 0x6e, 0x0a]);

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

function decodeAll(chunks: Uint8Array[]): ReaderMessage[] {
  const messages: ReaderMessage[] = [];
  const decoder = new LinesDecoder({
    tagRead: () => {},
    message: (message) => messages.push(message),
    decodeError: (error) => {
      throw new Error(`unexpected decode error ${JSON.stringify(error)}`);
    },
  });
  for (const chunk of chunks) decoder.push(chunk);
  return messages;
}

describe('encodeLine', () => {
  it('writes <channel>=<value>\\n as in the DESIGN.md capture', () => {
    expect(encodeLine('lock', 'open')).toEqual(DESIGN_CAPTURE_TX);
    expect(text(encodeLine('buzzer', 'on'))).toBe('buzzer=on\n');
    expect(text(encodeLine('display.brightness', 40))).toBe('display.brightness=40\n');
    expect(text(encodeLine('price', -2.5))).toBe('price=-2.5\n');
  });

  it('refuses what the device could not read back', () => {
    expect(() => encodeLine('lock', 'open\n')).toThrow(RangeError);
    expect(() => encodeLine('lock', 'open\r')).toThrow(RangeError);
    expect(() => encodeLine('lock', 'a\u0000')).toThrow(RangeError);
    expect(() => encodeLine('my lock', 'open')).toThrow(RangeError);
    expect(() => encodeLine('', 'open')).toThrow(RangeError);
    expect(() => encodeLine('lock=1', 'open')).toThrow(RangeError);
    expect(() => encodeLine('level', Number.NaN)).toThrow(RangeError);
    expect(() => encodeLine('level', Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => encodeLine('text', 'x'.repeat(252))).toThrow(RangeError);
    expect(text(encodeLine('text', 'x'.repeat(251)))).toHaveLength(257);
  });

  it('round-trips words and numbers through the decoder', () => {
    const channel = fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/);
    const word = fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,40}[A-Za-z]$/);
    const number = fc.oneof(
      fc.integer({ min: -1e12, max: 1e12 }),
      fc.integer({ min: -1e9, max: 1e9 }).map((n) => n / 100),
    );
    fc.assert(
      fc.property(channel, fc.oneof(word, number), (name, value) => {
        expect(decodeAll([encodeLine(name, value)])).toEqual([{ kind: 'sensor', channel: name, value }]);
      }),
    );
  });
});

describe('encodeSensorLine', () => {
  it('writes one channel as an assignment and several as a JSON object', () => {
    expect(text(encodeSensorLine({ door: 'open' }))).toBe('door=open\n');
    expect(text(encodeSensorLine({ weight: 1234 }))).toBe('weight=1234\n');
    expect(text(encodeSensorLine({ door: 'open', temp: 4.2, alarm: true }))).toBe(
      '{"door":"open","temp":4.2,"alarm":true}\n',
    );
  });

  it('produces lines the decoder reads as sensor values', () => {
    const lines = [encodeSensorLine({ door: 'closed' }), encodeSensorLine({ temp: 4.2, alarm: false })];
    expect(decodeAll(lines)).toEqual([
      { kind: 'sensor', channel: 'door', value: 'closed' },
      { kind: 'sensor', channel: 'temp', value: 4.2 },
      { kind: 'sensor', channel: 'alarm', value: 'false' },
    ]);
  });

  it('refuses no channel, bad channels and bad values', () => {
    expect(() => encodeSensorLine({})).toThrow(RangeError);
    expect(() => encodeSensorLine({ door: 'open', 'bad key': 1 })).toThrow(RangeError);
    expect(() => encodeSensorLine({ door: 'open', note: 'a\nb' })).toThrow(RangeError);
    expect(() => encodeSensorLine({ door: 'open', level: Number.NaN })).toThrow(RangeError);
  });
});
