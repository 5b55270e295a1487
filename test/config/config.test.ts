import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { engineChecks } from '../../src/app/config-checks.js';
import { configFromCapture } from '../../src/config/from-capture.js';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import { configSchema, doorSchema, zoneSchema } from '../../src/config/schema.js';
import { ENGINE_DEFAULTS, resolveEngineConfig, ZONE_DEFAULTS } from '../../src/core/config.js';
import { problemsOf } from '../kits/config/problems.js';

const configDir = new URL('../../config/', import.meta.url).pathname;

describe('config', () => {
  it.each(readdirSync(configDir).filter((name) => name.endsWith('.json')))('example %s is valid', (name) => {
    const config = loadConfigFile(join(configDir, name), engineChecks);
    expect(config.readers.length + config.sensors.length).toBeGreaterThan(0);
  });

  it('fills documented defaults', () => {
    const config = parseConfig({ readers: [{ id: 'r1', driver: 'thingmagic', port: '/dev/ttyUSB0' }] }, 'x');
    expect(config.gatewayId).toBe('gw1');
    expect(config.readers[0]?.reconnect).toEqual({
      initialMs: 500,
      maxMs: 30_000,
      factor: 2,
      jitter: 0.2,
      stableAfterMs: 10_000,
    });
    expect(config.core.capacity).toBe(16_384);
  });

  it('reports every problem with its path', () => {
    const problems = problemsOf({
      readers: [
        { id: 'a', driver: 'thingmagic', port: '/dev/ttyUSB0' },
        { id: 'b', driver: 'thingmagic', port: '/dev/ttyUSB1', baudRate: 12 },
        { id: 'c', driver: 'nonsense', port: '/dev/ttyUSB2' },
      ],
      zones: [{ id: 'z', departAfterMs: -5 }],
      typo: true,
    });
    const paths = problems.map((problem) => problem.path);
    expect(paths).toEqual(
      expect.arrayContaining(['readers[1].baudRate', 'readers[2].driver', 'zones[0].departAfterMs']),
    );
    expect(problems.find((problem) => problem.path === '')?.message).toMatch(/typo/);
  });

  it('checks references between sections', () => {
    const problems = problemsOf({
      readers: [
        { id: 'door', driver: 'thingmagic', port: '/dev/a', antennaZones: { '1': 'in', '2': 'out' } },
        { id: 'door', driver: 'em4100-ascii', port: '/dev/b' },
      ],
      doors: [{ id: 'front', path: ['in', 'outside'] }],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'readers[1].id', message: expect.stringMatching(/duplicate id "door"/) },
        { path: 'doors[0].path[1]', message: expect.stringMatching(/unknown zone "outside"/) },
      ]),
    );
  });

  it('rejects invalid tag patterns with their path', () => {
    const problems = problemsOf({
      readers: [{ id: 'r', driver: 'thingmagic', port: '/dev/a' }],
      filters: {
        include: ['urn:epc:pat:sgtin-96:3.0614141.*.*', 'urn:epc:pat:sgtin-96:9.x.*.*'],
        exclude: ['XYZ'],
      },
    });
    expect(problems.map((problem) => problem.path)).toEqual(['filters.include[1]', 'filters.exclude[0]']);
  });

  it('requires a client certificate and its key together', () => {
    const problems = problemsOf({
      readers: [{ id: 'r', driver: 'thingmagic', port: '/dev/a' }],
      mqtt: { url: 'mqtts://broker:8883', cert: 'client.pem' },
    });
    expect(problems).toEqual([
      { path: 'mqtt.key', message: expect.stringMatching(/cert and key go together/) },
    ]);
  });

  it('takes mqtt.url as a list of broker nodes and names a bad or repeated one by its index', () => {
    const reader = { id: 'r', driver: 'thingmagic', port: '/dev/a' };
    const config = parseConfig(
      { readers: [reader], mqtt: { url: ['mqtts://broker-a:8883', 'mqtt://broker-b'] } },
      'x',
    );
    expect(config.mqtt?.url).toEqual(['mqtts://broker-a:8883', 'mqtt://broker-b']);
    expect(parseConfig({ readers: [reader], mqtt: { url: 'mqtt://broker' } }, 'x').mqtt?.url).toBe(
      'mqtt://broker',
    );
    const urlProblems = (url: unknown) => problemsOf({ readers: [reader], mqtt: { url } });
    expect(urlProblems(['mqtt://a', 'mqtt://b', 'http://c'])).toEqual([
      { path: 'mqtt.url[2]', message: 'must be mqtt://host[:port] or mqtts://host[:port], got "http://c"' },
    ]);
    expect(urlProblems('broker:1883')).toEqual([
      { path: 'mqtt.url', message: 'must be mqtt://host[:port] or mqtts://host[:port], got "broker:1883"' },
    ]);
    expect(urlProblems(['mqtt://broker', 'mqtt://Broker:1883'])).toEqual([
      { path: 'mqtt.url[1]', message: '"mqtt://Broker:1883" is the same node as mqtt.url[0]' },
    ]);
    expect(urlProblems([])).toEqual([
      { path: 'mqtt.url', message: expect.stringMatching(/expected array to have >=1 items/) },
    ]);
    expect(urlProblems(Array.from({ length: 17 }, (_, index) => `mqtt://node-${index}`))).toEqual([
      { path: 'mqtt.url', message: 'at most 16 broker nodes, got 17' },
    ]);
    expect(urlProblems(1883)).toEqual([
      { path: 'mqtt.url', message: 'must be a broker URL or a list of them, got 1883' },
    ]);
  });

  it('takes mqtt.groups as topic-safe names, at most 32, each once, and names a bad one by its index', () => {
    const reader = { id: 'r', driver: 'thingmagic', port: '/dev/a' };
    const mqtt = (groups?: unknown) => ({
      url: 'mqtt://broker',
      ...(groups === undefined ? {} : { groups }),
    });
    expect(parseConfig({ readers: [reader], mqtt: mqtt() }, 'x').mqtt?.groups).toEqual([]);
    expect(
      parseConfig({ readers: [reader], mqtt: mqtt(['region-north', 'store-12']) }, 'x').mqtt?.groups,
    ).toEqual(['region-north', 'store-12']);
    const groupProblems = (groups: unknown) => problemsOf({ readers: [reader], mqtt: mqtt(groups) });
    expect(groupProblems(['north', 'north/east', 'south+'])).toEqual([
      {
        path: 'mqtt.groups[1]',
        message: 'must be 1-64 characters of letters, digits, _ . - (no spaces or /), got "north/east"',
      },
      {
        path: 'mqtt.groups[2]',
        message: 'must be 1-64 characters of letters, digits, _ . - (no spaces or /), got "south+"',
      },
    ]);
    expect(groupProblems(['north', 'south', 'north'])).toEqual([
      { path: 'mqtt.groups[2]', message: '"north" is listed already as mqtt.groups[0]' },
    ]);
    expect(groupProblems(Array.from({ length: 33 }, (_, index) => `g${index}`))).toEqual([
      { path: 'mqtt.groups', message: 'at most 32 groups, got 33' },
    ]);
    expect(groupProblems('north')).toEqual([
      { path: 'mqtt.groups', message: expect.stringMatching(/expected array/) },
    ]);
  });

  it('refuses a signing client listed twice', () => {
    const key = (id: string) => ({ id, keyFile: `${id}.key` });
    expect(
      problemsOf({
        readers: [{ id: 'r1', driver: 'thingmagic', port: '/dev/ttyUSB0' }],
        security: { signedCommands: { clients: [key('pos'), key('office'), key('pos')] } },
      }),
    ).toEqual([{ path: 'security.signedCommands.clients[2].id', message: '"pos" is listed twice' }]);
  });

  it('refuses a console signing client that security.signedCommands does not list', () => {
    expect(
      problemsOf({
        readers: [{ id: 'r1', driver: 'thingmagic', port: '/dev/ttyUSB0' }],
        http: { console: { client: 'console' } },
        security: { signedCommands: { clients: [{ id: 'pos', keyFile: 'pos.key' }] } },
      }),
    ).toEqual([
      {
        path: 'http.console.client',
        message: '"console" is not a client of security.signedCommands.clients (listed: pos)',
      },
    ]);
  });

  it('resets the store at start only for a config whose devices all replay captures', () => {
    const replay = { id: 'r1', driver: 'thingmagic', port: 'replay:demo.jsonl' };
    expect(problemsOf({ resetStoreAtStart: true, readers: [replay] })).toEqual([]);
    expect(
      problemsOf({
        resetStoreAtStart: true,
        readers: [replay],
        sensors: [{ id: 'io', driver: 'lines', port: '/dev/ttyACM0' }],
      }),
    ).toEqual([
      {
        path: 'resetStoreAtStart',
        message:
          'only for a config whose readers and sensors all replay captures (sensors[0].port is "/dev/ttyACM0"): it deletes the store at every start',
      },
    ]);
  });

  it('resolves replay paths against the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rfid-config-'));
    const file = join(dir, 'gw.json');
    writeFileSync(
      file,
      JSON.stringify({ readers: [{ id: 'r', driver: 'thingmagic', port: 'replay:cap.jsonl' }] }),
    );
    expect(loadConfigFile(file).readers[0]?.port).toBe(`replay:${join(dir, 'cap.jsonl')}`);
  });

  it('names an unreadable or non-JSON file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rfid-config-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"readers": [');
    expect(() => loadConfigFile(file)).toThrow(/broken\.json: invalid config\n {2}\(root\): not valid JSON/);
    expect(() => loadConfigFile(join(dir, 'missing.json'))).toThrow(
      /missing\.json: invalid config\n.*cannot read/,
    );
  });

  it('derives a config from a capture header', () => {
    const config = configFromCapture([
      { id: 'door', driver: 'em4100-ascii', baudRate: 9600 },
      { id: 'io', driver: 'lines' },
    ]);
    expect(config.readers.map((reader) => [reader.id, reader.driver, reader.baudRate])).toEqual([
      ['door', 'em4100-ascii', 9600],
    ]);
    expect(config.sensors.map((sensor) => sensor.id)).toEqual(['io']);
  });

  it('refuses a reconnect policy whose maxMs is below its initialMs, wherever it is', () => {
    const slowStart = { initialMs: 1000, maxMs: 500 };
    const problems = problemsOf({
      readers: [
        { id: 'a', driver: 'thingmagic', port: '/dev/ttyUSB0', reconnect: slowStart },
        { id: 'b', driver: 'thingmagic', port: 'tcp://ser2net:4001', reconnect: { initialMs: 40_000 } },
      ],
      sensors: [{ id: 'io', driver: 'lines', port: '/dev/ttyACM0', reconnect: slowStart }],
      mqtt: { url: 'mqtt://broker', reconnect: { initialMs: 90_000 } },
    });
    expect(problems).toEqual([
      { path: 'readers[0].reconnect.maxMs', message: 'must be >= initialMs (1000), got 500' },
      { path: 'readers[1].reconnect.maxMs', message: 'must be >= initialMs (40000), got 30000' },
      { path: 'sensors[0].reconnect.maxMs', message: 'must be >= initialMs (1000), got 500' },
      { path: 'mqtt.reconnect.maxMs', message: 'must be >= initialMs (90000), got 60000' },
    ]);
  });

  it('takes its engine defaults from the core, so the two cannot disagree', () => {
    const config = configSchema.parse({});
    const core = resolveEngineConfig({});
    expect(config.core).toMatchObject({
      capacity: core.capacity,
      ringSize: core.ringSize,
      maxTagBytes: core.maxTagBytes,
    });
    expect(config.core.ringSize).toBe(ENGINE_DEFAULTS.ringSize);
    expect(config.crossRead).toEqual(core.crossRead);
    expect(zoneSchema.parse({ id: 'z' })).toEqual({ id: 'z', ...ZONE_DEFAULTS });
    expect(doorSchema.parse({ id: 'd', path: ['a', 'b'] }).windowMs).toBe(ENGINE_DEFAULTS.doorWindowMs);
    // The JSON Schema (`rfid-gateway schema`) documents the same defaults.
    expect(z.toJSONSchema(configSchema, { io: 'input' })).toMatchObject({
      properties: { core: { properties: { ringSize: { default: ENGINE_DEFAULTS.ringSize } } } },
    });
  });
});
