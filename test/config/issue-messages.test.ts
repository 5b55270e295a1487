import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { configFromCapture } from '../../src/config/from-capture.js';
import { formatIssues } from '../../src/config/load.js';
import { auditGetFields } from '../../src/domain/audit/request.js';
import { productFromJson } from '../../src/domain/catalog/fields.js';
import { readCatalogCsv } from '../../src/domain/catalog/index.js';
import { RequestRegistry } from '../../src/mqtt/request-registry.js';
import { RequestRouter } from '../../src/mqtt/requests.js';
import { silentLogger } from '../../src/observability/logger.js';
import { VirtualClock } from '../../src/shared/clock.js';
import { CaptureError, CaptureParser } from '../../src/transport/capture.js';
import { problemsOf } from '../kits/config/problems.js';

/** Every validation message names the value it got, so an operator need not open the file to see it. */

const reader = { id: 'r', driver: 'thingmagic', port: '/dev/ttyUSB0' };
/** The schema's own problems, without the engine's checks across fields. */
const schemaProblems = (document: unknown) => problemsOf(document, { engineChecks: false });

describe('config messages', () => {
  it.each([
    [
      { readers: [{ ...reader, driver: 'foo' }] },
      'readers[0].driver',
      'Invalid option: expected one of "thingmagic"|"r2000"|"chafon"|"pn532"|"em4100-ascii", got "foo"',
    ],
    [
      { sensors: [{ id: 's', driver: 'thingmagic', port: '/dev/ttyACM0' }] },
      'sensors[0].driver',
      'Invalid option: expected one of "lines"|"openscale", got "thingmagic"',
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
    [{ outbox: { synchronous: 'OFF' } }, 'outbox.synchronous', /, got "OFF"$/],
  ])('%j: %s', (document, path, message) => {
    const problems = schemaProblems(document);
    expect(problems).toEqual([{ path, message: expect.stringMatching(message) }]);
    if (typeof message === 'string') expect(problems[0]?.message).toBe(message);
  });

  it('does not quote a long value in full', () => {
    const [problem] = schemaProblems({ readers: [{ ...reader, driver: 'x'.repeat(500) }] });
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
      'Invalid option: expected one of "thingmagic"|"r2000"|"chafon"|"pn532"|"em4100-ascii"|"lines"|"openscale", got "laser"',
    ]);
    expect(formatIssues((caught as ZodError).issues)).toBe(
      'ports[1].driver: Invalid option: expected one of "thingmagic"|"r2000"|"chafon"|"pn532"|"em4100-ascii"|"lines"|"openscale", got "laser"',
    );
  });
});

describe('messages that name the actual problem', () => {
  const INFINITE = 'must be a finite number, got Infinity (a number too large to represent, such as 1e309)';

  it('says a number too large for JSON is not finite, rather than "expected number"', () => {
    // JSON.parse reads 1e309 as Infinity: the file says a number, zod sees no finite one.
    const document = JSON.parse(
      '{"readers":[{"id":"r","driver":"thingmagic","port":"/dev/ttyUSB0","baudRate":1e309}],"zones":[{"id":"z","departAfterMs":-1e309}]}',
    );
    expect(schemaProblems(document)).toEqual([
      { path: 'readers[0].baudRate', message: INFINITE },
      {
        path: 'zones[0].departAfterMs',
        message: INFINITE.replaceAll('Infinity', '-Infinity').replace('1e309', '-1e309'),
      },
    ]);
  });

  it('says so of a request field too (audit/get limit)', async () => {
    const registry = new RequestRegistry();
    registry.register('audit/get', auditGetFields, () => ({}), { owner: 'audit' });
    const router = new RequestRouter({ registry, clock: new VirtualClock(0), logger: silentLogger() });
    const response = await router.handle('audit/get', Buffer.from('{"transaction":"a","limit":1e309}'));
    expect(JSON.parse(response.payload)).toEqual({
      transaction: 'a',
      status: 'error',
      error: `limit: ${INFINITE}`,
    });
  });

  it('reports a duplicate id once, naming the entry it repeats', () => {
    const device = (id: string, driver: string, port: string) => ({ id, driver, port });
    expect(
      problemsOf(
        {
          readers: [device('r', 'thingmagic', '/dev/a'), device('r', 'em4100-ascii', '/dev/b')],
          sensors: [device('io', 'lines', '/dev/c')],
          actuators: [
            { id: 'lock', driver: 'lines', device: 'io', channel: 'lock' },
            { id: 'lock', driver: 'lines', device: 'io', channel: 'bolt' },
          ],
          zones: [{ id: 'z' }, { id: 'z' }],
          doors: [
            { id: 'front', path: ['r', 'z'] },
            { id: 'front', path: ['z', 'r'] },
          ],
        },
        { engineChecks: true },
      ),
    ).toEqual([
      { path: 'readers[1].id', message: 'duplicate id "r" (also readers[0])' },
      { path: 'zones[1].id', message: 'duplicate id "z" (also zones[0])' },
      { path: 'doors[1].id', message: 'duplicate id "front" (also doors[0])' },
      { path: 'actuators[1].id', message: 'duplicate id "lock" (also actuators[0])' },
    ]);
  });

  it('says a negative price is negative, in a catalog file and in catalog/set', () => {
    const csv = 'sku,name,price,currency\nCOLA,Cola,-1.50,EUR\nTEA,Tea,-450,JPY\n';
    expect(readCatalogCsv(csv, 'catalog.csv')).toEqual({
      ok: false,
      problems: [
        'catalog.csv:2: price: must not be negative (got "-1.50")',
        'catalog.csv:3: price: must not be negative (got "-450")',
      ],
      // The same, by line and field, as the console's import shows them.
      located: [
        { line: 2, field: 'price', message: 'must not be negative', value: '-1.50' },
        { line: 3, field: 'price', message: 'must not be negative', value: '-450' },
      ],
    });
    const problems: Array<{ field: string; message: string; value: unknown }> = [];
    productFromJson({ sku: 'COLA', name: 'Cola', unitPrice: -150, currency: 'EUR' }, problems);
    productFromJson({ sku: 'TEA', name: 'Tea', unitPrice: JSON.parse('1e309'), currency: 'JPY' }, problems);
    expect(problems).toEqual([
      { field: 'unitPrice', message: 'must not be negative', value: -150 },
      { field: 'unitPrice', message: INFINITE, value: Number.POSITIVE_INFINITY },
    ]);
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
