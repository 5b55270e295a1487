import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { engineChecks } from './config-checks.js';

function problems(input: unknown) {
  const config = configSchema.parse(input);
  return engineChecks.flatMap((check) => check(config));
}

const base = {
  readers: [
    {
      id: 'door',
      driver: 'thingmagic',
      port: '/dev/ttyUSB0',
      antennaZones: { '1': 'inside', '2': 'outside' },
    },
  ],
  sensors: [{ id: 'io', driver: 'lines', port: '/dev/ttyACM0' }],
  doors: [{ id: 'front', path: ['inside', 'outside'] }],
  actuators: [
    { id: 'buzzer', driver: 'lines', device: 'io', channel: 'buzzer', safeState: 'off' },
    {
      id: 'lock',
      driver: 'relay-lcus',
      port: '/dev/ttyUSB1',
      channel: 1,
      values: { open: 'on', closed: 'off' },
      safeState: 'closed',
    },
  ],
  displays: [{ id: 'lcd', driver: 'serial-lcd', port: '/dev/ttyUSB2', model: 'serlcd' }],
};

describe('store-floor config checks', () => {
  it('accepts a config whose references all resolve', () => {
    expect(
      problems({
        ...base,
        rules: [
          {
            id: 'bell',
            on: ['sensor.changed'],
            when: { sensor: 'io', value: 'pressed', zone: 'inside', tag: '3074*' },
            do: [
              { pulse: { actuator: 'buzzer', ms: 300 } },
              { show: { display: 'lcd', template: 'welcome' } },
            ],
          },
        ],
        exitMonitor: { doors: ['front'], alarm: { actuators: ['buzzer'], display: 'lcd' } },
        engagement: { zones: ['inside'] },
      }),
    ).toEqual([]);
  });

  it('names every unknown reference and bad value with its path', () => {
    const found = problems({
      ...base,
      actuators: [
        ...base.actuators,
        {
          id: 'lock2',
          driver: 'relay-lcus',
          port: '/dev/ttyUSB1',
          channel: 1,
          safeState: 'shut',
          baudRate: 19200,
        },
        { id: 'remote', driver: 'mqtt' },
      ],
      rules: [
        {
          id: 'bad',
          on: ['tag.arived'],
          when: { zone: 'backroom', tag: 'urn:epc:pat:nonsense', cabinet: 'fridge' },
          do: [
            { pulse: { actuator: 'siren', ms: 300 } },
            { show: { display: 'tv', template: 'idle' } },
            { publish: { topic: 'alerts' } },
          ],
        },
        { id: 'bad', on: 'tag.arrived', do: [{ set: { actuator: 'buzzer', value: 'on' } }] },
      ],
      exitMonitor: { doors: ['back'], alarm: { actuators: ['horn'] } },
      engagement: { zones: ['shelf'] },
    });
    const paths = found.map((problem) => problem.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'actuators[2].safeState',
        'actuators[2].channel',
        'actuators[2].baudRate',
        'actuators[3].driver',
        'rules[1].id',
        'rules[0].on[0]',
        'rules[0].when.tag',
        'rules[0].when.zone[0]',
        'rules[0].when.cabinet[0]',
        'rules[0].do[0].pulse.actuator',
        'rules[0].do[1].show.display',
        'rules[0].do[2].publish',
        'exitMonitor.alarm.actuators[0]',
        'engagement.zones[0]',
        'exitMonitor.doors[0]',
      ]),
    );
    const byPath = new Map(found.map((problem) => [problem.path, problem.message]));
    expect(byPath.get('rules[0].do[0].pulse.actuator')).toBe(
      '"siren" is not an actuator of this config (actuators: buzzer, lock, lock2, remote)',
    );
    expect(byPath.get('actuators[2].safeState')).toBe('"shut" is not one of its values (on, off)');
    expect(byPath.get('actuators[2].channel')).toBe('relay 1 of /dev/ttyUSB1 is already "lock"');
    expect(byPath.get('rules[0].on[0]')).toMatch(/^"tag.arived" is not an event type \(tag.arrived, /);
  });

  it('refuses values and pulses an actuator cannot take, and a cabinet display missing from displays', () => {
    const found = problems({
      ...base,
      cabinets: [
        {
          id: 'fridge',
          zone: 'inside',
          door: { sensor: 'io' },
          lock: 'lock',
          unlockValue: 'unlock',
          unlockMs: 45_000,
          display: 'lcd2',
          currency: 'EUR',
        },
      ],
      rules: [
        {
          id: 'r',
          on: 'tag.arrived',
          do: [
            { pulse: { actuator: 'lock', value: 'open', ms: 600_000 } },
            { set: { actuator: 'lock', value: 'ajar' } },
          ],
        },
      ],
    });
    const byPath = new Map(found.map((problem) => [problem.path, problem.message]));
    expect(byPath.get('rules[0].do[0].pulse')).toBe(
      "a pulse of 600000 ms is longer than lock's maxPulseMs (30000)",
    );
    expect(byPath.get('rules[0].do[1].set')).toBe('"ajar" is not one of lock\'s values (open, closed)');
    expect(byPath.get('cabinets[0].display')).toBe('"lcd2" is not a display of this config (displays: lcd)');
    // 45 s is within the cabinet schema's own bound, but not within the lock's maxPulseMs: both are said.
    expect(
      found.filter((problem) => problem.path === 'cabinets[0].unlockValue').map((problem) => problem.message),
    ).toEqual([
      '"unlock" is not one of lock\'s values (open, closed)',
      "a pulse of 45000 ms is longer than lock's maxPulseMs (30000)",
    ]);
  });

  it('counts a cabinet display the displays section does not list as a display', () => {
    const config = {
      ...base,
      displays: [],
      cabinets: [
        {
          id: 'fridge',
          zone: 'inside',
          door: { sensor: 'io' },
          lock: 'lock',
          display: 'fridge-screen',
          currency: 'EUR',
        },
      ],
      rules: [
        {
          id: 'r',
          on: 'purchase.refused',
          do: [{ show: { display: 'fridge-screen', template: 'refused' } }],
        },
      ],
    };
    expect(problems(config).filter((problem) => problem.path.startsWith('rules'))).toEqual([]);
  });
});
