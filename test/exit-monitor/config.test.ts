import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engineChecks } from '../../src/app/config-checks.js';
import { ConfigError, loadConfigFile, parseConfig } from '../../src/config/load.js';
import { exitMonitorChecks } from '../../src/domain/exit-monitor/index.js';
import { runCli } from '../helpers/cli.js';

const CONFIG = fileURLToPath(new URL('../../config/exit-door.json', import.meta.url));

describe('config/exit-door.json', () => {
  it('is a valid config: one reader with two antennas, the door, and its exit monitor', () => {
    const config = loadConfigFile(CONFIG, [...engineChecks, exitMonitorChecks]);
    expect(config.readers.map((reader) => [reader.id, reader.driver, reader.antennaZones])).toEqual([
      ['door', 'thingmagic', { 1: 'inside', 2: 'outside' }],
    ]);
    expect(config.doors).toEqual([{ id: 'front', path: ['inside', 'outside'], windowMs: 5000 }]);
    expect(config.exitMonitor).toMatchObject({
      doors: ['front'],
      alarm: { actuators: ['buzzer', 'light'] },
    });
    expect(config.actuators.map((actuator) => actuator.id)).toEqual(['buzzer', 'light']);
  });

  it('is accepted by rfid-gateway check-config', async () => {
    const result = await runCli(['check-config', CONFIG]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('with a watched door the config does not have, names the path (through exitMonitorChecks)', () => {
    const document = JSON.parse(readFileSync(CONFIG, 'utf8')) as { exitMonitor: { doors: string[] } };
    document.exitMonitor.doors = ['frnt'];
    expect(() => parseConfig(document, 'exit-door.json', [exitMonitorChecks])).toThrow(ConfigError);
    expect(() => parseConfig(document, 'exit-door.json', [exitMonitorChecks])).toThrow(
      'exitMonitor.doors[0]: "frnt" is not a door of this config (doors: front)',
    );
  });
});
