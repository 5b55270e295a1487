import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { engineChecks } from '../../src/app/config-checks.js';
import { parseConfig } from '../../src/config/load.js';
import { runCli } from '../helpers/cli.js';
import { problemsOf } from '../kits/config/problems.js';

/** A fridge with its door controller, a temperature guard and rules over the io board's values. */
function fridge(extra: { temperature?: unknown; rules?: unknown[] } = {}) {
  return {
    readers: [
      { id: 'fridge', driver: 'thingmagic', port: '/dev/ttyUSB0' },
      { id: 'badge', driver: 'em4100-ascii', port: '/dev/ttyUSB1' },
    ],
    sensors: [{ id: 'io', driver: 'lines', port: '/dev/ttyACM0', zone: 'fridge' }],
    actuators: [
      { id: 'lock', driver: 'lines', device: 'io', channel: 'lock', safeState: 'closed' },
      { id: 'light', driver: 'lines', device: 'io', channel: 'light' },
    ],
    cabinets: [
      {
        id: 'fridge-1',
        zone: 'fridge',
        cardReader: 'badge',
        door: { sensor: 'io' },
        lock: 'lock',
        currency: 'EUR',
        ...(extra.temperature === undefined ? {} : { temperature: extra.temperature }),
      },
    ],
    rules: extra.rules ?? [],
  };
}

const warmRule = (when: Record<string, unknown>, on: unknown = 'sensor.changed') => ({
  id: 'warm',
  on,
  when,
  do: [{ pulse: { actuator: 'light', ms: 1000 } }],
});

describe('check-config: a cabinet temperature guard', () => {
  it('takes a guard with its defaults', () => {
    const config = parseConfig(fridge({ temperature: { sensor: 'io', maxC: 8 } }), 'test.json', engineChecks);
    expect(config.cabinets[0]?.temperature).toEqual({
      sensor: 'io',
      channel: 'temperature',
      maxC: 8,
      forMs: 900_000,
      resumeAfterMs: 600_000,
    });
  });

  it('names every wrong setting with its path and value', () => {
    expect(
      problemsOf(
        fridge({ temperature: { sensor: 'io', maxC: '8', forMs: 500, resumeAfterMs: 1.5, max: 8 } }),
      ),
    ).toEqual([
      { path: 'cabinets[0].temperature.maxC', message: 'Invalid input: expected number, got "8"' },
      { path: 'cabinets[0].temperature.forMs', message: 'Too small: expected number to be >=1000, got 500' },
      { path: 'cabinets[0].temperature.resumeAfterMs', message: 'Invalid input: expected int, got 1.5' },
      { path: 'cabinets[0].temperature', message: 'Unrecognized key: "max"' },
    ]);
    expect(problemsOf(fridge({ temperature: { maxC: 8 } }))).toEqual([
      {
        path: 'cabinets[0].temperature.sensor',
        message: 'Invalid input: expected string, received undefined',
      },
    ]);
  });

  it('refuses a sensor the config does not have and the door channel', () => {
    expect(problemsOf(fridge({ temperature: { sensor: 'thermo', maxC: 8 } }))).toEqual([
      {
        path: 'cabinets[0].temperature.sensor',
        message: '"thermo" is not a sensor of this config (sensors: io)',
      },
    ]);
    expect(problemsOf(fridge({ temperature: { sensor: 'io', channel: 'door', maxC: 8 } }))).toEqual([
      {
        path: 'cabinets[0].temperature.channel',
        message:
          'channel "door" of sensor "io" is cabinets[0]\'s door ("open"/"closed"), not temperatures (got "door")',
      },
    ]);
  });
});

describe('check-config: rules with above, below and forMs', () => {
  it('takes a rule that compares a channel for a while', () => {
    const rule = warmRule({ sensor: 'io', channel: 'temperature', above: 8, forMs: 900_000 });
    expect(problemsOf(fridge({ rules: [rule] }))).toEqual([]);
  });

  it('refuses forMs without a comparison, and a band that holds no value', () => {
    expect(problemsOf(fridge({ rules: [warmRule({ channel: 'temperature', forMs: 60_000 })] }))).toEqual([
      {
        path: 'rules[0].when.forMs',
        message:
          'is how long a value must stay above or below a number, but the rule has neither above nor below (got 60000)',
      },
    ]);
    expect(problemsOf(fridge({ rules: [warmRule({ channel: 'temperature', above: 8, below: 8 })] }))).toEqual(
      [
        {
          path: 'rules[0].when.below',
          message: 'must be greater than above (8): no value is above 8 and below 8 (got 8)',
        },
      ],
    );
  });

  it('refuses a comparison on a channel that never carries numbers, or without a channel', () => {
    expect(
      problemsOf(fridge({ rules: [warmRule({ sensor: 'io', channel: ['temperature', 'door'], above: 8 })] })),
    ).toEqual([
      {
        path: 'rules[0].when.channel[1]',
        message:
          'channel "door" of sensor "io" is cabinets[0]\'s door ("open"/"closed"), never numbers: above would never fire (got "door")',
      },
    ]);
    expect(problemsOf(fridge({ rules: [warmRule({ sensor: 'io', below: 2 })] }))).toEqual([
      {
        path: 'rules[0].when.channel',
        message: 'is needed with below: name the channel whose numbers are compared (got nothing)',
      },
    ]);
  });

  it('refuses a comparison on events that carry no sensor value, and one mixed with value', () => {
    expect(
      problemsOf(
        fridge({
          rules: [warmRule({ channel: 'temperature', above: 8, value: ['9', 10] }, 'security.alarm')],
        }),
      ),
    ).toEqual([
      {
        path: 'rules[0].when.above',
        message: 'compares a sensor.changed value, but the rule is on security.alarm only (got 8)',
      },
      {
        path: 'rules[0].when.value',
        message: 'is an exact value, above a range: give one of them (got "9", 10)',
      },
    ]);
  });
});

describe('rfid-gateway check-config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rfid-sensor-checks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints each problem with its path and exits 2', async () => {
    const file = join(dir, 'warm.json');
    writeFileSync(
      file,
      JSON.stringify(
        fridge({
          temperature: { sensor: 'io', channel: 'door', maxC: 8 },
          rules: [warmRule({ channel: 'temperature', forMs: 60_000 })],
        }),
      ),
    );
    const result = await runCli(['check-config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'cabinets[0].temperature.channel: channel "door" of sensor "io" is cabinets[0]\'s door ("open"/"closed"), not temperatures (got "door")',
    );
    expect(result.stderr).toContain(
      'rules[0].when.forMs: is how long a value must stay above or below a number',
    );
  });
});
