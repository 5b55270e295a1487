import { describe, expect, it } from 'vitest';
import { engineChecks } from '../../src/app/config-checks.js';
import { configFromCapture } from '../../src/config/from-capture.js';
import { parseConfig } from '../../src/config/load.js';
import { problemsOf } from '../kits/config/problems.js';

describe('an OpenScale in the config', () => {
  it('is a sensor driver', () => {
    const config = parseConfig(
      { sensors: [{ id: 'scale', driver: 'openscale', port: '/dev/ttyUSB1', zone: 'fridge' }] },
      'test.json',
      engineChecks,
    );
    expect(config.sensors[0]).toMatchObject({ id: 'scale', driver: 'openscale' });
    expect(problemsOf({ readers: [{ id: 'scale', driver: 'openscale', port: '/dev/ttyUSB1' }] })).toEqual([
      expect.objectContaining({ path: 'readers[0].driver' }),
    ]);
  });

  it('becomes a sensor when a capture header names it', () => {
    const config = configFromCapture([{ id: 'scale', driver: 'openscale', baudRate: 9600 }]);
    expect(config.readers).toEqual([]);
    expect(config.sensors.map((sensor) => [sensor.id, sensor.driver])).toEqual([['scale', 'openscale']]);
  });

  it('takes no `lines` actuator: its menu key is a letter any channel may hold', () => {
    expect(
      problemsOf({
        sensors: [
          { id: 'scale', driver: 'openscale', port: '/dev/ttyUSB1' },
          { id: 'io', driver: 'lines', port: '/dev/ttyACM0' },
        ],
        actuators: [{ id: 'lock', driver: 'lines', device: 'scale', channel: 'lock', safeState: 'closed' }],
      }),
    ).toEqual([
      {
        path: 'actuators[0].device',
        message: '"scale" is not a lines sensor of this config (sensors: io)',
      },
    ]);
  });
});
