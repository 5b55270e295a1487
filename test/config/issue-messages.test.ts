import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { configFromCapture } from '../../src/config/from-capture.js';
import { ConfigError, formatIssues, parseConfig } from '../../src/config/load.js';
import { CaptureError, CaptureParser } from '../../src/transport/capture.js';

/** Every validation message names the value it got, so an operator need not open the file to see it. */

function problemsOf(document: unknown): Array<{ path: string; message: string }> {
  try {
    parseConfig(document, 'test.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const reader = { id: 'r', driver: 'thingmagic', port: '/dev/ttyUSB0' };

describe('config messages', () => {
  it.each([
    [
      { readers: [{ ...reader, driver: 'foo' }] },
      'readers[0].driver',
      'Invalid option: expected one of "thingmagic"|"em4100-ascii", got "foo"',
    ],
    [
      { sensors: [{ id: 's', driver: 'thingmagic', port: '/dev/ttyACM0' }] },
      'sensors[0].driver',
      'Invalid input: expected "lines", got "thingmagic"',
    ],
    [
      { logLevel: 'verbose' },
      'logLevel',
      'Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent", got "verbose"',
    ],
    [
      { mqtt: { url: 'mqtt://broker', protocolVersion: 3 } },
      'mqtt.protocolVersion',
      'Invalid option: expected one of 4|5, got 3',
    ],
    [
      { readers: [{ ...reader, baudRate: '9600' }] },
      'readers[0].baudRate',
      'Invalid input: expected number, got "9600"',
    ],
    [
      { readers: [{ ...reader, baudRate: 12 }] },
      'readers[0].baudRate',
      'Too small: expected number to be >=300, got 12',
    ],
    [{ readers: { r: reader } }, 'readers', 'Invalid input: expected array, got an object'],
    [{ readers: [{ ...reader, id: 'my reader' }] }, 'readers[0].id', /, got "my reader"$/],
    [
      { readers: [{ ...reader, settings: { region: 'MARS' } }] },
      'readers[0].settings.region',
      /, got "MARS"$/,
    ],
    [{ outbox: { synchronous: 'OFF' } }, 'outbox.synchronous', /, got "OFF"$/],
  ])('%j: %s', (document, path, message) => {
    const problems = problemsOf(document);
    expect(problems).toEqual([{ path, message: expect.stringMatching(message) }]);
    if (typeof message === 'string') expect(problems[0]?.message).toBe(message);
  });

  it('does not quote a long value in full', () => {
    const [problem] = problemsOf({ readers: [{ ...reader, driver: 'x'.repeat(500) }] });
    expect(problem?.message.length).toBeLessThan(150);
    expect(problem?.message).toMatch(/, got "x+…"$/);
  });

  it('names the port of a capture header whose driver no config can hold', () => {
    let caught: unknown;
    try {
      configFromCapture([
        { id: 'door', driver: 'em4100-ascii' },
        { id: 'x', driver: 'laser' },
      ]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ZodError);
    expect((caught as ZodError).issues.map((issue) => issue.message)).toEqual([
      'Invalid option: expected one of "thingmagic"|"em4100-ascii"|"lines", got "laser"',
    ]);
    expect(formatIssues((caught as ZodError).issues)).toBe(
      'ports[1].driver: Invalid option: expected one of "thingmagic"|"em4100-ascii"|"lines", got "laser"',
    );
  });
});

describe('capture header messages', () => {
  const headerError = (header: object): string => {
    try {
      new CaptureParser('c.jsonl').push(`${JSON.stringify(header)}\n`, []);
    } catch (error) {
      if (error instanceof CaptureError) return error.message;
      throw error;
    }
    return 'no error';
  };
  const good = {
    capture: 'rfid-gateway',
    version: 1,
    startedAt: '2026-11-22T10:00:00.000Z',
    ports: [{ id: 'a', driver: 'thingmagic' }],
  };

  it.each([
    [
      { ...good, capture: 'other' },
      'c.jsonl:1: bad header: capture: Invalid input: expected "rfid-gateway", got "other"',
    ],
    [{ ...good, version: 2 }, 'c.jsonl:1: bad header: version: Invalid input: expected 1, got 2'],
    [
      { ...good, ports: [{ id: 'a', driver: 'thingmagic', baudRate: '9600' }] },
      'c.jsonl:1: bad header: ports[0].baudRate: Invalid input: expected number, got "9600"',
    ],
    [{ ...good, startedAt: 'yesterday' }, /^c\.jsonl:1: bad header: startedAt: .*, got "yesterday"$/],
  ])('%j', (header, message) => {
    if (typeof message === 'string') expect(headerError(header)).toBe(message);
    else expect(headerError(header)).toMatch(message);
  });
});
