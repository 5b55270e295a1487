import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from './json-error.js';

describe('findJsonSyntaxError', () => {
  it('finds nothing in valid JSON', () => {
    for (const text of ['{}', ' [1, -2.5e3, "a\\n\\u00e9", true, false, null] ', '{"a":{"b":[{}]}}\n']) {
      expect(findJsonSyntaxError(text), text).toBeUndefined();
      expect(() => JSON.parse(text)).not.toThrow();
    }
  });

  it.each([
    ['{\n  "a": 1,\n  "b": }\n', 3, 8, 'expected a value, found "}"'],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, 'expected "," or "}", found "\\""'],
    ['{\n  "readers": [\n    {"id": "a"},\n  ]\n}', 4, 3, 'a "," before "]" (no trailing commas in JSON)'],
    ["{\n  'gatewayId': 'gw1'\n}", 2, 3, 'expected a property name in double quotes, found "\'"'],
    ['{"a": "one\ntwo"}', 1, 11, 'a line break or control character inside a string (write \\n)'],
    ['{"a": 1', 1, 8, 'expected "," or "}", found the end of the file'],
    ['{"a": "open', 1, 7, 'this string is not closed (no ending ")'],
    ['', 1, 1, 'expected a value, found the end of the file'],
    ['{} {}', 1, 4, 'expected the end of the file after the value, found "{"'],
    ['{"a": tru}', 1, 7, 'expected a value, found "t"'],
  ])('%j: line %i, column %i', (text, line, column, message) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(findJsonSyntaxError(text)).toEqual({ line, column, message });
  });
});
