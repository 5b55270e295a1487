import { describe, expect, it } from 'vitest';
import { isValidChannel, LinesDecodeReason, parseLine, parseValue } from './parse.js';

describe('parseValue', () => {
  it.each([
    ['1234', 1234],
    ['4.2', 4.2],
    ['-3', -3],
    ['-0.5', -0.5],
    ['0', 0],
    [' 12 ', 12],
    ['123456789012345', 123456789012345],
  ])('reads %j as the number %d', (text, value) => {
    expect(parseValue(text)).toBe(value);
  });

  it.each([
    ['open', 'open'],
    [' open ', 'open'],
    ['', ''],
    ['007', '007'], // a code, not seven
    ['1e3', '1e3'],
    ['+5', '+5'],
    ['.5', '.5'],
    ['5.', '5.'],
    ['0x10', '0x10'],
    ['Infinity', 'Infinity'],
    ['NaN', 'NaN'],
    ['1 234', '1 234'],
    ['1234567890123456', '1234567890123456'], // 16 digits: not exact as a double
  ])('keeps %j as the string %j', (text, value) => {
    expect(parseValue(text)).toBe(value);
  });
});

describe('isValidChannel', () => {
  it('allows letters, digits, _ . - up to 64 characters', () => {
    expect(['door', 'temp_1', 'fridge.door-2', 'A'.repeat(64)].every(isValidChannel)).toBe(true);
    expect(['', 'my door', 'a/b', 'a=b', 'a#', 'ü', 'A'.repeat(65)].some(isValidChannel)).toBe(false);
  });
});

describe('parseLine', () => {
  it('keeps everything after the first = as the value', () => {
    expect(parseLine(' display = a=b ')).toEqual([{ kind: 'sensor', channel: 'display', value: 'a=b' }]);
  });

  it('reads # lines as logs and blank lines as nothing', () => {
    expect(parseLine('#  booted, fw 1.2 ')).toEqual([{ kind: 'log', text: 'booted, fw 1.2' }]);
    expect(parseLine('  ')).toEqual([]);
  });

  it('reports why a line is refused', () => {
    expect(parseLine('door')).toEqual({ error: LinesDecodeReason.notAssignment });
    expect(parseLine('{"door":')).toEqual({ error: LinesDecodeReason.invalidJson });
    expect(parseLine('{"a":{"b":1}}')).toEqual({ error: LinesDecodeReason.unsupportedJsonValue });
  });
});
